package dev.voi.qcow2;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Byte surgery on qcow2 headers for fixtures, written independently of the code under test: plain
 * offsets from qcow2.txt.
 */
final class RawHeader {

  private RawHeader() {}

  static byte[] firstBytes(Path file, int length) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      byte[] bytes = new byte[(int) Math.min(length, raf.length())];
      raf.readFully(bytes);
      return bytes;
    }
  }

  static void writeAt(Path file, long offset, byte[] bytes) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      raf.write(bytes);
    }
  }

  static void putU32(Path file, long offset, long value) throws IOException {
    writeAt(file, offset, ByteBuffer.allocate(4).putInt((int) value).array());
  }

  static void putU64(Path file, long offset, long value) throws IOException {
    writeAt(file, offset, ByteBuffer.allocate(8).putLong(value).array());
  }

  static byte[] withU32(byte[] header, int offset, long value) {
    byte[] copy = header.clone();
    ByteBuffer.wrap(copy).putInt(offset, (int) value);
    return copy;
  }

  static byte[] withU64(byte[] header, int offset, long value) {
    byte[] copy = header.clone();
    ByteBuffer.wrap(copy).putLong(offset, value);
    return copy;
  }

  static long u32(byte[] header, int offset) {
    return Integer.toUnsignedLong(ByteBuffer.wrap(header).getInt(offset));
  }

  static long u64(byte[] header, int offset) {
    return ByteBuffer.wrap(header).getLong(offset);
  }

  static int headerLength(byte[] header) {
    return u32(header, 4) == 2 ? 72 : (int) u32(header, 100);
  }

  /** Where the end-of-extensions marker starts. */
  static int endMarker(byte[] header) {
    int position = headerLength(header);
    while (u32(header, position) != 0) {
      position += 8 + (int) ((u32(header, position + 4) + 7) & ~7);
    }
    return position;
  }

  /** Offset of the extension of that type, or -1. */
  static int findExtension(byte[] header, int type) {
    int position = headerLength(header);
    while (u32(header, position) != 0) {
      if ((int) u32(header, position) == type) {
        return position;
      }
      position += 8 + (int) ((u32(header, position + 4) + 7) & ~7);
    }
    return -1;
  }

  static int countExtensions(byte[] header, int type) {
    int count = 0;
    int position = headerLength(header);
    while (u32(header, position) != 0) {
      count += (int) u32(header, position) == type ? 1 : 0;
      position += 8 + (int) ((u32(header, position + 4) + 7) & ~7);
    }
    return count;
  }

  /**
   * Rebuilds the extension area the way QEMU lays it out: extensions (with {@code extra} spliced in
   * before the end marker, or the one at {@code dropOffset} left out), end marker, backing name.
   */
  static byte[] rebuilt(byte[] header, byte[] extra, int dropOffset) {
    ByteBuffer in = ByteBuffer.wrap(header);
    int end = endMarker(header);
    long nameOffset = in.getLong(8);
    int nameSize = (int) u32(header, 16);
    byte[] name =
        nameOffset == 0
            ? new byte[0]
            : Arrays.copyOfRange(header, (int) nameOffset, (int) nameOffset + nameSize);
    ByteBuffer out = ByteBuffer.allocate(header.length);
    int headerLength = headerLength(header);
    out.put(header, 0, headerLength);
    int position = headerLength;
    while (position < end) {
      int size = 8 + (int) ((u32(header, position + 4) + 7) & ~7);
      if (position != dropOffset) {
        out.put(header, position, size);
      }
      position += size;
    }
    out.put(extra);
    out.put(new byte[8]);
    if (nameOffset != 0) {
      out.putLong(8, out.position());
      out.put(name);
    }
    return out.array();
  }

  static byte[] extension(int type, byte[] data) {
    ByteBuffer out = ByteBuffer.allocate(8 + ((data.length + 7) & ~7));
    return out.putInt(type).putInt(data.length).put(data).array();
  }

  static String sha256(Path file) throws IOException {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
