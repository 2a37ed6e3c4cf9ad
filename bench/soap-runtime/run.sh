#!/bin/bash
# Apache CXF vs Eclipse Metro in a WAR on Payara Micro: WAR size and start time to the first
# served WSDL, with one minimal endpoint (bench/RESULTS.md, "SOAP runtime").
# Usage: bench/soap-runtime/run.sh [rounds=3]   (needs the payara-micro jar in ~/.m2)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rounds=${1:-3}
micro=$(ls ~/.m2/repository/fish/payara/extras/payara-micro/6.2025.10/payara-micro-6.2025.10.jar)
work=$(mktemp -d)
port=18183
for rt in none metro cxf; do
  (cd "$here/$rt" && mvn -B -q package)
  ls -l "$here/$rt/target/soap-$rt.war" | awk -v rt=$rt '{print rt, "war bytes", $5}'
done
for r in $(seq 1 "$rounds"); do
  for rt in none metro cxf; do
    war="$here/$rt/target/soap-$rt.war"
    start=$(date +%s.%N)
    java -Xmx1g -Djava.io.tmpdir="$work" -jar "$micro" --nocluster --port $port --deploy "$war" \
      > "$work/$rt.log" 2>&1 &
    pid=$!
    code=000
    for i in $(seq 1 900); do
      code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/soap-$rt/soap/v1?wsdl" || true)
      [ "$code" = 200 ] && break
      sleep 0.2
    done
    end=$(date +%s.%N)
    deployed=$(grep -o "soap-$rt was successfully deployed in [0-9,]* milliseconds" "$work/$rt.log" || true)
    echo "round $r $rt wsdl=$code start_to_wsdl=$(echo "$end - $start" | bc)s ($deployed)"
    kill -9 $pid; wait $pid 2>/dev/null || true
    sleep 2
  done
done
