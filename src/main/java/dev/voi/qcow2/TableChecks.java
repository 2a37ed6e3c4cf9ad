package dev.voi.qcow2;

import static dev.voi.qcow2.Qcow2FormatException.malformed;

/**
 * Where the refcount table, the active L1 table and the snapshot table may lie: inside the file,
 * cluster-aligned, out of cluster 0 when in use, and within QEMU 7.2's size limits ({@code
 * qcow2_validate_table}). The header cluster itself is {@link HeaderParser}'s business.
 */
final class TableChecks {

  private static final long MAX_REFCOUNT_TABLE_BYTES = 8L << 20;
  private static final long MAX_L1_TABLE_BYTES = 32L << 20;
  private static final long MAX_SNAPSHOTS = 65536;
  private static final int SNAPSHOT_ENTRY_MIN_BYTES = 40;

  private final int clusterBits;
  private final int clusterSize;
  private final long fileLength;

  /** {@code fileLength} -1 skips the checks against the end of the file. */
  TableChecks(int clusterBits, long fileLength) {
    this.clusterBits = clusterBits;
    this.clusterSize = 1 << clusterBits;
    this.fileLength = fileLength;
  }

  void checkRefcountTable(long offset, long clusters) throws Qcow2FormatException {
    if (clusters == 0) {
      throw malformed("refcount_table_clusters", "0: the image has no refcount table");
    }
    if (clusters > MAX_REFCOUNT_TABLE_BYTES / clusterSize) {
      throw malformed("refcount_table_clusters", clusters + " clusters exceed QEMU's 8 MiB limit");
    }
    checkTable("refcount_table_offset", offset, clusters * clusterSize, true);
  }

  void checkL1Table(long offset, long entries, long size, long incompat)
      throws Qcow2FormatException {
    if (entries > MAX_L1_TABLE_BYTES / Long.BYTES) {
      throw malformed("l1_size", entries + " entries exceed QEMU's 32 MiB limit");
    }
    boolean extendedL2 = (incompat & Qcow2Header.INCOMPATIBLE_EXTENDED_L2) != 0;
    int l2Bits = clusterBits - (extendedL2 ? 4 : 3);
    int shift = clusterBits + l2Bits;
    long needed = (size >>> shift) + ((size & ((1L << shift) - 1)) != 0 ? 1 : 0);
    if (entries < needed) {
      throw malformed(
          "l1_size", entries + " entries cannot map the virtual size of " + size + " bytes");
    }
    checkTable("l1_table_offset", offset, entries * Long.BYTES, entries > 0);
  }

  void checkSnapshotTable(long offset, long count) throws Qcow2FormatException {
    if (count > MAX_SNAPSHOTS) {
      throw malformed("nb_snapshots", count + " is above QEMU's limit of 65536");
    }
    checkTable("snapshots_offset", offset, count * SNAPSHOT_ENTRY_MIN_BYTES, count > 0);
  }

  private void checkTable(String field, long offset, long length, boolean inUse)
      throws Qcow2FormatException {
    if (offset % clusterSize != 0) {
      throw malformed(field, offset + " is not a multiple of the cluster size " + clusterSize);
    }
    if (!inUse) {
      return;
    }
    if (offset < clusterSize) {
      throw malformed(field, offset + " points into cluster 0, the header");
    }
    if (offset > Long.MAX_VALUE - length) {
      throw malformed(field, "a table of " + length + " bytes at " + offset + " overflows");
    }
    if (fileLength >= 0 && offset + length > fileLength) {
      throw malformed(
          field,
          "a table of "
              + length
              + " bytes at "
              + offset
              + " runs past the end of the file ("
              + fileLength
              + " bytes)");
    }
  }
}
