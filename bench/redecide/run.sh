#!/usr/bin/env bash
# Whole-fleet re-decision benchmark (bench/RESULTS.md).
# Usage: bench/redecide/run.sh [terminals=100000] [batch=2000]
# Needs a PostgreSQL at PGHOST (127.0.0.1) as postgres; (re)creates database voi_bench_redecide.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
terminals="${1:-100000}"
batch="${2:-2000}"
db=voi_bench_redecide
host="${PGHOST:-127.0.0.1}"
[ "${SKIP_COMPILE:-}" = 1 ] || mvn -q -o compile
pg="$(find ~/.m2/repository/org/postgresql/postgresql -name 'postgresql-*.jar' | sort | tail -1)"
# The answer's columns are read from its JPA mapping (answers/entity/MappedColumns).
jpa="$(find ~/.m2/repository/jakarta/persistence/jakarta.persistence-api -name 'jakarta.persistence-api-*.jar' | sort | tail -1)"
psql -q -h "$host" -U postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
for m in db/migrations/V*.sql; do psql -q -h "$host" -U postgres -d "$db" -v ON_ERROR_STOP=1 -f "$m"; done
out="$root/target/bench-redecide"
rm -rf "$out" && mkdir -p "$out/classes"
javac -Xlint:all -d "$out/classes" -cp "target/classes:$pg:$jpa" bench/redecide/src/RedecideBench.java
java -cp "$out/classes:target/classes:$pg:$jpa" RedecideBench \
  "jdbc:postgresql://$host:5432/$db?user=postgres" "$terminals" "$batch"
