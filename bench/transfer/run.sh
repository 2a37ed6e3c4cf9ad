#!/usr/bin/env bash
# Transfer benchmark of issue 4, every figure a ratio against a baseline measured in this same run:
#   download of a layer from the server  vs  nginx serving the same file with sendfile;
#   upload + publish of a base            vs  openssl dgst -sha256 of the same file;
#   server heap after each GC while moving a large file  vs  the idle heap.
# Usage: bench/transfer/run.sh [size-in-MiB=1024] [heap-file-MiB=4096] [upload-rounds=5]
# Needs: qemu-img, nginx, curl, openssl (apt-get install -y qemu-utils nginx-light curl openssl).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$root/bench/qemu.sh"
qemu_require
size_mib=${1:-1024}
heap_mib=${2:-4096}
rounds=${3:-5}
work=$root/target/bench-transfer
rm -rf "$work" && mkdir -p "$work/www"
port=18480
nginx_port=18481
token=bench-admin-token

cleanup() {
  local status=$?
  set +e
  [[ -f $work/nginx.pid ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
  pkill -f -- "payara-micro.jar.*--port $port" 2>/dev/null
  [[ -n ${server_pid:-} ]] && wait "$server_pid" 2>/dev/null
  exit "$status"
}
trap cleanup EXIT

# A base qcow2 of the given size filled with incompressible data (what a template looks like).
make_base() { # file MiB
  head -c "$(( $2 * 1024 * 1024 ))" /dev/urandom > "$work/raw.bin"
  qemu_from_raw "$work/raw.bin" "$1"
  rm -f "$work/raw.bin"
}
# Timestamps from bash itself: a python3 started inside a timed interval (0.3-0.4 s through pyenv's
# shim here) would add its start-up to every figure and pull every ratio towards 1.
seconds() { echo "$EPOCHREALTIME"; }
elapsed() { python3 -c "print(round($2 - $1, 3))"; }
best() { # command... ; prints the best of 3 wall times
  local b=""
  for _ in 1 2 3; do
    local s e t; s=$(seconds); "$@" > /dev/null; e=$(seconds); t=$(elapsed "$s" "$e")
    if [[ -z $b ]] || python3 -c "import sys; sys.exit(0 if $t < $b else 1)"; then b=$t; fi
  done
  echo "$b"
}

echo "== preparing a ${size_mib} MiB base" >&2
make_base "$work/base.qcow2" "$size_mib"
bytes=$(stat -c %s "$work/base.qcow2")

echo "== starting the server (embedded database, GC log)" >&2
(cd "$work" && VOI_HTTP_PORT=$port VOI_ADMIN_TOKEN=$token VOI_DATA_DIR=$work/data \
  VOI_JAVA_OPTS="-Xmx1g -Xlog:gc:file=$work/gc.log:uptime" "$root/bin/voi-server" > "$work/server.log" 2>&1) &
server_pid=$!
for _ in $(seq 1 180); do grep -q "voi-server: listening" "$work/server.log" && break; sleep 1; done
grep -q "voi-server: listening" "$work/server.log" || { echo "server did not start" >&2; exit 1; }

# Warm the server up as days of service would (the JIT compiles the receive, digest and copy
# loops during the first GiB or two): three uploads and downloads of 256 MiB.
make_base "$work/warm.qcow2" 256
for n in 1 2 3; do
  curl -sf -o "$work/warm-$n.json" -H "Authorization: Bearer $token" -H "Content-Type: application/octet-stream" \
    -T "$work/warm.qcow2" -X POST "http://127.0.0.1:$port/api/v1/images?name=warm-$n"
  warm=$(python3 -c "import json; print(json.load(open('$work/warm-$n.json'))['tip']['checksum'])")
  curl -sf -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/images/warm-$n/layers/$warm/content"
done
rm -f "$work/warm.qcow2"
# Nothing of the bench's own files left to write back while it measures: the kernel would write the
# fresh 1 GiB base to disk in the middle of the uploads (30 s after it was made).
sync

echo "== upload + publish vs openssl dgst -sha256, ${rounds} rounds" >&2
cat "$work/base.qcow2" > /dev/null # page cache, for both sides alike
digest=$(openssl dgst -sha256 -r "$work/base.qcow2" | cut -c1-64)
timed() { # command... ; prints its wall time
  local s e; s=$EPOCHREALTIME; "$@" > /dev/null; e=$EPOCHREALTIME; elapsed "$s" "$e"
}
upload() { # image [more query]
  curl -sf -o "$work/published-$1.json" -H "Authorization: Bearer $token" -H "Content-Type: application/octet-stream" \
    -T "$work/base.qcow2" -X POST "http://127.0.0.1:$port/api/v1/images?name=$1${2:-}"
}
# Each round times openssl, a plain upload and an upload naming its digest (digest=sha256:…: the
# server then knows the stamp before the body has arrived and hashes the stamped file on the way
# in) one right after the other, so that each ratio compares figures taken moments apart: this VM's
# speed drifts by a third within minutes.
# The first two rounds are not counted: the server was still getting faster over its first few GiB
# (JIT), as the receive times of the publish log showed round after round.
rounds_out=""
for n in $(seq -1 "$rounds"); do
  image=bench; [[ $n -gt 1 ]] && image=bench-$n; [[ $n -lt 1 ]] && image=bench-warm-$((n + 2))
  o=$(timed openssl dgst -sha256 "$work/base.qcow2")
  u=$(timed upload "$image")
  d=$(timed upload "${image/bench/bench-digest}" "&digest=sha256:$digest")
  if [[ $n -lt 1 ]]; then
    echo "warm-up round: openssl $o s, upload $u s, upload with digest= $d s (not counted)" >&2
    continue
  fi
  echo "round $n: openssl $o s, upload $u s, upload with digest= $d s" >&2
  rounds_out="$rounds_out$o,$u,$d;"
done
cp "$work/published-bench.json" "$work/published.json"
checksum=$(python3 -c "import json; print(json.load(open('$work/published.json'))['tip']['checksum'])")
file_name=$(python3 -c "import json; print(json.load(open('$work/published.json'))['layers'][0]['fileName'])")
stored=$work/data/images/bench/$file_name

echo "== download vs nginx sendfile (same stored file)" >&2
ln -s "$stored" "$work/www/layer.qcow2"
cat > "$work/nginx.conf" <<NGINX
daemon on; worker_processes 2; pid $work/nginx.pid; error_log $work/nginx-error.log;
events { worker_connections 64; }
http { access_log off; sendfile on; tcp_nopush on;
  server { listen 127.0.0.1:$nginx_port; root $work/www; } }
NGINX
nginx -c "$work/nginx.conf"
cat "$stored" > /dev/null
url="http://127.0.0.1:$port/api/v1/images/bench/layers/$checksum/content"
nginx_s=$(best curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/layer.qcow2")
server_s=$(best curl -sf -o /dev/null -H "Authorization: Bearer $token" "$url")

echo "== heap while moving a ${heap_mib} MiB file" >&2
make_base "$work/big.qcow2" "$heap_mib"
sleep 2
# Mark the idle heap with an explicit full GC ("Diagnostic Command" in the GC log).
java_pid=$(pgrep -f -- "payara-micro.jar.*--port $port" | head -n 1 || true)
if [[ -n $java_pid ]]; then jcmd "$java_pid" GC.run > /dev/null || echo "jcmd failed" >&2
else echo "server JVM not found for jcmd" >&2; fi
sleep 1
curl -sf -o "$work/big.json" -H "Authorization: Bearer $token" -H "Content-Type: application/octet-stream" \
  -T "$work/big.qcow2" -X POST "http://127.0.0.1:$port/api/v1/images?name=big"
big_checksum=$(python3 -c "import json; print(json.load(open('$work/big.json'))['tip']['checksum'])")
curl -sf -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/images/big/layers/$big_checksum/content"

python3 - "$work/gc.log" "$bytes" "$rounds_out" "$nginx_s" "$server_s" <<'PY'
import re, statistics, sys
log, size, rounds_out, nginx_s, server_s = sys.argv[1], int(sys.argv[2]), sys.argv[3], *map(float, sys.argv[4:])
mib = size / 1048576
rounds = [tuple(map(float, r.split(","))) for r in rounds_out.split(";") if r]
print(f"file: {mib:.0f} MiB ({size} bytes); {len(rounds)} rounds of openssl, upload, upload with digest=")
for label, i in (("upload+publish", 1), ("upload+publish with digest=", 2)):
    ratios = sorted(o / r[i] for r in rounds for o in [r[0]])
    times = [r[i] for r in rounds]
    goal = " (goal >= 0.45x)" if i == 1 else ""
    print(f"{label}: {statistics.median(times):.2f} s median ({min(times):.2f}-{max(times):.2f});"
          f" openssl dgst {statistics.median(r[0] for r in rounds):.2f} s median;"
          f" ratio median {statistics.median(ratios):.2f}x, per round {min(ratios):.2f}-{max(ratios):.2f}x{goal}")
print(f"download: server {server_s:.2f} s = {mib/server_s:.0f} MiB/s; nginx sendfile {nginx_s:.2f} s = {mib/nginx_s:.0f} MiB/s; ratio {nginx_s/server_s:.2f}x (goal >= 0.9x)")
lines = open(log).read().splitlines()
marks = [i for i, line in enumerate(lines) if "System.gc()" in line or "Diagnostic Command" in line]
if marks:
    def after_gc(line):
        m = re.search(r" (\d+)M->(\d+)M", line)
        return int(m.group(2)) if m else None
    idle = after_gc(lines[marks[-1]])
    during = [v for v in (after_gc(l) for l in lines[marks[-1] + 1:] if "Pause Young" in l or "Pause Full" in l) if v is not None]
    if during:
        print(f"heap after GC: idle {idle} MiB; during the transfers ({len(during)} GCs) min {min(during)} max {max(during)} MiB;"
              f" max-idle {max(during) - idle:+d} MiB (goal within +-32 MiB)")
    else:
        print(f"heap: idle {idle} MiB; no GC at all during the transfers")
PY
