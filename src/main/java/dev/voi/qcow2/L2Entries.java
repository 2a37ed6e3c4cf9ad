package dev.voi.qcow2;

import static dev.voi.qcow2.MetadataReader.hex;
import static dev.voi.qcow2.Qcow2FormatException.malformed;

import dev.voi.qcow2.Placement.Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The rules for the entries of one L2 table (8 bytes each, or 16 with extended L2 entries): the
 * reserved bits {@code qemu-img check} counts as corruption (QEMU 7.2 {@code check_refcounts_l2})
 * and where the referenced data lies. Data clusters are judged by their offsets, never read.
 */
final class L2Entries {

  private static final long STANDARD_RESERVED = 0x3f000000000001feL;
  private static final long OFFSET_BITS_9_TO_55 = 0x00fffffffffffe00L;
  private static final long COPIED = 1L << 63;
  private static final long COMPRESSED = 1L << 62;
  private static final long ZERO = 1L;
  private static final long LOW_32 = 0xffffffffL;
  private static final int SECTOR = 512;
  private static final int SUBCLUSTERS = 32;

  private final Placement placement;
  private final MetadataReader reader;
  private final int clusterBits;
  private final int clusterSize;
  private final long fileLength;
  private final boolean extended;
  private final boolean externalData;
  private final boolean zlib;
  private final Set<Long> completeTails = new HashSet<>();
  private long dataClusters;
  private long compressedClusters;

  L2Entries(Qcow2Header header, Placement placement, MetadataReader reader) {
    this.placement = placement;
    this.reader = reader;
    this.clusterBits = header.clusterBits();
    this.clusterSize = header.clusterSize();
    this.fileLength = placement.fileLength();
    this.extended = header.hasIncompatibleFeature(Qcow2Header.INCOMPATIBLE_EXTENDED_L2);
    this.externalData = header.hasIncompatibleFeature(Qcow2Header.INCOMPATIBLE_EXTERNAL_DATA_FILE);
    this.zlib = header.compressionType().orElse(0) == 0;
  }

  long dataClusters() {
    return dataClusters;
  }

  long compressedClusters() {
    return compressedClusters;
  }

  /** Checks the L2 table at {@code table}, whose bytes start at {@code start} in {@code run}. */
  void check(long table, ByteBuffer run, int start) throws IOException {
    int entrySize = extended ? 2 * Long.BYTES : Long.BYTES;
    int entries = clusterSize / entrySize;
    for (int j = 0; j < entries; j++) {
      long entry = run.getLong(start + j * entrySize);
      long bitmap = extended ? run.getLong(start + j * entrySize + Long.BYTES) : 0;
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

  private void checkStandard(long entry, long bitmap, Entry where) throws Qcow2FormatException {
    if ((entry & STANDARD_RESERVED) != 0) {
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
    placement.requireAligned(cluster, "l2_table", where, "the data cluster");
    if (externalData) {
      return; // the data lives in the other file
    }
    // present up to the end of its last allocated subcluster: QEMU writes no further
    long dataEnd;
    if (extended) {
      int lastAllocated = 63 - Long.numberOfLeadingZeros(allocated);
      dataEnd = (lastAllocated + 1L) * (clusterSize / SUBCLUSTERS);
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

  /** The descriptor as qcow2.txt defines it: a byte offset and a count of 512-byte sectors. */
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
    if (end - SECTOR >= fileLength || offset >= fileLength || !zlib) {
      return false; // a whole sector is missing, or zstd, which the JDK cannot inflate
    }
    if (!completeTails.add(offset)) {
      return true;
    }
    int available = (int) (fileLength - offset);
    byte[] tail =
        reader.readCopy(offset, available, end - offset + clusterSize, "compressed_cluster");
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
}
