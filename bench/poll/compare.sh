#!/usr/bin/env bash
# Poll benchmark, before vs after a change, in one run (issue "metrics"): two servers built from
# two commits run side by side, each on a database of its own holding the same fleet (one image of
# a base and two diffs, N terminals one layer behind, copied in SQL), and wrk measures them in
# turns, before, after, after, before, … (ABBA, so that a drift of the machine's load over the run
# weighs on both alike), after a warm-up in which every terminal polled both at least once: conditional polls (If-None-Match matches, 304) and fresh polls (200 and the
# answer), every poll a different terminal's. Each round pair gives a ratio after / before; the
# script prints their median and range per mode, and the load average at the start and the end.
# Usage: [FIRST=after] bench/poll/compare.sh [before-commit=HEAD~1] [terminals=10000] [seconds=15] [rounds=6]
#        [connections=16]
# The before WAR is built in a temporary git worktree (removed afterwards); the after WAR is the
# working tree's. Needs: wrk, qemu-img, qemu-io, curl, psql, python3, PostgreSQL on 127.0.0.1:5432.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$root/bench/qemu.sh"
qemu_require
here=$root/bench/poll
before_commit=$(git -C "$root" rev-parse "${1:-HEAD~1}")
terminals=${2:-10000}
seconds=${3:-15}
rounds=${4:-6}
connections=${5:-16}
work=$root/target/bench-poll-compare
admin=bench-admin-token

rm -rf "$work" && mkdir -p "$work/files"
declare -A pid port
source_tree=

cleanup() {
  local status=$?
  for side in "${!pid[@]}"; do
    kill -TERM "${pid[$side]}" 2>/dev/null || true
    wait "${pid[$side]}" 2>/dev/null || true
  done
  if [[ -n $source_tree ]]; then
    git -C "$root" worktree remove --force "$source_tree" 2>/dev/null || true
  fi
  exit "$status"
}
trap cleanup EXIT

echo "== building after (the working tree) and before ($before_commit, a temporary worktree)" >&2
(cd "$root" && mvn -B -q -o -DskipTests -DskipITs package dependency:copy@copy-payara-micro) >&2
cp "$root/target/voi-update.war" "$work/after.war"
source_tree=$(mktemp -d /tmp/voi-bench-before.XXXXXX)
git -C "$root" worktree add -q --detach "$source_tree" "$before_commit" >&2
(cd "$source_tree" && mvn -B -q -o -DskipTests -DskipITs package) >&2
cp "$source_tree/target/voi-update.war" "$work/before.war"
git -C "$root" worktree remove --force "$source_tree"
source_tree=

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

start() { # side
  local side=$1 db=voi_bench_compare_$1
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" \
    -c "CREATE DATABASE $db" >&2
  port[$side]=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$work/$side/data"
  java -Xmx1g -Dvoi.db.url="jdbc:postgresql://127.0.0.1:5432/$db?user=postgres" \
    -Dvoi.admin.token=$admin -Dvoi.data.dir="$work/$side/data" \
    -jar "$root/target/payara-micro.jar" --deploy "$work/$side.war" --contextroot / \
    --port "${port[$side]}" --nocluster --disablephonehome > "$work/$side/server.log" 2>&1 &
  pid[$side]=$!
}

ready() { # side
  local side=$1
  for _ in $(seq 1 300); do
    curl -sf -o /dev/null "http://127.0.0.1:${port[$side]}/health/ready" && return 0
    kill -0 "${pid[$side]}" 2>/dev/null || { echo "$side exited; see $work/$side/server.log" >&2; exit 1; }
    sleep 1
  done
  echo "$side not ready; see $work/$side/server.log" >&2
  exit 1
}

