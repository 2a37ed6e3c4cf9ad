package dev.voi.qcow2;

import static dev.voi.qcow2.MetadataReader.hex;
import static dev.voi.qcow2.Qcow2FormatException.malformed;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Checks that every table of a qcow2 file, and every cluster those tables reference, lies inside
 * the file and is aligned, and that the reserved bits {@code qemu-img check} (QEMU 7.2) counts as
 * corruption are clear: what a truncated or damaged upload gets wrong while its header is fine.
 *
 * <p>Only metadata is read, with positional reads in chunks of up to 1 MiB: the refcount table (not
 * the refcount blocks, whose position is all that is checked), the active L1 table, every distinct
 * L2 table the L1 tables reference (once each, in file order), the snapshot table and each
 * snapshot's L1 table, and the bitmap directory with its bitmap tables; the LUKS header of an
 * encrypted image is checked by its position. Data clusters are checked by the offsets their L2
 * entries give, never read. A file whose metadata would cost more than {@link #budget(long)} bytes
 * to read is refused.
 *
 * <p>Where QEMU and this check differ, this check is stricter, on purpose: {@code qemu-img check}
 * accepts a reference that runs less than one cluster past the end of the file ("the last cluster
 * may be semi-allocated") and reads zeros there. That tolerance passes a file whose 8-byte L1 table
 * was cut away, i.e. a file that lost all its data. Here a table must lie wholly inside the file, a
 * standard data cluster up to the end of its last allocated subcluster (QEMU writes whole clusters,
 * or with extended L2 entries whole subclusters), and a compressed cluster up to the end of its
 * last 512-byte sector. The one exception reads data: {@code qemu-io write -c} leaves a file that
 * ends inside the last sector of its last compressed cluster, and such a cluster is accepted when
 * the bytes that are there inflate to a whole cluster, as QEMU would decompress it.
 */
public final class Qcow2Structure {

  /** What was read and found; for logs and benchmarks. */
  public record Summary(
      int l1Tables,
      int l2Tables,
      long dataClusters,
      long compressedClusters,
      int snapshots,
      int bitmaps,
      long metadataBytesRead) {}

  static final long BASE_BUDGET = 64L << 20;
  static final long MAX_BUDGET = 1L << 30;

  private static final long MAX_L1_ENTRIES = (32L << 20) / Long.BYTES;
  private static final long MAX_SNAPSHOT_TABLE_BYTES = 64L << 20;
  private static final int MAX_SNAPSHOT_EXTRA_DATA = 1024;
  private static final int SNAPSHOT_ENTRY_FIXED = 40;
  private static final int SECTOR = 512;

  private static final long REFCOUNT_TABLE_RESERVED = 0x1ffL;
  private static final long L1_RESERVED = 0x7f000000000001ffL;
  private static final long L2_STANDARD_RESERVED = 0x3f000000000001feL;
  private static final long OFFSET_BITS_9_TO_55 = 0x00fffffffffffe00L;
  private static final long COPIED = 1L << 63;
  private static final long COMPRESSED = 1L << 62;
  private static final long ZERO = 1L;
  private static final long LOW_32 = 0xffffffffL;

  private final Qcow2Header header;
  private final long fileLength;
  private final int clusterBits;
  private final int clusterSize;
  private final boolean extendedL2;
  private final boolean externalData;
  private final MetadataReader reader;
  private final Set<String> l1TablesSeen = new HashSet<>();
  private final Set<Long> completeTails = new HashSet<>();
  private long[] l2Offsets = new long[64];
  private int l2Count;
  private long dataClusters;
  private long compressedClusters;
  private int bitmaps;

  private Qcow2Structure(FileChannel channel, Qcow2Header header, long fileLength) {
    this.header = header;
    this.fileLength = fileLength;
    this.clusterBits = header.clusterBits();
    this.clusterSize = header.clusterSize();
    this.extendedL2 = header.hasIncompatibleFeature(Qcow2Header.INCOMPATIBLE_EXTENDED_L2);
    this.externalData = header.hasIncompatibleFeature(Qcow2Header.INCOMPATIBLE_EXTERNAL_DATA_FILE);
    this.reader = new MetadataReader(channel, budget(fileLength));
  }

  /** Reads the header and checks the structure of a file, without locking it. */
  public static Summary check(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return check(channel);
    }
  }

  /** Reads the header through the channel, then checks the structure. */
  public static Summary check(FileChannel channel) throws IOException {
    return check(channel, Qcow2Header.read(channel));
  }

  /**
   * Checks the structure of the file behind {@code channel}, whose header was already parsed (e.g.
   * from the first bytes of an upload). The channel's position is not used.
   *
   * @throws Qcow2FormatException {@link Qcow2FormatException.Kind#MALFORMED} naming the table
   *     ({@code refcount_table}, {@code refcount_block}, {@code l1_table}, {@code l2_table}, {@code
   *     data_cluster}, {@code compressed_cluster}, {@code snapshot_table}, {@code
   *     snapshot_l1_table}, {@code bitmap_directory}, {@code bitmap_table}, {@code
   *     bitmap_data_cluster}, {@code crypto_header}, or a header field) with the offending entry in
   *     the message; {@link Qcow2FormatException.Kind#REFUSED} when the metadata exceeds the read
   *     budget
   * @throws IOException when reading fails
   */
  public static Summary check(FileChannel channel, Qcow2Header header) throws IOException {
    return new Qcow2Structure(channel, header, channel.size()).run();
  }

  /**
   * The most metadata a check reads from a file of that length: 64 MiB, plus 1/16 of the file (a
   * fully allocated image with 512-byte clusters has L2 tables of 1/64 of its length), at most 1
   * GiB. It also bounds the memory for L2 table offsets: at most 16 MiB (1 GiB / 512 × 8).
   */
  static long budget(long fileLength) {
    return Math.min(MAX_BUDGET, BASE_BUDGET + fileLength / 16);
  }

  private Summary run() throws IOException {
    // the header may have been parsed from a prefix, before the file length was known
    TableChecks tables = new TableChecks(clusterBits, fileLength);
    tables.checkRefcountTable(header.refcountTableOffset(), header.refcountTableClusters());
    tables.checkL1Table(
        header.l1TableOffset(), header.l1Size(), header.size(), header.incompatibleFeatures());
    tables.checkSnapshotTable(header.snapshotsOffset(), header.nbSnapshots());

    checkRefcountTable();
    checkCryptoHeader();
    checkL1Table(header.l1TableOffset(), header.l1Size(), "the active L1 table", "l1_table");
    checkSnapshots();
    checkBitmaps();
    int l2Tables = checkL2Tables();
    return new Summary(
        l1TablesSeen.size(),
        l2Tables,
        dataClusters,
        compressedClusters,
        header.nbSnapshots(),
        bitmaps,
        reader.spent());
  }

  private void checkRefcountTable() throws IOException {
    long entries = (long) header.refcountTableClusters() * clusterSize / Long.BYTES;
    reader.forEachEntry(
        header.refcountTableOffset(),
        entries,
        Long.BYTES,
        "refcount_table",
        (i, entry, chunk) -> {
          if ((entry & REFCOUNT_TABLE_RESERVED) != 0) {
            throw malformed(
                "refcount_table", "entry " + i + " has reserved bits 0-8 set: " + hex(entry));
          }
          long block = entry & ~REFCOUNT_TABLE_RESERVED;
          if (block == 0) {
            return;
          }
          Entry where = new Entry(i, "the refcount table", header.refcountTableOffset());
          requireAligned(block, "refcount_table", where, "the refcount block");
          requireInside(block, clusterSize, "refcount_block", where, "the refcount block");
        });
  }

  /** The LUKS header of an encrypted image, which QEMU counts as allocated like any table. */
  private void checkCryptoHeader() throws Qcow2FormatException {
    HeaderExtension extension = header.extension(HeaderExtension.FULL_DISK_ENCRYPTION).orElse(null);
    if (extension == null) {
      return;
    }
    if (extension.length() < 2 * Long.BYTES) {
      throw malformed(
          "crypto_header", "the encryption extension has " + extension.length() + " bytes");
    }
    ByteBuffer data = ByteBuffer.wrap(extension.data());
    long offset = data.getLong(0);
    long length = data.getLong(8);
    requireAligned(offset, "crypto_header", "the LUKS header");
    requireInside(offset, length, "crypto_header", "the LUKS header");
  }

  private void checkL1Table(long offset, long entries, String owner, String field)
      throws IOException {
    if (entries == 0 || !l1TablesSeen.add(offset + "/" + entries)) {
      return;
    }
    reader.forEachEntry(
        offset,
        entries,
        Long.BYTES,
        field,
        (i, entry, chunk) -> {
          if (entry == 0) {
            return;
          }
          Entry where = new Entry(i, owner, offset);
          if ((entry & L1_RESERVED) != 0) {
            throw malformed(field, where + " has reserved bits set: " + hex(entry));
          }
          long table = entry & OFFSET_BITS_9_TO_55;
          if (table < clusterSize) {
            throw malformed(field, where + " points into cluster 0, the header: " + hex(entry));
          }
          requireAligned(table, field, where, "the L2 table");
          requireInside(table, clusterSize, "l2_table", where, "the L2 table");
          addL2Table(table);
        });
  }

  /**
   * Snapshots name the same L2 tables again and again: when the list is full it is made distinct
   * first, and it grows only when that does not free half of it, and only as far as the budget
   * could still read the tables.
   */
  private void addL2Table(long offset) throws Qcow2FormatException {
    if (l2Count == l2Offsets.length) {
      l2Offsets = distinctL2Tables();
      l2Count = l2Offsets.length;
      reader.reserve((long) l2Count * clusterSize, "l2_table");
      l2Offsets = Arrays.copyOf(l2Offsets, Math.max(64, l2Count * 2));
    }
    l2Offsets[l2Count++] = offset;
  }

  private long[] distinctL2Tables() {
    return Arrays.stream(l2Offsets, 0, l2Count).sorted().distinct().toArray();
  }

  private void checkSnapshots() throws IOException {
    long position = header.snapshotsOffset();
    for (int i = 0; i < header.nbSnapshots(); i++) {
      String entry = "snapshot table entry " + i;
      requireInside(position, SNAPSHOT_ENTRY_FIXED, "snapshot_table", entry);
      ByteBuffer fixed = reader.read(position, SNAPSHOT_ENTRY_FIXED, "snapshot_table");
      long l1Offset = fixed.getLong(0);
      long l1Entries = Integer.toUnsignedLong(fixed.getInt(8));
      int idSize = Short.toUnsignedInt(fixed.getShort(12));
      int nameSize = Short.toUnsignedInt(fixed.getShort(14));
      long extraSize = Integer.toUnsignedLong(fixed.getInt(36));
      if (extraSize > MAX_SNAPSHOT_EXTRA_DATA) {
        throw malformed(
            "snapshot_table", entry + ": " + extraSize + " bytes of extra data (max 1024)");
      }
      int length =
          HeaderExtension.padTo8(SNAPSHOT_ENTRY_FIXED + (int) extraSize + idSize + nameSize);
      requireInside(position, length, "snapshot_table", entry);
      if (position + length - header.snapshotsOffset() > MAX_SNAPSHOT_TABLE_BYTES) {
        throw malformed("snapshot_table", entry + " lies beyond QEMU's 64 MiB table limit");
      }
      ByteBuffer names =
          reader.read(
              position + SNAPSHOT_ENTRY_FIXED + extraSize, idSize + nameSize, "snapshot_table");
      byte[] name = new byte[Math.min(nameSize, 64)];
      names.get(idSize, name);
      String owner =
          "the L1 table of snapshot '"
              + printable(new String(name, StandardCharsets.UTF_8))
              + "' (entry "
              + i
              + ")";
      checkSnapshotL1(l1Offset, l1Entries, owner);
      position += length;
    }
  }

  /** A snapshot name from the file goes into messages that reach logs and clients. */
  private static String printable(String name) {
    return name.codePoints()
        .map(c -> Character.isISOControl(c) || !Character.isDefined(c) ? '?' : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
        .toString();
  }

  private void checkSnapshotL1(long offset, long entries, String owner) throws IOException {
    String field = "snapshot_l1_table";
    if (offset < 0 || offset % clusterSize != 0) {
      throw malformed(field, owner + " at " + hex(offset) + " is not cluster-aligned");
    }
    if (entries > MAX_L1_ENTRIES) {
      throw malformed(field, owner + " has " + entries + " entries, above QEMU's 32 MiB limit");
    }
    if (entries > 0) {
      requireInside(offset, entries * Long.BYTES, field, owner);
    }
    checkL1Table(offset, entries, owner, field);
  }

  private void checkBitmaps() throws IOException {
    if ((header.autoclearFeatures() & 1) == 0) {
      return; // QEMU ignores a bitmap extension whose autoclear bit is clear
    }
    HeaderExtension extension = header.extension(HeaderExtension.BITMAPS).orElse(null);
    if (extension == null) {
      return;
    }
    ByteBuffer data = ByteBuffer.wrap(extension.data());
    if (data.capacity() < 24) {
      throw malformed(
          "bitmap_directory", "the bitmaps extension has " + data.capacity() + " bytes");
    }
    long count = Integer.toUnsignedLong(data.getInt(0));
    long size = data.getLong(8);
    long offset = data.getLong(16);
    String directory = "the bitmap directory at " + hex(offset);
    requireAligned(offset, "bitmap_directory", directory);
    if (size < 0 || size > MAX_SNAPSHOT_TABLE_BYTES) {
      throw malformed("bitmap_directory", directory + " has an invalid size " + size);
    }
    requireInside(offset, size, "bitmap_directory", "the bitmap directory");
    byte[] entries = new byte[(int) size];
    reader.read(offset, (int) size, "bitmap_directory").get(entries);
    ByteBuffer dir = ByteBuffer.wrap(entries);
    int position = 0;
    for (long i = 0; i < count; i++) {
      String entry = "bitmap directory entry " + i;
      if (position + 24 > size) {
        throw malformed(
            "bitmap_directory", entry + " runs past the directory's " + size + " bytes");
      }
      long tableOffset = dir.getLong(position);
      long tableEntries = Integer.toUnsignedLong(dir.getInt(position + 8));
      int flags = dir.getInt(position + 12);
      int nameSize = Short.toUnsignedInt(dir.getShort(position + 18));
      long extraSize = Integer.toUnsignedLong(dir.getInt(position + 20));
      long length = HeaderExtension.padTo8((int) Math.min(size, 24 + extraSize + nameSize));
      if (position + length > size) {
        throw malformed(
            "bitmap_directory", entry + " runs past the directory's " + size + " bytes");
      }
      if ((flags & ~7) != 0) {
        throw malformed("bitmap_directory", entry + " has reserved flags set: " + hex(flags));
      }
      checkBitmapTable(tableOffset, tableEntries, entry);
      bitmaps++;
      position += (int) length;
    }
  }

  private void checkBitmapTable(long offset, long entries, String owner) throws IOException {
    String table = "the bitmap table of " + owner;
    requireAligned(offset, "bitmap_table", table);
    requireInside(offset, entries * Long.BYTES, "bitmap_table", owner + ": the bitmap table");
    reader.forEachEntry(
        offset,
        entries,
        Long.BYTES,
        "bitmap_table",
        (i, entry, chunk) -> {
          Entry where = new Entry(i, table, offset);
          long cluster = entry & OFFSET_BITS_9_TO_55;
          if ((entry & ~OFFSET_BITS_9_TO_55 & ~1L) != 0 || (cluster != 0 && (entry & 1) != 0)) {
            throw malformed("bitmap_table", where + " has reserved bits set: " + hex(entry));
          }
          if (cluster != 0) {
            requireAligned(cluster, "bitmap_table", where, "the data cluster");
            requireInside(cluster, clusterSize, "bitmap_data_cluster", where, "the data cluster");
          }
        });
  }

  /** Reads the distinct L2 tables in file order, contiguous ones in one read. */
  private int checkL2Tables() throws IOException {
    long[] tables = distinctL2Tables();
    int maxRun = Math.max(1, MetadataReader.CHUNK / clusterSize);
    int first = 0;
    while (first < tables.length) {
      int end = first + 1;
      while (end < tables.length
          && end - first < maxRun
          && tables[end] == tables[end - 1] + clusterSize) {
        end++;
      }
      ByteBuffer run = reader.read(tables[first], (end - first) * clusterSize, "l2_table");
      for (int t = first; t < end; t++) {
        checkL2Table(tables[t], run, (t - first) * clusterSize);
      }
      first = end;
    }
    return tables.length;
  }

  private void checkL2Table(long table, ByteBuffer run, int start) throws IOException {
    int entrySize = extendedL2 ? 2 * Long.BYTES : Long.BYTES;
    int entries = clusterSize / entrySize;
    for (int j = 0; j < entries; j++) {
      long entry = run.getLong(start + j * entrySize);
      long bitmap = extendedL2 ? run.getLong(start + j * entrySize + Long.BYTES) : 0;
      if (entry == 0 && bitmap == 0) {
        continue;
      }
      Entry where = new Entry(j, "the L2 table", table);
      if ((entry & COMPRESSED) != 0) {
        checkCompressed(entry, bitmap, where);
      } else {
        checkStandard(entry, bitmap, where);
      }
    }
  }

  private void checkCompressed(long entry, long bitmap, Entry where) throws IOException {
    if ((entry & COPIED) != 0) {
      throw malformed("l2_table", where + " is compressed and has the copied flag: " + hex(entry));
    }
    if (externalData) {
      throw malformed("l2_table", where + " is compressed in an image with an external data file");
    }
    if (bitmap != 0) {
      throw malformed("l2_table", where + " is compressed with a subcluster bitmap " + hex(bitmap));
    }
    int sizeShift = 62 - (clusterBits - 8);
    long offset = entry & ((1L << sizeShift) - 1);
    long sectors = ((entry >>> sizeShift) & ((1L << (clusterBits - 8)) - 1)) + 1;
    long end = (offset & -SECTOR) + sectors * SECTOR;
    if (end > fileLength && !isCompleteTail(offset, end)) {
      throw malformed(
          "compressed_cluster",
          where
              + " points to compressed data at "
              + hex(offset)
              + " in "
              + sectors
              + " sectors up to "
              + hex(end)
              + ", past the end of the file ("
              + fileLength
              + " bytes)");
    }
    compressedClusters++;
  }

  /**
   * Whether the compressed cluster whose sectors run past the end of the file still has all of its
   * data: {@code qemu-io write -c} leaves the file ending inside the last sector, and only
   * inflating the bytes that are there (less than two clusters, once per such cluster) tells a
   * short last sector from a cut one. QEMU accepts a stream that fills the cluster, ended or not.
   */
  private boolean isCompleteTail(long offset, long end) throws IOException {
    if (end - SECTOR >= fileLength
        || offset >= fileLength
        || header.compressionType().orElse(0) != 0) {
      return false; // a whole sector is missing, or zstd, which the JDK cannot inflate
    }
    if (!completeTails.add(offset)) {
      return true;
    }
    byte[] tail =
        reader.readCopy(
            offset, (int) (fileLength - offset), end - offset + clusterSize, "compressed_cluster");
    Inflater inflater = new Inflater(true);
    try {
      inflater.setInput(tail);
      byte[] cluster = new byte[clusterSize];
      int filled = 0;
      while (filled < clusterSize) {
        int n = inflater.inflate(cluster, filled, clusterSize - filled);
        if (n == 0
            && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        filled += n;
      }
      return filled == clusterSize;
    } catch (DataFormatException e) {
      return false;
    } finally {
      inflater.end();
    }
  }

  private void checkStandard(long entry, long bitmap, Entry where) throws Qcow2FormatException {
    if ((entry & L2_STANDARD_RESERVED) != 0) {
      throw malformed("l2_table", where + " has reserved bits set: " + hex(entry));
    }
    long cluster = entry & OFFSET_BITS_9_TO_55;
    long allocated = bitmap & LOW_32;
    if (cluster == 0) {
      if (allocated != 0) {
        throw malformed("l2_table", where + " is unallocated with allocated subclusters");
      }
      return;
    }
    if (((bitmap >>> 32) & allocated) != 0) {
      throw malformed("l2_table", where + " has subclusters both allocated and zero");
    }
    requireAligned(cluster, "l2_table", where, "the data cluster");
    if (externalData) {
      return; // the data lives in the other file
    }
    // a cluster must be present up to its last allocated subcluster (QEMU writes no further)
    long dataEnd;
    if (extendedL2) {
      int lastAllocated = 63 - Long.numberOfLeadingZeros(allocated);
      dataEnd = (lastAllocated + 1L) * (clusterSize / 32);
    } else {
      dataEnd = (entry & ZERO) != 0 ? 0 : clusterSize;
    }
    if (cluster >= fileLength || cluster + dataEnd > fileLength) {
      throw malformed(
          "data_cluster",
          where
              + " points to a data cluster at "
              + hex(cluster)
              + ", past the end of the file ("
              + fileLength
              + " bytes)");
    }
    dataClusters++;
  }

  private void requireAligned(long offset, String field, String subject)
      throws Qcow2FormatException {
    requireAligned(offset, field, subject, null);
  }

  /** {@code where} is turned into text only for the message, not for every entry checked. */
  private void requireAligned(long offset, String field, Object where, String what)
      throws Qcow2FormatException {
    if (offset < 0 || (offset & (clusterSize - 1)) != 0) {
      throw malformed(
          field, subject(where, what) + " at " + hex(offset) + " is not cluster-aligned");
    }
  }

  private void requireInside(long offset, long length, String field, String subject)
      throws Qcow2FormatException {
    requireInside(offset, length, field, subject, null);
  }

  private void requireInside(long offset, long length, String field, Object where, String what)
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

  /** Entry {@code index} of a table, for messages. */
  private record Entry(long index, String table, long tableOffset) {
    @Override
    public String toString() {
      return "entry " + index + " of " + table + " at " + hex(tableOffset);
    }
  }
}
