#!/usr/bin/env bash
# Poll benchmark of issue 5: strategy polls of a large fleet, every figure a ratio against a
# baseline measured on the same server in the same run.
#   conditional polls (If-None-Match matches, 304)  vs  a trivial endpoint;
#   fresh polls (no If-None-Match, 200 + answer)     vs  one primary-key JPA lookup.
# Both baselines sit behind the same terminal-token authentication as the polls; they are added to
# a copy of the WAR from bench/poll/src (they are not part of the product).
# Issue "groups, staged rollouts and maintenance windows": a second fleet of as many terminals, in
# ten groups s0..s9, polls a second image "staged" that has a rollout plan [[s0], [s1, s2, s3], ["*"]]
# (wave 0 released one layer more than the others) and maintenance windows on every group, all
# open now (s0-s4 every day 00:00-00:00, s5-s9 every day from the last full hour to three hours
# later, UTC: a next edge hours ahead). Its conditional and fresh polls are measured interleaved
# with the flat fleet's (group "default", no plan, no windows) and reported as ratios.
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

echo "== image staged: a base and two diffs, one seed terminal per group s0..s9 (one layer behind)" >&2
qemu_base sbase.qcow2 64M 11 1M
admin_curl -o simage.json -H "Content-Type: application/octet-stream" --data-binary @sbase.qcow2 \
  "$api/images?name=staged&version=1"
stip=$(json "d['tip']['checksum']" < simage.json)
stip_file=$(json "d['layers'][0]['fileName']" < simage.json)
schecksums=("$stip")
publish_staged() { # k: one more diff on the staged tip
  admin_curl -o "$stip_file" "$api/images/staged/layers/$stip/content"
  qemu_diff "sdiff$1.qcow2" "$stip_file" $((10 + $1)) 1M
  admin_curl -o slayer.json -H "Content-Type: application/octet-stream" \
    --data-binary @"sdiff$1.qcow2" "$api/images/staged/layers?parent=$stip"
  stip=$(json "d['checksum']" < slayer.json)
  stip_file=$(json "d['fileName']" < slayer.json)
  schecksums+=("$stip")
}
publish_staged 1
publish_staged 2
declare -A sseed_id sseed_token
for g in 0 1 2 3 4 5 6 7 8 9; do
  admin_curl -o sseed.json -H "Content-Type: application/json" \
    -d "{\"name\":\"seed-s$g\",\"group\":\"s$g\"}" "$api/terminals"
  sseed_id[$g]=$(json "d['id']" < sseed.json)
  sseed_token[$g]=$(json "d['token']" < sseed.json)
  admin_curl -o /dev/null -X PUT "$api/terminals/${sseed_id[$g]}/images/staged"
  tail_hex=$(python3 -c "import secrets; print(secrets.token_hex(32))")
  sreport="{\"nodes\":[{\"head\":\"${schecksums[0]}\",\"tail\":\"${schecksums[1]}\"},{\"head\":\"${schecksums[1]}\",\"tail\":\"$tail_hex\"}]}"
  curl -sf -o /dev/null -X PUT -H "Authorization: Bearer ${sseed_token[$g]}" \
    -H "Content-Type: application/json" -d "$sreport" \
    "$api/terminals/${sseed_id[$g]}/images/staged/chain"
done
echo "== a rollout plan on staged, then a third diff (released to wave 0 only)" >&2
admin_curl -o rollout.json -X PUT -H "Content-Type: application/json" \
  -d '{"waves":[["s0"],["s1","s2","s3"],["*"]],"autoAdvance":false}' "$api/images/staged/rollout"
