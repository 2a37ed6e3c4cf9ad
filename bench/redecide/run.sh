#!/usr/bin/env bash
# Re-decision benchmark (bench/RESULTS.md): the audit's whole-fleet pass without and with a rollout
# plan (10 groups, 3 waves), and a wave advance, all with the server's SQL (FleetSql, FleetRun).
# Usage: bench/redecide/run.sh [terminals=100000] [batch=2000] [rounds=4]
# Needs a PostgreSQL at PGHOST (127.0.0.1) as postgres; (re)creates the databases
# voi_bench_redecide (flat: one group, no plan) and voi_bench_redecide_staged (10 groups, a plan).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
terminals="${1:-100000}"
batch="${2:-2000}"
rounds="${3:-4}"
host="${PGHOST:-127.0.0.1}"
[ "${SKIP_COMPILE:-}" = 1 ] || mvn -q -o compile
pg="$(find ~/.m2/repository/org/postgresql/postgresql -name 'postgresql-*.jar' | sort | tail -1)"
# The answer's columns are read from its JPA mapping (answers/entity/MappedColumns).
jpa="$(find ~/.m2/repository/jakarta/persistence/jakarta.persistence-api -name 'jakarta.persistence-api-*.jar' | sort | tail -1)"
for db in voi_bench_redecide voi_bench_redecide_staged; do
  psql -q -h "$host" -U postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  for m in db/migrations/V*.sql; do psql -q -h "$host" -U postgres -d "$db" -v ON_ERROR_STOP=1 -f "$m"; done
done
out="$root/target/bench-redecide"
rm -rf "$out" && mkdir -p "$out/classes"
javac -Xlint:all -d "$out/classes" -cp "target/classes:$pg:$jpa" bench/redecide/src/RedecideBench.java
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, $(date -u +%FT%TZ)"
java -cp "$out/classes:target/classes:$pg:$jpa" RedecideBench \
  "jdbc:postgresql://$host:5432/voi_bench_redecide?user=postgres" \
  "jdbc:postgresql://$host:5432/voi_bench_redecide_staged?user=postgres" \
  "$terminals" "$batch" "$rounds"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
