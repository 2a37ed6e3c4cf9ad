package dev.voi.chain;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * The 64-byte stamp a published layer carries at byte 3072 and in its {@code 0x564F4931} header
 * extension (docs/design.md §3). Big-endian, like qcow2: magic {@code VOICHK01}, checksum, version,
 * depth, eight reserved zero bytes, CRC-32 of bytes 0..59.
 */
public record StampRecord(Checksum checksum, long version, int depth) {

  public static final int LENGTH = 64;
  private static final byte[] MAGIC = {'V', 'O', 'I', 'C', 'H', 'K', '0', '1'};
  private static final int CRC_OFFSET = 60;

  public StampRecord {
    Objects.requireNonNull(checksum, "checksum");
    if (version < 0) {
      throw new IllegalArgumentException("version must be non-negative, got " + version);
    }
    if (depth < 0) {
      throw new IllegalArgumentException("depth must be non-negative, got " + depth);
    }
  }

  /** The 64 bytes of the record. */
  public byte[] encode() {
    ByteBuffer buffer = ByteBuffer.allocate(LENGTH);
    buffer.put(MAGIC).put(checksum.bytes()).putLong(version).putInt(depth).putLong(0L);
    buffer.putInt((int) crcOf(buffer.array()));
    return buffer.array();
  }

  /** True when the 64 bytes start with the magic and carry a matching CRC. */
  public static boolean looksLikeRecord(byte[] bytes) {
    if (bytes == null || bytes.length != LENGTH) {
      return false;
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes[i] != MAGIC[i]) {
        return false;
      }
    }
    return ByteBuffer.wrap(bytes).getInt(CRC_OFFSET) == (int) crcOf(bytes);
  }

  /**
   * Decodes 64 bytes.
   *
   * @throws IllegalArgumentException naming the field when the magic, CRC, reserved bytes, version
   *     or depth are wrong
   */
  public static StampRecord decode(byte[] bytes) {
    if (bytes == null || bytes.length != LENGTH) {
      throw new IllegalArgumentException("stamp record: expected " + LENGTH + " bytes");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    for (int i = 0; i < MAGIC.length; i++) {
      if (buffer.get(i) != MAGIC[i]) {
        throw new IllegalArgumentException("stamp record: bad magic");
      }
    }
    if (buffer.getInt(CRC_OFFSET) != (int) crcOf(bytes)) {
      throw new IllegalArgumentException("stamp record: CRC-32 mismatch");
    }
    byte[] checksum = new byte[Checksum.LENGTH];
    buffer.position(MAGIC.length).get(checksum);
    long version = buffer.getLong();
    int depth = buffer.getInt();
    if (buffer.getLong() != 0L) {
      throw new IllegalArgumentException("stamp record: reserved bytes are not zero");
    }
    if (version < 0) {
      throw new IllegalArgumentException("stamp record: version above 2^63-1");
    }
    if (depth < 0) {
      throw new IllegalArgumentException("stamp record: depth above 2^31-1");
    }
    return new StampRecord(Checksum.ofBytes(checksum), version, depth);
  }

  private static long crcOf(byte[] record) {
    CRC32 crc = new CRC32();
    crc.update(record, 0, CRC_OFFSET);
    return crc.getValue();
  }
}