publish_staged 3
admin_curl "$api/images/staged/rollout" | python3 -c "import json,sys; d=json.load(sys.stdin); print('   rollout:', d['state'], [(w['groups'], w['releasedTip']['depth']) for w in d['waves']])" >&2
echo "== maintenance windows on every group s0..s9, open now" >&2
hour=$(date -u +%H)
from=$(printf '%02d:00' $(( 10#$hour )))
to=$(printf '%02d:00' $(( (10#$hour + 3) % 24 )))
# Every day, as three windows: group_window.days (VARCHAR(32)) cannot hold the full day names the
# server stores for more than three days ("MONDAY,TUESDAY,WEDNESDAY,THURSDAY" is 33 characters).
for g in 0 1 2 3 4 5 6 7 8 9; do
  if (( g < 5 )); then f=00:00 t=00:00; else f=$from t=$to; fi
  w=""
  for days in '"MON","TUE","WED"' '"THU","FRI","SAT"' '"SUN"'; do
    w="$w${w:+,}{\"days\":[$days],\"from\":\"$f\",\"to\":\"$t\"}"
  done
  admin_curl -o group.json -X PUT -H "Content-Type: application/json" \
    -d "{\"zone\":\"UTC\",\"windows\":[$w]}" "$api/groups/s$g"
  echo "   s$g: $(json "(d['windows'], d['openNow'], d['nextChange'])" < group.json)" >&2
done
sleep 6 # the background re-decisions of the seeds' rows
declare -A setag
for g in 0 1 2 3 4 5 6 7 8 9; do
  setag[$g]=$(curl -sf -D - -o "sanswer$g.json" -H "Authorization: Bearer ${sseed_token[$g]}" \
    "$api/terminals/${sseed_id[$g]}/images/staged/strategy" |
    tr -d '\r' | awk 'tolower($1) == "etag:" { print $2 }')
  echo "   s$g: $(json "(d['strategy'], d['reason'], d['group'], d['wave'], d['tip']['depth'], d['windowOpensAt'], len(d['downloads']))" < "sanswer$g.json") ETag ${setag[$g]}" >&2
done

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
echo "== $terminals terminals of the staged fleet, a tenth in each group, copied from its seed" >&2
for g in 0 1 2 3 4 5 6 7 8 9; do
  psql -q -h 127.0.0.1 -U postgres -d $db -v ON_ERROR_STOP=1 <<SQL >&2
INSERT INTO terminal (name, token_hash, created_at, group_name)
SELECT 'staged-' || i, encode(sha256(convert_to('voit_staged_' || i, 'UTF8')), 'hex'), now(), 's$g'
FROM generate_series(1, $terminals) AS i WHERE i % 10 = $g;
INSERT INTO assignment (terminal_id, image_id, assigned_at, reported_nodes, reported_layers,
    reported_at, reported_tip, strategy, reason, policy, move_count, diverged_at, keep_layers,
    total_bytes, answer_hash, answer_revision, decided_at, version, group_name)
SELECT t.id, s.image_id, now(), s.reported_nodes, s.reported_layers, now(), s.reported_tip,
    s.strategy, s.reason, s.policy, s.move_count, s.diverged_at, s.keep_layers, s.total_bytes,
    s.answer_hash, s.answer_revision, now(), 0, t.group_name
FROM terminal t CROSS JOIN (SELECT * FROM assignment WHERE terminal_id = ${sseed_id[$g]}) s
WHERE t.name LIKE 'staged-%' AND t.group_name = 's$g';
SQL
done
psql -q -h 127.0.0.1 -U postgres -d $db -c "ANALYZE" >&2
psql -At -F ' ' -h 127.0.0.1 -U postgres -d $db \
  -c "SELECT id, 'voit_staged_' || substr(name, 8), substr(group_name, 2) FROM terminal WHERE name LIKE 'staged-%' ORDER BY id" |
  while read -r id token g; do echo "$id $token ${setag[$g]}"; done > "$work/staged.txt"

run() { # mode seconds [terminals file]; mode conditional_staged / fresh_staged: the staged fleet
  local mode=${1%_staged} file=${3:-$work/terminals.txt} image=bench
  if [[ $1 == *_staged ]]; then file=${3:-$work/staged.txt}; image=staged; fi
  wrk -t2 -c"$connections" -d"$2"s --latency -s "$here/poll.lua" "http://127.0.0.1:$port" -- \
    "$mode" "$file" "$image" "$etag" | grep '^RESULT' | sed "s/mode=$mode /mode=$1 /"
}
requests() { sed -E 's/.*requests=([0-9]+).*/\1/' <<< "$1"; }

# Slices: 5% to warm the code paths up, two halves of the rest for the first polls after start.
warm=$(( terminals / 20 ))
half=$(( (terminals - warm) / 2 ))
sed -n "1,${warm}p" "$work/terminals.txt" > "$work/warm.txt"
sed -n "$(( warm + 1 )),$(( warm + half ))p" "$work/terminals.txt" > "$work/first1.txt"
sed -n "$(( warm + half + 1 )),\$p" "$work/terminals.txt" > "$work/first2.txt"
sed -n "1,${warm}p" "$work/staged.txt" > "$work/swarm.txt"

echo "== warm-up of every code path (the JIT), on the first 5% of the terminals" >&2
for _ in 1 2 3; do
  for mode in trivial pk fresh conditional; do
    run "$mode" "${WARM_SECONDS:-10}" "$work/warm.txt" | tee -a "$work/warmup.txt" >&2
  done
  for mode in fresh_staged conditional_staged; do
    run "$mode" "${WARM_SECONDS:-10}" "$work/swarm.txt" | tee -a "$work/warmup.txt" >&2
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
for fleet in conditional conditional_staged; do
  covered=0
  while (( covered < terminals * 12 / 10 )); do
    line=$(run $fleet 20)
    echo "$line" | tee -a "$work/warmup.txt" >&2
    covered=$(( covered + $(requests "$line") ))
  done
done

echo "== measuring: $rounds rounds of ${seconds}s per endpoint, wrk -t2 -c$connections" >&2
echo "   load average $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%FT%TZ)" >&2
for round in $(seq 1 "$rounds"); do
  if (( round % 2 )); then order="trivial conditional conditional_staged pk fresh fresh_staged"
  else order="trivial conditional_staged conditional pk fresh_staged fresh"; fi
  for mode in $order; do
    run "$mode" "$seconds" | sed "s/^RESULT/RESULT round=$round/" | tee -a "$work/results.txt" >&2
  done
done

echo "   load average $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%FT%TZ)" >&2
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
         "first": "first poll after the start, 200 (3 reads)",
         "conditional_staged": "conditional poll, 304, staged fleet (plan + windows)",
         "fresh_staged": "fresh poll, 200, staged fleet (plan + windows)"}
for mode in ["trivial", "conditional", "conditional_staged", "pk", "fresh", "fresh_staged", "first"]:
    print(f"| {names[mode]} | {mean(mode,'rps'):.0f} | {mean(mode,'p50_ms'):.2f} | "
          f"{mean(mode,'p99_ms'):.2f} | {sum(int(r['unexpected']) for r in by[mode])} | "
          f"{sum(int(r['errors']) for r in by[mode])} |")
print()
print(f"conditional / trivial = {mean('conditional','rps') / mean('trivial','rps'):.2f} (goal >= 0.9)")
print(f"fresh / pk lookup     = {mean('fresh','rps') / mean('pk','rps'):.2f} (goal >= 1.0)")
print(f"first poll / pk lookup = {mean('first','rps') / mean('pk','rps'):.2f} (no goal)")
rounds = sorted({r["round"] for r in rows if r["mode"] == "fresh_staged"})
for m in ["conditional", "fresh"]:
    per = [float(next(r["rps"] for r in by[m + "_staged"] if r["round"] == k)) /
           float(next(r["rps"] for r in by[m] if r["round"] == k)) for k in rounds]
    print(f"{m} staged / flat = {mean(m + '_staged','rps') / mean(m,'rps'):.2f} "
          f"(per round {', '.join(f'{x:.2f}' for x in per)}; goal >= 0.95)")
PY
