package dev.voi.qcow2;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The parsed header of a qcow2 file (QEMU {@code docs/interop/qcow2.txt}): the fixed fields, the
 * header extensions and the backing file name, all of which live in cluster 0. For version 2 the
 * version 3 fields hold the values version 2 implies (no features, {@code refcount_order} 4, {@code
 * header_length} 72).
 *
 * <p>Parsing reads only the bytes of cluster 0 it needs, never the whole file. It rejects, with a
 * {@link Qcow2FormatException} naming the field, every header-level problem QEMU 7.2 refuses to
 * open (bad magic, unknown version, cluster_bits, header_length, compression type, backing file
 * name, extension lengths, misplaced or oversized tables), and a little more: an extension list
 * without end marker, a duplicated extension type, a {@code header_length} that is not a multiple
 * of 8, a table that runs past the end of the file. It does not look inside the tables.
 *
 * @param backingFile the backing file name, present when {@code backing_file_offset} is not 0
 * @param compressionType the {@code compression_type} byte, present when {@code header_length} >
 *     104
 * @param extensions the header extensions in file order, without the end marker
 * @param endMarkerOffset where the end-of-extensions marker (type 0) starts
 */
public record Qcow2Header(
    int magic,
    int version,
    long backingFileOffset,
    int backingFileSize,
    int clusterBits,
    long size,
    int cryptMethod,
    int l1Size,
    long l1TableOffset,
    long refcountTableOffset,
    int refcountTableClusters,
    int nbSnapshots,
    long snapshotsOffset,
    long incompatibleFeatures,
    long compatibleFeatures,
    long autoclearFeatures,
    int refcountOrder,
    int headerLength,
    OptionalInt compressionType,
    List<HeaderExtension> extensions,
    int endMarkerOffset,
    Optional<String> backingFile) {

  /** {@code QFI\xfb}. */
  public static final int MAGIC = 0x514649FB;

  public static final int V2_HEADER_LENGTH = 72;
  public static final int V3_MIN_HEADER_LENGTH = 104;
  public static final int MIN_CLUSTER_BITS = 9;
  public static final int MAX_CLUSTER_BITS = 21;
  public static final int MAX_BACKING_FILE_NAME = 1023;

  public static final long INCOMPATIBLE_DIRTY = 1L;
  public static final long INCOMPATIBLE_CORRUPT = 1L << 1;
  public static final long INCOMPATIBLE_EXTERNAL_DATA_FILE = 1L << 2;
  public static final long INCOMPATIBLE_COMPRESSION_TYPE = 1L << 3;
  public static final long INCOMPATIBLE_EXTENDED_L2 = 1L << 4;
  public static final long COMPATIBLE_LAZY_REFCOUNTS = 1L;

  public Qcow2Header {
    extensions = List.copyOf(extensions);
  }

  /**
   * Parses the header from the first bytes of a file, e.g. of an upload still arriving.
   *
   * @param firstBytes the file from byte 0; more than cluster 0 is ignored
   * @param fileLength the whole file's length, or -1 while unknown (then checks against the end of
   *     the file are skipped, and a short prefix is {@link Qcow2FormatException.Kind#INCOMPLETE})
   * @throws Qcow2FormatException {@code INCOMPLETE} when {@code firstBytes} ends before the header
   *     does but the file may be longer ({@link Qcow2FormatException#bytesNeeded()} says how many
   *     bytes to wait for), {@code MALFORMED} or {@code REFUSED} (unsupported version) otherwise
   */
  public static Qcow2Header parse(byte[] firstBytes, long fileLength) throws Qcow2FormatException {
    return new HeaderParser(firstBytes, fileLength).parse();
  }

  /** Reads and parses the header of a file, without locking it. */
  public static Qcow2Header read(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return read(channel);
    }
  }

  /** Reads and parses the header through positional reads of cluster 0 only. */
  public static Qcow2Header read(FileChannel channel) throws IOException {
    return HeaderPrefix.read(channel, 0).header();
  }

  public int clusterSize() {
    return 1 << clusterBits;
  }

  public boolean hasBackingFile() {
    return backingFileOffset != 0;
  }

  /** The backing format extension's string ({@code qcow2}, {@code raw}, …) if there is one. */
  public Optional<String> backingFormat() {
    return extension(HeaderExtension.BACKING_FORMAT)
        .map(e -> new String(e.data(), StandardCharsets.UTF_8));
  }

  /** The extension of that type, if present (each type occurs at most once). */
  public Optional<HeaderExtension> extension(int type) {
    return extensions.stream().filter(e -> e.type() == type).findFirst();
  }

  /** The first byte behind the end marker. */
  public int extensionsEnd() {
    return endMarkerOffset + HeaderExtension.HEADER_SIZE;
  }

  /** The first byte behind the header, the extensions and the backing file name. */
  public int layoutEnd() {
    long backingEnd = hasBackingFile() ? backingFileOffset + backingFileSize : 0;
    return (int) Math.max(extensionsEnd(), backingEnd);
  }

  public boolean hasIncompatibleFeature(long bit) {
    return (incompatibleFeatures & bit) != 0;
  }

  public boolean hasLazyRefcounts() {
    return (compatibleFeatures & COMPATIBLE_LAZY_REFCOUNTS) != 0;
  }
}
