package dev.voi.qcow2;

import static dev.voi.qcow2.MetadataReader.hex;
import static dev.voi.qcow2.Qcow2FormatException.malformed;

/**
 * Where a table or cluster may lie: cluster-aligned and inside the file. A failure names the field
 * (the table or cluster at fault) and says which entry pointed there; the entry is only turned into
 * text for the message, not for each of the millions of entries that pass.
 */
final class Placement {

  /** Entry {@code index} of a table, for messages. */
  record Entry(long index, String table, long tableOffset) {
    @Override
    public String toString() {
      return "entry " + index + " of " + table + " at " + hex(tableOffset);
    }
  }

  private final int clusterSize;
  private final long fileLength;

  Placement(int clusterSize, long fileLength) {
    this.clusterSize = clusterSize;
    this.fileLength = fileLength;
  }

  long fileLength() {
    return fileLength;
  }

  void requireAligned(long offset, String field, String subject) throws Qcow2FormatException {
    requireAligned(offset, field, subject, null);
  }

  /** {@code what} at {@code offset}, named by {@code where}, must start a cluster. */
  void requireAligned(long offset, String field, Object where, String what)
      throws Qcow2FormatException {
    if (offset < 0 || (offset & (clusterSize - 1)) != 0) {
      throw malformed(
          field, subject(where, what) + " at " + hex(offset) + " is not cluster-aligned");
    }
  }

  void requireInside(long offset, long length, String field, String subject)
      throws Qcow2FormatException {
    requireInside(offset, length, field, subject, null);
  }

  /** {@code what}, {@code length} bytes at {@code offset}, must end inside the file. */
  void requireInside(long offset, long length, String field, Object where, String what)
      throws Qcow2FormatException {
    if (offset < 0 || length < 0 || offset > fileLength - length) {
      throw malformed(
          field,
          subject(where, what)
              + " at "
              + hex(offset)
              + " ("
              + length
              + " bytes) runs past the end of the file ("
              + fileLength
              + " bytes)");
    }
  }

  private static String subject(Object where, String what) {
    return what == null ? where.toString() : where + ": " + what;
  }
}
