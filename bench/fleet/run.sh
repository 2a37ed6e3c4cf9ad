#!/usr/bin/env bash
# Fleet benchmark of issue 5: terminals in mixed states (up to date, 1 behind, k behind, rebuilt
# template with equal version numbers, broken, empty) against a running server through the real
# API; prints, for the version-number comparison (prior art), always full, patent, catch-up and
# the oracle minimum, the wrong decisions and the bytes to move.
# The server runs from bin/voi-server on the embedded database (H2), as a newcomer runs it.
# Then the staged-rollout scenario (issue "groups, staged rollouts and maintenance windows"): a bad
# diff published on two images of the same fleet, one without and one with a rollout plan; how many
# terminals ever received it.
# Usage: bench/fleet/run.sh [terminals per state=50] [canary-scenario fleet=200]
# Needs: qemu-img, qemu-io, curl.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
per_state=${1:-50}
canary_fleet=${2:-200}
work=$root/target/bench-fleet
# A free port of our own (another server on a fixed port would answer our requests).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token=bench-admin-token
rm -rf "$work" && mkdir -p "$work/files"
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

echo "== starting the server (embedded database)" >&2
(cd "$work" && VOI_HTTP_PORT=$port VOI_ADMIN_TOKEN=$token VOI_DATA_DIR=$work/data \
  VOI_JAVA_OPTS="-Xmx1g" exec "$root/bin/voi-server" > "$work/server.log" 2>&1) &
server_pid=$!
for _ in $(seq 1 240); do
  grep -q "voi-server: listening" "$work/server.log" && break
  kill -0 "$server_pid" 2>/dev/null || { echo "the server exited; see $work/server.log" >&2; exit 1; }
  sleep 1
done
grep -q "voi-server: listening" "$work/server.log" || { echo "not ready" >&2; exit 1; }

json_api=$(find ~/.m2/repository/jakarta/json/jakarta.json-api/2.1.3 -name '*.jar' | head -n 1)
parsson=$(find ~/.m2/repository/org/eclipse/parsson/parsson/1.1.7 -name '*.jar' | head -n 1)
echo "== the fleet" >&2
java -cp "$json_api:$parsson:$root/target/classes" "$root/bench/fleet/src/FleetBench.java" \
  "http://127.0.0.1:$port" "$token" "$work/files" "$per_state" "$canary_fleet"
