#!/usr/bin/env bash
# Structural check benchmark (bench/RESULTS.md). Usage: bench/header/structure.sh [warm runs] [cold runs]
# Needs about 2.2 GB free in target/; the two 1 GiB images are kept between runs.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
command -v qemu-img >/dev/null || { echo "qemu-img is required (apt-get install qemu-utils)" >&2; exit 1; }
mvn -q -o compile
out="$root/target/bench-structure"
mkdir -p "$out/classes"
javac -Xlint:all -d "$out/classes" -cp target/classes bench/header/src/StructureBench.java
java -cp "$out/classes:target/classes" StructureBench "$out/work" "$@"
