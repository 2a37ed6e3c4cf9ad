package dev.voi.qcow2;

import static dev.voi.qcow2.HeaderExtension.describe;
import static dev.voi.qcow2.HeaderExtension.padTo8;
import static dev.voi.qcow2.Qcow2FormatException.incomplete;
import static dev.voi.qcow2.Qcow2FormatException.malformed;
import static dev.voi.qcow2.Qcow2FormatException.refused;
import static dev.voi.qcow2.Qcow2FormatException.truncated;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Reads a {@link Qcow2Header} from a prefix of the file, field by field in file order, so that a
 * short prefix or a truncated file is reported as the first field it cuts into. The limits are QEMU
 * 7.2's ({@code qcow2_do_open}, {@code qcow2_read_extensions}, {@code qcow2_validate_table}).
 */
final class HeaderParser {

  private static final int COMPRESSION_ZLIB = 0;
  private static final int COMPRESSION_ZSTD = 1;
  private static final int COMPRESSION_TYPE_OFFSET = 104;
  private static final int MAX_CRYPT_METHOD = 2;
  private static final int CRYPT_LUKS = 2;
  private static final int MAX_REFCOUNT_ORDER = 6;
  private static final int MAX_BACKING_FORMAT_LENGTH = 15;

  private final ByteBuffer bytes;
  private final long fileLength;

  HeaderParser(byte[] firstBytes, long fileLength) {
    this.bytes = ByteBuffer.wrap(firstBytes);
    this.fileLength = fileLength;
  }

  Qcow2Header parse() throws Qcow2FormatException {
    int magic = (int) u32(0, "magic");
    if (magic != Qcow2Header.MAGIC) {
      throw malformed("magic", String.format("0x%08x is not QFI\\xfb", magic));
    }
    long version = u32(4, "version");
    if (version != 2 && version != 3) {
      throw refused("version", "unsupported qcow2 version " + version + " (2 and 3 are known)");
    }
    long backingFileOffset = u64(8, "backing_file_offset");
    long backingFileSize = u32(16, "backing_file_size");
    long clusterBits = u32(20, "cluster_bits");
    if (clusterBits < Qcow2Header.MIN_CLUSTER_BITS || clusterBits > Qcow2Header.MAX_CLUSTER_BITS) {
      throw malformed("cluster_bits", clusterBits + " is outside 9..21");
    }
    int clusterSize = 1 << clusterBits;
    long size = u64(24, "size");
    long cryptMethod = u32(32, "crypt_method");
    if (cryptMethod > MAX_CRYPT_METHOD) {
      throw malformed("crypt_method", "unknown encryption method " + cryptMethod);
    }
    long l1Size = u32(36, "l1_size");
    long l1TableOffset = u64(40, "l1_table_offset");
    long refcountTableOffset = u64(48, "refcount_table_offset");
    long refcountTableClusters = u32(56, "refcount_table_clusters");
    long nbSnapshots = u32(60, "nb_snapshots");
    long snapshotsOffset = u64(64, "snapshots_offset");

    long incompatible = 0;
    long compatible = 0;
    long autoclear = 0;
    long refcountOrder = 4;
    long headerLength = Qcow2Header.V2_HEADER_LENGTH;
    OptionalInt compressionType = OptionalInt.empty();
    if (version == 3) {
      incompatible = bits(72, "incompatible_features");
      compatible = bits(80, "compatible_features");
      autoclear = bits(88, "autoclear_features");
      refcountOrder = u32(96, "refcount_order");
      if (refcountOrder > MAX_REFCOUNT_ORDER) {
        throw malformed("refcount_order", refcountOrder + " is above 6 (64-bit refcounts)");
      }
      headerLength = u32(100, "header_length");
      checkHeaderLength(headerLength, clusterSize);
      if (headerLength > COMPRESSION_TYPE_OFFSET) {
        require(COMPRESSION_TYPE_OFFSET + 1, "compression_type", "");
        compressionType = OptionalInt.of(Byte.toUnsignedInt(bytes.get(COMPRESSION_TYPE_OFFSET)));
      }
      checkCompressionType(compressionType.orElse(COMPRESSION_ZLIB), incompatible);
    }

    checkBackingFileFields(backingFileOffset, backingFileSize, headerLength, clusterSize);
    long extensionAreaEnd = backingFileOffset != 0 ? backingFileOffset : clusterSize;
    List<HeaderExtension> extensions = new ArrayList<>();
    String extensionLimit =
        backingFileOffset != 0
            ? "the backing file name at " + backingFileOffset
            : "the end of cluster 0";
    int endMarkerOffset =
        readExtensions(
            (int) headerLength,
            (int) extensionAreaEnd,
            extensionLimit,
            (int) cryptMethod,
            extensions);
    Optional<String> backingFile = readBackingFileName(backingFileOffset, (int) backingFileSize);

    if (fileLength >= 0 && fileLength < clusterSize) {
      throw truncated("header_cluster", " (" + clusterSize + " bytes)", fileLength);
    }
    TableChecks tables = new TableChecks((int) clusterBits, fileLength);
    tables.checkRefcountTable(refcountTableOffset, refcountTableClusters);
    tables.checkL1Table(l1TableOffset, l1Size, size, incompatible);
    tables.checkSnapshotTable(snapshotsOffset, nbSnapshots);

    return new Qcow2Header(
        magic,
        (int) version,
        backingFileOffset,
        (int) backingFileSize,
        (int) clusterBits,
        size,
        (int) cryptMethod,
        (int) l1Size,
        l1TableOffset,
        refcountTableOffset,
        (int) refcountTableClusters,
        (int) nbSnapshots,
        snapshotsOffset,
        incompatible,
        compatible,
        autoclear,
        (int) refcountOrder,
        (int) headerLength,
        compressionType,
        extensions,
        endMarkerOffset,
        backingFile);
  }