fleet() { # side: the image, a seed terminal one layer behind, $terminals copies of it in SQL
  local side=$1 db=voi_bench_compare_$1 api="http://127.0.0.1:${port[$1]}/api/v1"
  local files=$work/$side/files tip tip_file
  local -a checksums
  mkdir -p "$files"
  cp "$work/files/base.qcow2" "$files/"
  curl -sf -H "Authorization: Bearer $admin" -o "$files/image.json" \
    -H "Content-Type: application/octet-stream" --data-binary @"$files/base.qcow2" \
    "$api/images?name=bench&version=1"
  tip=$(json "d['tip']['checksum']" < "$files/image.json")
  tip_file=$(json "d['layers'][0]['fileName']" < "$files/image.json")
  checksums=("$tip")
  for k in 1 2; do
    # A diff is made on the tip as downloaded, under the name the server gave it.
    curl -sf -H "Authorization: Bearer $admin" -o "$files/$tip_file" \
      "$api/images/bench/layers/$tip/content"
    (cd "$files" && qemu_diff "diff$k.qcow2" "$tip_file" $((k + 1)) 1M)
    curl -sf -H "Authorization: Bearer $admin" -o "$files/layer.json" \
      -H "Content-Type: application/octet-stream" --data-binary @"$files/diff$k.qcow2" \
      "$api/images/bench/layers?parent=$tip"
    tip=$(json "d['checksum']" < "$files/layer.json")
    tip_file=$(json "d['fileName']" < "$files/layer.json")
    checksums+=("$tip")
  done
  curl -sf -H "Authorization: Bearer $admin" -o "$files/seed.json" \
    -H "Content-Type: application/json" -d '{"name":"seed"}' "$api/terminals"
  local seed_id seed_token report
  seed_id=$(json "d['id']" < "$files/seed.json")
  seed_token=$(json "d['token']" < "$files/seed.json")
  curl -sf -o /dev/null -H "Authorization: Bearer $admin" -X PUT "$api/terminals/$seed_id/images/bench"
  report="{\"nodes\":[{\"head\":\"${checksums[0]}\",\"tail\":\"${checksums[1]}\"},{\"head\":\"${checksums[1]}\",\"tail\":\"$(python3 -c 'import secrets; print(secrets.token_hex(32))')\"}]}"
  curl -sf -D "$files/headers" -o "$files/answer.json" -X PUT -H "Authorization: Bearer $seed_token" \
    -H "Content-Type: application/json" -d "$report" "$api/terminals/$seed_id/images/bench/chain"
  etag[$side]=$(tr -d '\r' < "$files/headers" | awk 'tolower($1) == "etag:" { print $2 }')
  echo "   $side: $(cat "$files/answer.json") ETag ${etag[$side]}" >&2
  psql -q -h 127.0.0.1 -U postgres -d "$db" -v ON_ERROR_STOP=1 <<SQL >&2
INSERT INTO terminal (name, token_hash, created_at)
SELECT 'bench-' || i, encode(sha256(convert_to('voit_bench_' || i, 'UTF8')), 'hex'), now()
FROM generate_series(1, $terminals) AS i;
INSERT INTO assignment (terminal_id, image_id, assigned_at, reported_nodes, reported_layers,
    reported_at, reported_tip, strategy, reason, policy, move_count, diverged_at, keep_layers,
    total_bytes, answer_hash, answer_revision, decided_at, version, group_name)
SELECT t.id, s.image_id, now(), s.reported_nodes, s.reported_layers, now(), s.reported_tip,
    s.strategy, s.reason, s.policy, s.move_count, s.diverged_at, s.keep_layers, s.total_bytes,
    s.answer_hash, s.answer_revision, now(), 0, s.group_name
FROM terminal t CROSS JOIN (SELECT * FROM assignment WHERE terminal_id = $seed_id) s
WHERE t.name LIKE 'bench-%';
ANALYZE;
SQL
  psql -At -F ' ' -h 127.0.0.1 -U postgres -d "$db" \
    -c "SELECT id, 'voit_bench_' || substr(name, 7) FROM terminal WHERE name LIKE 'bench-%' ORDER BY id" \
    > "$work/$side/terminals.txt"
}

