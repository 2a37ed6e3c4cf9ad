package dev.voi.qcow2;

import static dev.voi.qcow2.Qcow2FormatException.refused;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The first bytes of a qcow2 overlay with another backing file name, computed without touching the
 * file: the administrator's command line sends an overlay built on a local copy of the tip (any
 * file name) as if it had been built on the tip's canonical file, by streaming these bytes in place
 * of the file's own first bytes and the rest of the file unchanged.
 *
 * <p>The backing file name lives in cluster 0, behind the header extensions; the new name is
 * written right behind the end marker, {@code backing_file_offset} and {@code backing_file_size}
 * point at it, and whatever the old name left behind is zeroed. Nothing else changes: the header
 * extensions (the backing format among them), the tables and every guest byte stay as they were, so
 * the copy reads exactly the guest data of the original on a backing file of the new name.
 */
public final class BackingRename {

  private static final int BACKING_FILE_OFFSET = 8;
  private static final int BACKING_FILE_SIZE = 16;
  private static final int STAMP_OFFSET = 3072;

  private BackingRename() {}

  /**
   * The replacement of the file's first {@code result.length} bytes.
   *
   * @param firstBytes the file from byte 0: its whole cluster 0, or the whole file if shorter
   * @param fileLength the whole file's length
   * @param newName a bare file name ({@link BackingFileName})
   * @return bytes to send instead of {@code firstBytes[0, result.length)}; {@code firstBytes}
   *     itself is not changed
   * @throws Qcow2FormatException naming the field when the header is malformed, has no backing
   *     file, or the new name does not fit in cluster 0 in front of byte 3072
   * @throws IllegalArgumentException when {@code newName} is not a bare name
   */
  public static byte[] rewrite(byte[] firstBytes, long fileLength, String newName)
      throws Qcow2FormatException {
    BackingFileName.requireBare(newName);
    Qcow2Header header = Qcow2Header.parse(firstBytes, fileLength);
    if (!header.hasBackingFile()) {
      throw refused("backing_file_offset", "the file has no backing file: it is not an overlay");
    }
    int extensionsEnd = header.extensionsEnd();
    if (header.backingFileOffset() < extensionsEnd) {
      throw refused(
          "backing_file_offset",
          "the backing file name lies at byte "
              + header.backingFileOffset()
              + ", inside the header extensions (which end at byte "
              + extensionsEnd
              + ")");
    }
    byte[] name = newName.getBytes(StandardCharsets.US_ASCII);
    int newEnd = extensionsEnd + name.length;
    int limit = Math.min(header.clusterSize(), STAMP_OFFSET);
    if (newEnd > limit) {
      throw refused(
          "backing_file_size",
          "the backing file name " + newName + " would end at byte " + newEnd + ", past " + limit);
    }
    if (newEnd > fileLength) {
      throw refused(
          "backing_file_size",
          "the backing file name " + newName + " would end past the end of the file");
    }
    int oldEnd = header.layoutEnd();
    ByteBuffer out = ByteBuffer.wrap(Arrays.copyOf(firstBytes, Math.max(oldEnd, newEnd)));
    Arrays.fill(out.array(), extensionsEnd, out.capacity(), (byte) 0);
    out.put(extensionsEnd, name);
    out.putLong(BACKING_FILE_OFFSET, extensionsEnd);
    out.putInt(BACKING_FILE_SIZE, name.length);
    return out.array();
  }
}
