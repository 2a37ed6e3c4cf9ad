#!/usr/bin/env bash
# Header read+validate+stamp benchmark (bench/RESULTS.md). Usage: bench/header/run.sh [iterations] [warm-up]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
source "$root/bench/qemu.sh"
qemu_require
mvn -q -o compile
out="$root/target/bench-header"
rm -rf "$out" && mkdir -p "$out/classes"
javac -Xlint:all -d "$out/classes" -cp target/classes bench/header/src/HeaderBench.java
java -cp "$out/classes:target/classes" HeaderBench "$out/work" "$@"
echo "disk usage (allocated vs apparent):"
du -h "$out/work"/*.qcow2 | sed 's/^/  allocated /'
du -h --apparent-size "$out/work"/*.qcow2 | sed 's/^/  apparent  /'
