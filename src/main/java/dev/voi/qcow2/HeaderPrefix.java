package dev.voi.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The first bytes of a qcow2 file together with the header parsed from them: at least what the
 * header, its extensions and the backing file name need, and at least {@code minimumBytes} when the
 * file is that long. Read with positional reads, so the channel's position is never used.
 */
record HeaderPrefix(Qcow2Header header, byte[] bytes, long fileLength) {

  private static final int READ_GRANULE = 4096;

  static HeaderPrefix read(FileChannel channel, int minimumBytes) throws IOException {
    long fileLength = channel.size();
    long want = Math.min(fileLength, Math.max(READ_GRANULE, minimumBytes));
    while (true) {
      byte[] prefix = readFully(channel, 0, (int) want, "header_cluster");
      try {
        return new HeaderPrefix(Qcow2Header.parse(prefix, fileLength), prefix, fileLength);
      } catch (Qcow2FormatException e) {
        if (e.kind() != Qcow2FormatException.Kind.INCOMPLETE || e.bytesNeeded() <= want) {
          throw e;
        }
        long rounded = (e.bytesNeeded() + READ_GRANULE - 1) / READ_GRANULE * READ_GRANULE;
        want = Math.min(fileLength, rounded);
      }
    }
  }

  /** Reads exactly {@code length} bytes at {@code position}; the end of the file is truncation. */
  static byte[] readFully(FileChannel channel, long position, int length, String field)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      int read = channel.read(buffer, position + buffer.position());
      if (read < 0) {
        throw Qcow2FormatException.truncated(field, "", channel.size());
      }
    }
    return buffer.array();
  }
}
