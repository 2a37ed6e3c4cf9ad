package dev.voi.qcow2;

import static dev.voi.qcow2.MetadataReader.hex;
import static dev.voi.qcow2.Qcow2FormatException.malformed;

import dev.voi.qcow2.Placement.Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

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
 *
 * <p>Not checked: refcount values (leaked or doubly used clusters, overlapping tables, copied flags
 * that disagree with them), which {@code qemu-img check} also reports but a cut cannot cause.
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
  private static final long MAX_BITMAP_DIRECTORY_BYTES = 1024L * 65535;
  private static final int BITMAP_ENTRY_FIXED = 24;
  private static final int BITMAP_KNOWN_FLAGS = 7;
  private static final long AUTOCLEAR_BITMAPS = 1;

  private static final long REFCOUNT_TABLE_RESERVED = 0x1ffL;
  private static final long L1_RESERVED = 0x7f000000000001ffL;
  private static final long BITMAP_TABLE_RESERVED = 0xff000000000001feL;
  private static final long OFFSET_BITS_9_TO_55 = 0x00fffffffffffe00L;
  private static final long ALL_ONES = 1;

  private final Qcow2Header header;
  private final int clusterSize;
  private final Placement placement;
  private final MetadataReader reader;
  private final L2Entries l2Entries;
  private final Set<String> l1TablesSeen = new HashSet<>();
  private long[] l2Offsets = new long[64];
  private int l2Count;
  private int bitmaps;

  private Qcow2Structure(FileChannel channel, Qcow2Header header, long fileLength) {
    this.header = header;
    this.clusterSize = header.clusterSize();
    this.placement = new Placement(clusterSize, fileLength);
    this.reader = new MetadataReader(channel, budget(fileLength));
    this.l2Entries = new L2Entries(header, placement, reader);
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
    TableChecks tables = new TableChecks(header.clusterBits(), placement.fileLength());
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
        l2Entries.dataClusters(),
        l2Entries.compressedClusters(),
        header.nbSnapshots(),
        bitmaps,
        reader.spent());
  }

  /** The refcount blocks are checked by position only: their counts are not this check's job. */
  private void checkRefcountTable() throws IOException {
    long offset = header.refcountTableOffset();
    long entries = (long) header.refcountTableClusters() * clusterSize / Long.BYTES;
    reader.forEachEntry(
        offset,
        entries,
        "refcount_table",
        (i, entry) -> {
          Entry where = new Entry(i, "the refcount table", offset);
          if ((entry & REFCOUNT_TABLE_RESERVED) != 0) {
            throw malformed("refcount_table", where + " has reserved bits set: " + hex(entry));
          }
          long block = entry & ~REFCOUNT_TABLE_RESERVED;
          if (block != 0) {
            placement.requireAligned(block, "refcount_table", where, "the refcount block");
            placement.requireInside(
                block, clusterSize, "refcount_block", where, "the refcount block");
          }
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
    placement.requireAligned(offset, "crypto_header", "the LUKS header");
    placement.requireInside(offset, length, "crypto_header", "the LUKS header");
  }

  private void checkL1Table(long offset, long entries, String owner, String field)
      throws IOException {
    if (entries == 0 || !l1TablesSeen.add(offset + "/" + entries)) {
      return; // a snapshot that shares its L1 table is read once
    }
    reader.forEachEntry(
        offset,
        entries,
        field,
        (i, entry) -> {
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
          placement.requireAligned(table, field, where, "the L2 table");
          placement.requireInside(table, clusterSize, "l2_table", where, "the L2 table");
          addL2Table(table);
        });
  }

  /**
   * Snapshots name the same L2 tables again and again: when the list is full it is made distinct
   * first, then grown, and only as far as the budget could still read the tables.
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

  /** Reads the distinct L2 tables in file order, contiguous ones in one read of up to 1 MiB. */
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
        l2Entries.check(tables[t], run, (t - first) * clusterSize);
      }
      first = end;
    }
    return tables.length;
  }

  private void checkSnapshots() throws IOException {
    long position = header.snapshotsOffset();
    for (int i = 0; i < header.nbSnapshots(); i++) {
      String entry = "snapshot table entry " + i;
      placement.requireInside(position, SNAPSHOT_ENTRY_FIXED, "snapshot_table", entry);
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
      placement.requireInside(position, length, "snapshot_table", entry);
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
    placement.requireAligned(offset, field, owner);
    if (entries > MAX_L1_ENTRIES) {
      throw malformed(field, owner + " has " + entries + " entries, above QEMU's 32 MiB limit");
    }
    if (entries > 0) {
      placement.requireInside(offset, entries * Long.BYTES, field, owner);
    }
    checkL1Table(offset, entries, owner, field);
  }

  private void checkBitmaps() throws IOException {
    if ((header.autoclearFeatures() & AUTOCLEAR_BITMAPS) == 0) {
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
    placement.requireAligned(offset, "bitmap_directory", "the bitmap directory");
    if (size < 0 || size > MAX_BITMAP_DIRECTORY_BYTES) {
      throw malformed("bitmap_directory", "the bitmap directory has an invalid size " + size);
    }
    placement.requireInside(offset, size, "bitmap_directory", "the bitmap directory");
    ByteBuffer directory =
        ByteBuffer.wrap(reader.readCopy(offset, (int) size, size, "bitmap_directory"));
    int position = 0;
    for (long i = 0; i < count; i++) {
      String entry = "bitmap directory entry " + i;
      if (position + BITMAP_ENTRY_FIXED > size) {
        throw malformed(
            "bitmap_directory", entry + " runs past the directory's " + size + " bytes");
      }
      long tableOffset = directory.getLong(position);
      long tableEntries = Integer.toUnsignedLong(directory.getInt(position + 8));
      int flags = directory.getInt(position + 12);
      int nameSize = Short.toUnsignedInt(directory.getShort(position + 18));
      long extraSize = Integer.toUnsignedLong(directory.getInt(position + 20));
      long length = BITMAP_ENTRY_FIXED + extraSize + nameSize;
      if (position + length > size) {
        throw malformed(
            "bitmap_directory", entry + " runs past the directory's " + size + " bytes");
      }
      if ((flags & ~BITMAP_KNOWN_FLAGS) != 0) {
        throw malformed("bitmap_directory", entry + " has reserved flags set: " + hex(flags));
      }
      checkBitmapTable(tableOffset, tableEntries, entry);
      bitmaps++;
      position += HeaderExtension.padTo8((int) length);
    }
  }

  private void checkBitmapTable(long offset, long entries, String owner) throws IOException {
    String table = "the bitmap table of " + owner;
    placement.requireAligned(offset, "bitmap_table", table);
    placement.requireInside(offset, entries * Long.BYTES, "bitmap_table", table);
    reader.forEachEntry(
        offset,
        entries,
        "bitmap_table",
        (i, entry) -> {
          Entry where = new Entry(i, table, offset);
          long cluster = entry & OFFSET_BITS_9_TO_55;
          if ((entry & BITMAP_TABLE_RESERVED) != 0 || (cluster != 0 && (entry & ALL_ONES) != 0)) {
            throw malformed("bitmap_table", where + " has reserved bits set: " + hex(entry));
          }
          if (cluster != 0) {
            placement.requireAligned(cluster, "bitmap_table", where, "the data cluster");
            placement.requireInside(
                cluster, clusterSize, "bitmap_data_cluster", where, "the data cluster");
          }
        });
  }
}
