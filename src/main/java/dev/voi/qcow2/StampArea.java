package dev.voi.qcow2;

import dev.voi.chain.StampRecord;
import java.util.Arrays;

/** The 64 bytes at offset 3072 of cluster 0, where the patent puts the stamp record. */
final class StampArea {

  static final int OFFSET = 3072;
  static final int END = OFFSET + StampRecord.LENGTH;
  static final String FIELD = "stamp_record_3072";

  /** What the 64 bytes hold. */
  enum Content {
    ZERO,
    RECORD,
    FOREIGN
  }

  private StampArea() {}

  /**
   * True when byte 3072 lies in cluster 0 behind the header: with clusters under 4 KiB it is in an
   * L1 or refcount table, and a header that reaches past it owns those bytes.
   */
  static boolean isFree(Qcow2Header header) {
    return header.clusterSize() >= END && header.layoutEnd() <= OFFSET;
  }

  static byte[] bytesOf(byte[] prefix) {
    return Arrays.copyOfRange(prefix, OFFSET, END);
  }

  static Content classify(byte[] area) {
    boolean zero = true;
    for (byte b : area) {
      zero &= b == 0;
    }
    if (zero) {
      return Content.ZERO;
    }
    return StampRecord.looksLikeRecord(area) ? Content.RECORD : Content.FOREIGN;
  }

  static StampRecord decode(byte[] area, String field) throws Qcow2FormatException {
    if (!StampRecord.looksLikeRecord(area)) {
      throw Qcow2FormatException.malformed(field, "not a VOICHK01 record with a valid CRC-32");
    }
    try {
      return StampRecord.decode(area);
    } catch (IllegalArgumentException e) {
      throw Qcow2FormatException.malformed(field, e.getMessage());
    }
  }

  /** The record in a {@code 0x564F4931} header extension. */
  static StampRecord decodeExtension(HeaderExtension extension) throws Qcow2FormatException {
    if (extension.length() != StampRecord.LENGTH) {
      throw Qcow2FormatException.malformed(
          "stamp_extension",
          "extension at byte "
              + extension.offset()
              + " is "
              + extension.length()
              + " bytes, not 64");
    }
    return decode(extension.data(), "stamp_extension");
  }
}