  private static void checkHeaderLength(long headerLength, int clusterSize)
      throws Qcow2FormatException {
    if (headerLength < Qcow2Header.V3_MIN_HEADER_LENGTH) {
      throw malformed("header_length", headerLength + " is below 104 for a version 3 header");
    }
    if (headerLength % 8 != 0) {
      throw malformed("header_length", headerLength + " is not a multiple of 8");
    }
    if (headerLength > clusterSize) {
      throw malformed("header_length", headerLength + " exceeds the cluster size " + clusterSize);
    }
  }

  private static void checkCompressionType(int type, long incompatible)
      throws Qcow2FormatException {
    boolean flagged = (incompatible & Qcow2Header.INCOMPATIBLE_COMPRESSION_TYPE) != 0;
    if (type == COMPRESSION_ZLIB && flagged) {
      throw malformed(
          "compression_type", "zlib (0) with the compression type incompatible bit set");
    }
    if (type == COMPRESSION_ZSTD && !flagged) {
      throw malformed("compression_type", "zstd (1) without the compression type incompatible bit");
    }
    if (type != COMPRESSION_ZLIB && type != COMPRESSION_ZSTD) {
      throw malformed("compression_type", "unknown compression type " + type);
    }
  }

  private static void checkBackingFileFields(
      long offset, long size, long headerLength, int clusterSize) throws Qcow2FormatException {
    if (offset > clusterSize) {
      throw malformed("backing_file_offset", offset + " lies beyond cluster 0");
    }
    if (offset == 0) {
      return;
    }
    if (offset < headerLength) {
      throw malformed(
          "backing_file_offset", offset + " lies inside the header of " + headerLength + " bytes");
    }
    if (size == 0) {
      throw malformed("backing_file_size", "0 with a backing_file_offset of " + offset);
    }
    if (size > Qcow2Header.MAX_BACKING_FILE_NAME) {
      throw malformed("backing_file_size", size + " is above 1023");
    }
    if (offset + size > clusterSize) {
      throw malformed("backing_file_size", "the name at " + offset + " runs past cluster 0");
    }
  }

  /** Walks the extensions from the end of the header; returns where the end marker starts. */
  private int readExtensions(
      int start, int areaEnd, String limit, int cryptMethod, List<HeaderExtension> out)
      throws Qcow2FormatException {
    Set<Integer> seen = new HashSet<>();
    int position = start;
    while (true) {
      if (position + HeaderExtension.HEADER_SIZE > areaEnd) {
        throw malformed("header_extension_end", "no end marker before " + limit);
      }
      require(position + HeaderExtension.HEADER_SIZE, "header_extension", " at byte " + position);
      int type = bytes.getInt(position);
      long length = Integer.toUnsignedLong(bytes.getInt(position + 4));
      if (type == HeaderExtension.END_MARKER) {
        return position;
      }
      int dataStart = position + HeaderExtension.HEADER_SIZE;
      String where = describe(type) + " at byte " + position;
      if (length > areaEnd - dataStart || padTo8((int) length) > areaEnd - dataStart) {
        throw malformed("header_extension", where + ": length " + length + " overruns " + limit);
      }
      if (!seen.add(type)) {
        throw malformed("header_extension", where + " occurs twice");
      }
      require(dataStart + length, "header_extension", " " + where);
      byte[] data = new byte[(int) length];
      bytes.get(dataStart, data);
      checkKnownExtension(type, data, cryptMethod, where);
      out.add(new HeaderExtension(type, position, data));
      position = dataStart + padTo8((int) length);
    }
  }

  private static void checkKnownExtension(int type, byte[] data, int cryptMethod, String where)
      throws Qcow2FormatException {
    if (type == HeaderExtension.BACKING_FORMAT && data.length > MAX_BACKING_FORMAT_LENGTH) {
      throw malformed("header_extension", where + " is " + data.length + " bytes, at most 15");
    }
    if (type == HeaderExtension.FULL_DISK_ENCRYPTION && cryptMethod != CRYPT_LUKS) {
      throw malformed("header_extension", where + " without LUKS encryption (crypt_method 2)");
    }
  }

  private Optional<String> readBackingFileName(long offset, int size) throws Qcow2FormatException {
    if (offset == 0) {
      return Optional.empty();
    }
    require(offset + size, "backing_file_name", "");
    byte[] name = new byte[size];
    bytes.get((int) offset, name);
    return Optional.of(new String(name, StandardCharsets.UTF_8));
  }

  /**
   * Makes sure {@code bytes[0, end)} is there: if the file is shorter it is truncated; if only the
   * prefix is, the caller has to wait for more.
   */
  private void require(long end, String field, String context) throws Qcow2FormatException {
    if (end <= bytes.capacity()) {
      return;
    }
    if (fileLength >= 0 && end > fileLength) {
      throw truncated(field, context, fileLength);
    }
    throw incomplete(field, end);
  }

  private long u32(int offset, String field) throws Qcow2FormatException {
    require(offset + 4L, field, "");
    return Integer.toUnsignedLong(bytes.getInt(offset));
  }

  private long u64(int offset, String field) throws Qcow2FormatException {
    require(offset + 8L, field, "");
    long value = bytes.getLong(offset);
    if (value < 0) {
      throw malformed(field, Long.toUnsignedString(value) + " is above 2^63-1");
    }
    return value;
  }

  private long bits(int offset, String field) throws Qcow2FormatException {
    require(offset + 8L, field, "");
    return bytes.getLong(offset);
  }
}