declare -A etag
echo "== two servers: before and after" >&2
# FIRST=after starts, fills and warms the after server first (to see whether the order matters).
if [[ ${FIRST:-before} == after ]]; then sides="after before"; else sides="before after"; fi
for side in $sides; do start "$side"; done
for side in $sides; do ready "$side"; done
echo "== one image (a base and two diffs, qemu-img) and $terminals terminals one layer behind, on each" >&2
(cd "$work/files" && qemu_base base.qcow2 64M 1 1M)
for side in $sides; do fleet "$side"; done

run() { # side mode seconds
  wrk -t2 -c"$connections" -d"$3"s --latency -s "$here/poll.lua" "http://127.0.0.1:${port[$1]}" -- \
    "$2" "$work/$1/terminals.txt" bench "${etag[$1]}" | grep '^RESULT' | sed "s/^RESULT/RESULT side=$1/"
}

requests() { sed -E 's/.*requests=([0-9]+).*/\1/' <<< "$1"; }

echo "== warm-up: every terminal polls each server (answers held in memory), then the JIT" >&2
for side in $sides; do
  covered=0
  while (( covered < terminals * 12 / 10 )); do
    line=$(run "$side" conditional 20)
    echo "$line" | tee -a "$work/warmup.txt" >&2
    covered=$(( covered + $(requests "$line") ))
  done
done
for _ in 1 2; do
  for side in $sides; do
    for mode in fresh conditional; do
      run "$side" "$mode" "${WARM_SECONDS:-10}" | tee -a "$work/warmup.txt" >&2
    done
  done
done

echo "== measuring: $rounds rounds of ${seconds}s per mode and side, wrk -t2 -c$connections" >&2
load_start="$(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%FT%TZ)"
echo "   load average $load_start" >&2
: > "$work/results.txt"
for round in $(seq 1 "$rounds"); do
  if (( round % 2 )); then order="before after"; else order="after before"; fi
  for mode in conditional fresh; do
    for side in $order; do
      run "$side" "$mode" "$seconds" | sed "s/^RESULT/RESULT round=$round/" |
        tee -a "$work/results.txt" >&2
    done
  done
done
load_end="$(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%FT%TZ)"
echo "   load average $load_end" >&2

python3 - "$work/results.txt" "$terminals" "$connections" "$load_start" "$load_end" <<'PY'
import sys, statistics
rows = [dict(kv.split("=", 1) for kv in line.split()[1:]) for line in open(sys.argv[1])]
print(f"terminals={sys.argv[2]} connections={sys.argv[3]}")
print(f"load average {sys.argv[4]} (start), {sys.argv[5]} (end)")
print("| mode | side | req/s per round | mean req/s | p50 ms | p99 ms | unexpected | errors |")
print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
for mode in ["conditional", "fresh"]:
    for side in ["before", "after"]:
        rs = [r for r in rows if r["mode"] == mode and r["side"] == side]
        print(f"| {mode} | {side} | {', '.join('%.0f' % float(r['rps']) for r in rs)} | "
              f"{statistics.mean(float(r['rps']) for r in rs):.0f} | "
              f"{statistics.mean(float(r['p50_ms']) for r in rs):.2f} | "
              f"{statistics.mean(float(r['p99_ms']) for r in rs):.2f} | "
              f"{sum(int(r['unexpected']) for r in rs)} | {sum(int(r['errors']) for r in rs)} |")
print()
for mode in ["conditional", "fresh"]:
    ratios = []
    for k in sorted({r["round"] for r in rows}, key=int):
        b = next(float(r["rps"]) for r in rows if r["mode"] == mode and r["side"] == "before" and r["round"] == k)
        a = next(float(r["rps"]) for r in rows if r["mode"] == mode and r["side"] == "after" and r["round"] == k)
        ratios.append(a / b)
    mean_ratio = (statistics.mean(float(r["rps"]) for r in rows if r["mode"] == mode and r["side"] == "after") /
                  statistics.mean(float(r["rps"]) for r in rows if r["mode"] == mode and r["side"] == "before"))
    print(f"{mode}: after / before = {mean_ratio:.3f} (means); per round "
          f"{', '.join('%.3f' % x for x in ratios)}, median {statistics.median(ratios):.3f} (goal >= 0.97)")
PY
