#!/usr/bin/env bash
# Poll benchmark of issue 5: strategy polls of a large fleet, every figure a ratio against a
# baseline measured on the same server in the same run.
#   conditional polls (If-None-Match matches, 304)  vs  a trivial endpoint;
#   fresh polls (no If-None-Match, 200 + answer)     vs  one primary-key JPA lookup.
# Both baselines sit behind the same terminal-token authentication as the polls; they are added to
# a copy of the WAR from bench/poll/src (they are not part of the product).
# Usage: bench/poll/run.sh [terminals=100000] [seconds=20] [connections=16] [rounds=2]
# Needs: wrk, qemu-img, qemu-io, curl, psql, python3, PostgreSQL on 127.0.0.1:5432 (trust).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$root/bench/qemu.sh"
qemu_require
here=$root/bench/poll
terminals=${1:-100000}
seconds=${2:-20}
connections=${3:-16}
rounds=${4:-2}
work=$root/target/bench-poll
db=voi_bench_poll
# A free port of our own (another server on a fixed port would answer our requests).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
admin=bench-admin-token
api=http://127.0.0.1:$port/api/v1

rm -rf "$work" && mkdir -p "$work/data" "$work/files" "$work/war/WEB-INF/classes"
server_pid=

cleanup() {
  local status=$?
  if [[ -n $server_pid ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  exit "$status"
}
trap cleanup EXIT

echo "== building" >&2
(cd "$root" && mvn -B -q -o -DskipTests -DskipITs package dependency:copy@copy-payara-micro) >&2
api_jar=$(find ~/.m2/repository/jakarta/platform/jakarta.jakartaee-api/10.0.0 -name '*.jar' | head -n 1)
javac -nowarn -d "$work/war/WEB-INF/classes" -cp "$root/target/classes:$api_jar" \
  "$here/src/dev/voi/bench/Baselines.java"
cp "$root/target/voi-update.war" "$work/bench.war"
(cd "$work/war" && jar uf "$work/bench.war" WEB-INF)

echo "== fresh database $db" >&2
psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" \
  -c "CREATE DATABASE $db" >&2

echo "== starting the server" >&2
java -Xmx1g -Dvoi.db.url="jdbc:postgresql://127.0.0.1:5432/$db?user=postgres" \
  -Dvoi.admin.token=$admin -Dvoi.data.dir="$work/data" \
  -jar "$root/target/payara-micro.jar" --deploy "$work/bench.war" --contextroot / \
  --port $port --nocluster --disablephonehome > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 240); do
  curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready" && break
  kill -0 "$server_pid" 2>/dev/null || { echo "the server exited; see $work/server.log" >&2; exit 1; }
  sleep 1
done
curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready" && kill -0 "$server_pid" ||
  { echo "not ready; see $work/server.log" >&2; exit 1; }

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
admin_curl() { curl -sf -H "Authorization: Bearer $admin" "$@"; }

echo "== publishing an image: a base and two diffs (qemu-img)" >&2
cd "$work/files"
qemu_base base.qcow2 64M 1 1M
admin_curl -o image.json -H "Content-Type: application/octet-stream" --data-binary @base.qcow2 \
  "$api/images?name=bench&version=1"
tip=$(json "d['tip']['checksum']" < image.json)
tip_file=$(json "d['layers'][0]['fileName']" < image.json)
checksums=("$tip")
for k in 1 2; do
  admin_curl -o "$tip_file" "$api/images/bench/layers/$tip/content"
  qemu_diff "diff$k.qcow2" "$tip_file" $((k + 1)) 1M
  admin_curl -o layer.json -H "Content-Type: application/octet-stream" \
    --data-binary @"diff$k.qcow2" "$api/images/bench/layers?parent=$tip"
  tip=$(json "d['checksum']" < layer.json)
  tip_file=$(json "d['fileName']" < layer.json)
  checksums+=("$tip")
done

echo "== one terminal registered, assigned and reported through the API (one layer behind)" >&2
admin_curl -o seed.json -H "Content-Type: application/json" -d '{"name":"seed"}' "$api/terminals"
seed_id=$(json "d['id']" < seed.json)
seed_token=$(json "d['token']" < seed.json)
admin_curl -o /dev/null -X PUT "$api/terminals/$seed_id/images/bench"
random_tail=$(openssl rand -hex 32 2>/dev/null || python3 -c "import secrets; print(secrets.token_hex(32))")
report="{\"nodes\":[{\"head\":\"${checksums[0]}\",\"tail\":\"${checksums[1]}\"},{\"head\":\"${checksums[1]}\",\"tail\":\"$random_tail\"}]}"
etag=$(curl -sf -D - -o answer.json -X PUT -H "Authorization: Bearer $seed_token" \
  -H "Content-Type: application/json" -d "$report" "$api/terminals/$seed_id/images/bench/chain" |
  tr -d '\r' | awk 'tolower($1) == "etag:" { print $2 }')
echo "   answer: $(cat answer.json)" >&2
echo "   ETag: $etag" >&2

echo "== $terminals more terminals with that very report (rows copied in SQL)" >&2
psql -q -h 127.0.0.1 -U postgres -d $db -v ON_ERROR_STOP=1 <<SQL >&2
INSERT INTO terminal (name, token_hash, created_at)
SELECT 'bench-' || i, encode(sha256(convert_to('voit_bench_' || i, 'UTF8')), 'hex'), now()
FROM generate_series(1, $terminals) AS i;
INSERT INTO assignment (terminal_id, image_id, assigned_at, reported_nodes, reported_layers,
    reported_at, strategy, reason, policy, move_count, diverged_at, keep_layers, total_bytes,
    answer_hash, answer_revision, decided_at, version)
SELECT t.id, s.image_id, now(), s.reported_nodes, s.reported_layers, now(), s.strategy, s.reason,
    s.policy, s.move_count, s.diverged_at, s.keep_layers, s.total_bytes, s.answer_hash,
    s.answer_revision, now(), 0
FROM terminal t CROSS JOIN (SELECT * FROM assignment WHERE terminal_id = $seed_id) s
WHERE t.name LIKE 'bench-%';
ANALYZE;
SQL
psql -At -F ' ' -h 127.0.0.1 -U postgres -d $db \
  -c "SELECT id, 'voit_bench_' || substr(name, 7) FROM terminal WHERE name LIKE 'bench-%' ORDER BY id" \
  > "$work/terminals.txt"

run() { # mode seconds [terminals file]
  wrk -t2 -c"$connections" -d"$2"s --latency -s "$here/poll.lua" "http://127.0.0.1:$port" -- \
    "$1" "${3:-$work/terminals.txt}" bench "$etag" | grep '^RESULT'
}
requests() { sed -E 's/.*requests=([0-9]+).*/\1/' <<< "$1"; }

# Slices: 5% to warm the code paths up, two halves of the rest for the first polls after start.
warm=$(( terminals / 20 ))
half=$(( (terminals - warm) / 2 ))
sed -n "1,${warm}p" "$work/terminals.txt" > "$work/warm.txt"
sed -n "$(( warm + 1 )),$(( warm + half ))p" "$work/terminals.txt" > "$work/first1.txt"
sed -n "$(( warm + half + 1 )),\$p" "$work/terminals.txt" > "$work/first2.txt"

echo "== warm-up of every code path (the JIT), on the first 5% of the terminals" >&2
for _ in 1 2 3; do
  for mode in trivial pk fresh conditional; do
    run "$mode" 10 "$work/warm.txt" | tee -a "$work/warmup.txt" >&2
  done
done

echo "== first polls after the start: token, assignments and answer row read from the database" >&2
: > "$work/results.txt"
first_seconds=$(( seconds / 2 ))
for round in 1 2; do
  line=$(run fresh "$first_seconds" "$work/first$round.txt")
  if (( $(requests "$line") > half )); then
    echo "   (more requests than terminals in the slice: some answered from memory)" >&2
  fi
  sed "s/^RESULT/RESULT round=$round/; s/mode=fresh/mode=first/" <<< "$line" |
    tee -a "$work/results.txt" >&2
done

echo "== every terminal polls once more, so that every answer is held in memory" >&2
covered=0
while (( covered < terminals * 12 / 10 )); do
  line=$(run conditional 20)
  echo "$line" | tee -a "$work/warmup.txt" >&2
  covered=$(( covered + $(requests "$line") ))
done

echo "== measuring: $rounds rounds of ${seconds}s per endpoint, wrk -t2 -c$connections" >&2
for round in $(seq 1 "$rounds"); do
  for mode in trivial conditional pk fresh; do
    run "$mode" "$seconds" | sed "s/^RESULT/RESULT round=$round/" | tee -a "$work/results.txt" >&2
  done
done

python3 - "$work/results.txt" "$terminals" "$connections" <<'PY'
import re, sys, statistics
rows = [dict(kv.split("=") for kv in line.split()[1:]) for line in open(sys.argv[1])]
by = {}
for r in rows:
    by.setdefault(r["mode"], []).append(r)
def mean(mode, key):
    return statistics.mean(float(r[key]) for r in by[mode])
print(f"terminals={sys.argv[2]} connections={sys.argv[3]}")
print("| endpoint | req/s (mean of rounds) | p50 ms | p99 ms | unexpected status | socket errors |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
names = {"trivial": "trivial (baseline)", "conditional": "conditional poll, 304",
         "pk": "one primary-key JPA lookup (baseline)", "fresh": "fresh poll, 200",
         "first": "first poll after the start, 200 (3 reads)"}
for mode in ["trivial", "conditional", "pk", "fresh", "first"]:
    print(f"| {names[mode]} | {mean(mode,'rps'):.0f} | {mean(mode,'p50_ms'):.2f} | "
          f"{mean(mode,'p99_ms'):.2f} | {sum(int(r['unexpected']) for r in by[mode])} | "
          f"{sum(int(r['errors']) for r in by[mode])} |")
print()
print(f"conditional / trivial = {mean('conditional','rps') / mean('trivial','rps'):.2f} (goal >= 0.9)")
print(f"fresh / pk lookup     = {mean('fresh','rps') / mean('pk','rps'):.2f} (goal >= 1.0)")
print(f"first poll / pk lookup = {mean('first','rps') / mean('pk','rps'):.2f} (no goal)")
PY
