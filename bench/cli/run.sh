#!/usr/bin/env bash
# Benchmark of issue 14, every figure a ratio against a baseline measured in this same run:
#   bin/voi publish --digest-after of a new base (the whole command: JVM start, the lookup, the upload with the
#   SHA-256 computed while the file is sent and sent in a Content-Digest trailer, the server's
#   publish)  vs  openssl dgst -sha256 of the file;
#   the same by default (the local SHA-256 pass before the upload, digest= in the URL);
#   with VOI_BENCH_BEFORE_JAR=<an older target/voi-agent.jar>, that build's bin/voi as well (the
#   same server: it still takes digest=), for a before/after in one sitting;
#   and, for where the time goes, the same upload by curl with the digest given (the server side
#   alone), by curl without it (the server's path for an unknown digest, no local pass), and the
#   phases bin/voi reports itself (--json: seconds.hash, seconds.upload, which overlap with the
#   trailer).
# Rounds interleave them all, so that each ratio compares figures taken moments apart (the
# machine's speed drifts under other load); the load average is printed with each round.
# Usage: [VOI_BENCH_BEFORE_JAR=jar] [VOI_BENCH_PORT=18490] bench/cli/run.sh [size-in-MiB=1024] [rounds=5]
# Needs: qemu-img, curl, openssl, python3.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$root/bench/qemu.sh"
qemu_require
size_mib=${1:-1024}
rounds=${2:-5}
work=$root/target/bench-cli
rm -rf "$work" && mkdir -p "$work"
port=${VOI_BENCH_PORT:-18490}
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
for n in 1 2 3; do "$root/bin/voi" publish "warm-$n" "$work/warm.qcow2" --json --digest-after > /dev/null; done
"$root/bin/voi" publish "warm-4" "$work/warm.qcow2" --json > /dev/null
rm -f "$work/warm.qcow2"
sync

echo "== bin/voi publish vs openssl dgst -sha256, ${rounds} rounds (+2 not counted)" >&2
cat "$work/base.qcow2" > /dev/null # page cache, for every side alike
digest=$(openssl dgst -sha256 -r "$work/base.qcow2" | cut -c1-64)
curl_upload() { # image [query]
  curl -sf -o /dev/null -H "Authorization: Bearer $token" -H "Content-Type: application/octet-stream" \
    -T "$work/base.qcow2" -X POST "$VOI_SERVER/api/v1/images?name=$1${2:-}"
}
before_voi() { # the older build's bin/voi, as its bin/voi starts it
  java -XX:+UseSerialGC ${VOI_CLI_JAVA_OPTS:-} -cp "$VOI_BENCH_BEFORE_JAR" dev.voi.cli.Voi "$@"
}
phases() { python3 -c "import json; s=json.load(open('$work/last.out'))['seconds']; print(s['hash'], s['upload'])"; }
rounds_out=""
for n in $(seq -1 "$rounds"); do
  r=$((n + 2))
  load=$(cut -d' ' -f1 /proc/loadavg)
  o=$(timed openssl dgst -sha256 "$work/base.qcow2")
  v=$(timed "$root/bin/voi" publish "voi-r$r" "$work/base.qcow2" --json --digest-after)
  vp=$(phases)
  f=$(timed "$root/bin/voi" publish "first-r$r" "$work/base.qcow2" --json)
  fp=$(phases)
  b=0
  if [[ -n ${VOI_BENCH_BEFORE_JAR:-} ]]; then
    b=$(timed before_voi publish "before-r$r" "$work/base.qcow2" --json)
  fi
  c=$(timed curl_upload "curl-r$r" "&digest=sha256:$digest")
  p=$(timed curl_upload "plain-r$r")
  line="load $load: openssl $o s, voi $v s (hash, upload: $vp), voi digest first $f s ($fp)"
  [[ -n ${VOI_BENCH_BEFORE_JAR:-} ]] && line="$line, before $b s"
  line="$line, curl with digest= $c s, curl without $p s"
  for kind in voi first before curl plain; do rm -rf "$work/data/images/$kind-r$r"; done
  if [[ $n -lt 1 ]]; then
    echo "warm-up round: $line (not counted)" >&2
    continue
  fi
  echo "round $n: $line" >&2
  rounds_out="$rounds_out$o,$v,${vp/ /,},$f,${fp/ /,},$b,$c,$p,$load;"
done

python3 - "$bytes" "$rounds_out" <<'PY'
import statistics, sys
size, rounds_out = int(sys.argv[1]), sys.argv[2]
rounds = [tuple(map(float, r.split(","))) for r in rounds_out.split(";") if r]
col = lambda i: [r[i] for r in rounds]
o, v, vh, vu, f, fh, fu, b, c, p, load = (col(i) for i in range(11))
med = statistics.median
def ratio(i):
    rs = sorted(r[0] / r[i] for r in rounds)
    return f"ratio median {med(rs):.2f}x, per round {min(rs):.2f}-{max(rs):.2f}x"
print(f"file: {size / 1048576:.0f} MiB ({size} bytes); {len(rounds)} rounds;"
      f" load average {min(load):.2f}-{max(load):.2f}")
print(f"openssl dgst -sha256: {med(o):.2f} s median ({min(o):.2f}-{max(o):.2f})")
print(f"bin/voi publish (whole command, --digest-after, digest in the trailer): {med(v):.2f} s median"
      f" ({min(v):.2f}-{max(v):.2f}); {ratio(1)} (goal >= 0.35x)")
print(f"  its SHA-256 (beside the upload): {med(vh):.2f} s median;"
      f" its upload + publish: {med(vu):.2f} s median;"
      f" the rest (JVM start, lookup): {med([r[1] - r[3] for r in rounds]):.2f} s median")
print(f"bin/voi publish, digest first (the default; whole command): {med(f):.2f} s median"
      f" ({min(f):.2f}-{max(f):.2f}); {ratio(4)}")
print(f"  its local SHA-256 pass: {med(fh):.2f} s median; its upload + publish: {med(fu):.2f} s"
      f" median; the rest: {med([r[4] - r[5] - r[6] for r in rounds]):.2f} s median")
if any(b):
    print(f"the older build's bin/voi publish (whole command): {med(b):.2f} s median"
          f" ({min(b):.2f}-{max(b):.2f}); {ratio(7)}")
print(f"curl upload with digest= (the server side alone): {med(c):.2f} s median; {ratio(8)}")
print(f"curl upload without digest= (no local pass; the server hashes the stamped file after it):"
      f" {med(p):.2f} s median; {ratio(9)}")
PY
