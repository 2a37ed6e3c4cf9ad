# The benchmarks' scripts make their qcow2 files through these functions only (their Java code
# goes through dev.voi.agent.QemuImg.exec, as the tests and the agent do). Source it:
#   source "$root/bench/qemu.sh"
# Needs qemu-img and qemu-io (apt-get install -y --no-install-recommends qemu-utils).

# Fails with an install hint when a QEMU tool is missing.
qemu_require() {
  local tool
  for tool in qemu-img qemu-io; do
    command -v "$tool" > /dev/null ||
      { echo "$tool is required (apt-get install -y --no-install-recommends qemu-utils)" >&2; return 1; }
  done
}

# qemu_base FILE SIZE [PATTERN LENGTH]: a new qcow2 of SIZE, with LENGTH bytes of PATTERN written
# at offset 0 (qemu-io sizes: 64k, 1M).
qemu_base() {
  qemu-img create -q -f qcow2 "$1" "$2"
  if (( $# > 2 )); then
    qemu-io -f qcow2 -c "write -P $3 0 $4" "$1" > /dev/null
  fi
}

# qemu_diff FILE BACKING [PATTERN LENGTH]: a qcow2 on BACKING (a name relative to FILE's folder,
# as the server's layers name their parents), with LENGTH bytes of PATTERN at offset 0.
qemu_diff() {
  qemu-img create -q -f qcow2 -F qcow2 -b "$2" "$1"
  if (( $# > 2 )); then
    qemu-io -f qcow2 -c "write -P $3 0 $4" "$1" > /dev/null
  fi
}

# qemu_from_raw RAW FILE: the raw disk RAW converted to the qcow2 FILE (every byte allocated).
qemu_from_raw() {
  qemu-img convert -q -f raw -O qcow2 "$1" "$2"
}

# qemu_check FILE: qemu-img check, quiet when clean.
qemu_check() {
  qemu-img check -q "$1"
}
