#!/usr/bin/env bash
# Benchmark of issue 14, every figure a ratio against a baseline measured in this same run:
#   bin/voi publish of a new base (the whole command: JVM start, the local SHA-256 pass over the
#   file, the upload with digest=, the server's publish)  vs  openssl dgst -sha256 of the file;
#   and, for where the time goes, the same upload by curl with the digest given (the server side
#   alone), by curl without it (the server's slower path, with no local pass before the upload),
#   and the two phases bin/voi reports itself (--json: seconds.hash, seconds.upload).
# Rounds interleave openssl, bin/voi and curl, so that each ratio compares figures taken moments
# apart (the machine's speed drifts under other load).
# Usage: bench/cli/run.sh [size-in-MiB=1024] [rounds=5]
# Needs: qemu-img, curl, openssl, python3.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$root/bench/qemu.sh"
qemu_require
size_mib=${1:-1024}
rounds=${2:-5}
work=$root/target/bench-cli
rm -rf "$work" && mkdir -p "$work"
port=18490
token=bench-admin-token

cleanup() {
  local status=$?
  set +e
  if [[ -n ${server_pid:-} ]]; then
    # bin/voi-server execs java: its pid is the server's
    kill "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  exit "$status"
}
trap cleanup EXIT

make_base() { # file MiB: incompressible data, every cluster allocated (what a template looks like)
  head -c "$(( $2 * 1024 * 1024 ))" /dev/urandom > "$work/raw.bin"
  qemu_from_raw "$work/raw.bin" "$1"
  rm -f "$work/raw.bin"
}
elapsed() { python3 -c "print(round($2 - $1, 3))"; }
timed() { # command... ; prints its wall time (stdout of the command goes to $work/last.out)
  local s e; s=$EPOCHREALTIME; "$@" > "$work/last.out"; e=$EPOCHREALTIME; elapsed "$s" "$e"
}

echo "== preparing a ${size_mib} MiB base" >&2
make_base "$work/base.qcow2" "$size_mib"
bytes=$(stat -c %s "$work/base.qcow2")

echo "== starting the server (embedded database)" >&2
(cd "$work" && VOI_HTTP_PORT=$port VOI_ADMIN_TOKEN=$token VOI_DATA_DIR=$work/data \
  VOI_AUDIT_INTERVAL_MINUTES=0 VOI_JAVA_OPTS="-Xmx1g" exec "$root/bin/voi-server" > "$work/server.log" 2>&1) &
server_pid=$!
for _ in $(seq 1 180); do grep -q "voi-server: listening" "$work/server.log" && break; sleep 1; done
grep -q "voi-server: listening" "$work/server.log" || { echo "server did not start" >&2; exit 1; }
export VOI_SERVER=http://127.0.0.1:$port VOI_TOKEN=$token

# Warm the server up as days of service would (the JIT compiles its receive and digest loops
# during the first GiB or two): three publishes of 256 MiB through bin/voi.
make_base "$work/warm.qcow2" 256
for n in 1 2 3; do "$root/bin/voi" publish "warm-$n" "$work/warm.qcow2" --json > /dev/null; done
rm -f "$work/warm.qcow2"
sync

echo "== bin/voi publish vs openssl dgst -sha256, ${rounds} rounds (+2 not counted)" >&2
cat "$work/base.qcow2" > /dev/null # page cache, for every side alike
digest=$(openssl dgst -sha256 -r "$work/base.qcow2" | cut -c1-64)
curl_upload() { # image [query]
  curl -sf -o /dev/null -H "Authorization: Bearer $token" -H "Content-Type: application/octet-stream" \
    -T "$work/base.qcow2" -X POST "$VOI_SERVER/api/v1/images?name=$1${2:-}"
}
rounds_out=""
for n in $(seq -1 "$rounds"); do
  o=$(timed openssl dgst -sha256 "$work/base.qcow2")
  v=$(timed "$root/bin/voi" publish "voi-r$((n + 2))" "$work/base.qcow2" --json)
  phases=$(python3 -c "import json; d=json.load(open('$work/last.out')); print(d['seconds']['hash'], d['seconds']['upload'])")
  c=$(timed curl_upload "curl-r$((n + 2))" "&digest=sha256:$digest")
  p=$(timed curl_upload "plain-r$((n + 2))")
  if [[ $n -lt 1 ]]; then
    echo "warm-up round: openssl $o s, voi $v s (hash, upload: $phases), curl with digest= $c s, curl without $p s (not counted)" >&2
    continue
  fi
  echo "round $n: openssl $o s, voi $v s (hash, upload: $phases), curl with digest= $c s, curl without $p s" >&2
  rounds_out="$rounds_out$o,$v,${phases/ /,},$c,$p;"
  for kind in voi curl plain; do rm -rf "$work/data/images/$kind-r$((n + 1))"; done
done

python3 - "$bytes" "$rounds_out" <<'PY'
import statistics, sys
size, rounds_out = int(sys.argv[1]), sys.argv[2]
rounds = [tuple(map(float, r.split(","))) for r in rounds_out.split(";") if r]
o = [r[0] for r in rounds]; v = [r[1] for r in rounds]; h = [r[2] for r in rounds]
u = [r[3] for r in rounds]; c = [r[4] for r in rounds]; p = [r[5] for r in rounds]
med = statistics.median
print(f"file: {size / 1048576:.0f} MiB ({size} bytes); {len(rounds)} rounds")
print(f"openssl dgst -sha256: {med(o):.2f} s median ({min(o):.2f}-{max(o):.2f})")
ratios = sorted(r[0] / r[1] for r in rounds)
print(f"bin/voi publish (whole command): {med(v):.2f} s median ({min(v):.2f}-{max(v):.2f});"
      f" ratio median {med(ratios):.2f}x, per round {min(ratios):.2f}-{max(ratios):.2f}x (goal >= 0.35x)")
print(f"  its local SHA-256 pass: {med(h):.2f} s median, ratio {med([r[0] / r[2] for r in rounds]):.2f}x")
print(f"  its upload + publish:   {med(u):.2f} s median, ratio {med([r[0] / r[3] for r in rounds]):.2f}x")
print(f"  the rest (JVM start, lookup): {med([r[1] - r[2] - r[3] for r in rounds]):.2f} s median")
print(f"curl upload with digest= (the server side alone): {med(c):.2f} s median,"
      f" ratio {med([r[0] / r[4] for r in rounds]):.2f}x")
print(f"curl upload without digest= (no local pass; the server hashes the stamped file after it):"
      f" {med(p):.2f} s median, ratio {med([r[0] / r[5] for r in rounds]):.2f}x")
PY
