package dev.voi.qcow2;

import static dev.voi.qcow2.Qcow2FormatException.refused;

/**
 * The states of a well-formed qcow2 file in which writing the header is refused (docs/design.md
 * §3). Each rule was checked against qemu-img 7.2; the reason is in the message.
 */
final class WriteGuard {

  /** With smaller clusters byte 3072 lies in cluster 1..3: L1 or refcount tables. */
  static final int MIN_CLUSTER_BITS = 12;

  private static final long KNOWN_INCOMPATIBLE_BITS = (1L << 5) - 1;

  private WriteGuard() {}

  static void check(Qcow2Header header) throws Qcow2FormatException {
    if (header.clusterBits() < MIN_CLUSTER_BITS) {
      throw refused(
          "cluster_bits",
          header.clusterBits()
              + " ("
              + header.clusterSize()
              + "-byte clusters): byte 3072 lies in an L1 or refcount table, not in the header");
    }
    if (header.cryptMethod() != 0) {
      throw refused("crypt_method", "the image is encrypted (method " + header.cryptMethod() + ")");
    }
    checkIncompatibleFeatures(header);
    if (header.hasLazyRefcounts()) {
      throw refused(
          "compatible_features",
          "lazy refcounts are on; QEMU's next clean close would wipe byte 3072"
              + " (qemu-img amend -o lazy_refcounts=off first)");
    }
  }

  private static void checkIncompatibleFeatures(Qcow2Header header) throws Qcow2FormatException {
    if (header.hasIncompatibleFeature(Qcow2Header.INCOMPATIBLE_DIRTY)) {
      throw refused(
          "incompatible_features",
          "bit 0 (dirty): the refcounts may be stale (qemu-img check -r all first)");
    }
    if (header.hasIncompatibleFeature(Qcow2Header.INCOMPATIBLE_CORRUPT)) {
      throw refused("incompatible_features", "bit 1 (corrupt): QEMU marked the image corrupt");
    }
    if (header.hasIncompatibleFeature(Qcow2Header.INCOMPATIBLE_EXTERNAL_DATA_FILE)) {
      throw refused(
          "incompatible_features", "bit 2 (external data file): the guest data is elsewhere");
    }
    long unknown = header.incompatibleFeatures() & ~KNOWN_INCOMPATIBLE_BITS;
    if (unknown != 0) {
      throw refused(
          "incompatible_features",
          "unknown bit " + Long.numberOfTrailingZeros(unknown) + " is set");
    }
  }
}
