package dev.voi.qcow2;

import java.util.Arrays;

/**
 * One qcow2 header extension: a big-endian {@code u32} type, a {@code u32} length and the data,
 * padded with zeros to a multiple of 8 bytes.
 *
 * @param type the extension type (the end marker, type 0, is not listed as an extension)
 * @param offset where the extension's 8-byte type/length header starts in the file
 * @param data the data, without padding
 */
public record HeaderExtension(int type, int offset, byte[] data) {

  public static final int END_MARKER = 0;
  public static final int BACKING_FORMAT = 0xE2792ACA;
  public static final int FEATURE_NAME_TABLE = 0x6803F857;
  public static final int BITMAPS = 0x23852875;
  public static final int FULL_DISK_ENCRYPTION = 0x0537BE77;
  public static final int EXTERNAL_DATA_FILE = 0x44415441;

  /** Ours: the 64-byte {@link dev.voi.chain.StampRecord}, "VOI1" in ASCII. */
  public static final int VOI_STAMP = 0x564F4931;

  /** The 8-byte type and length in front of the data. */
  public static final int HEADER_SIZE = 8;

  public HeaderExtension {
    data = data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  /** The length field: data bytes without padding. */
  public int length() {
    return data.length;
  }

  /** Type/length header plus data plus padding: how far the next extension starts behind this. */
  public int paddedSize() {
    return HEADER_SIZE + padTo8(data.length);
  }

  static int padTo8(int length) {
    return (length + 7) & ~7;
  }

  /** The type as qemu's documentation writes it, with its name where known. */
  public static String describe(int type) {
    String hex = String.format("0x%08x", type);
    return switch (type) {
      case BACKING_FORMAT -> hex + " (backing format)";
      case FEATURE_NAME_TABLE -> hex + " (feature name table)";
      case BITMAPS -> hex + " (bitmaps)";
      case FULL_DISK_ENCRYPTION -> hex + " (full disk encryption)";
      case EXTERNAL_DATA_FILE -> hex + " (external data file)";
      case VOI_STAMP -> hex + " (VOI stamp)";
      default -> hex;
    };
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof HeaderExtension that
        && type == that.type
        && offset == that.offset
        && Arrays.equals(data, that.data);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * type + offset) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "HeaderExtension[" + describe(type) + " at " + offset + ", " + data.length + " bytes]";
  }
}
