package dev.voi.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Positional reads of qcow2 metadata in chunks of up to 1 MiB, charged against a budget so that a
 * hostile file (65536 snapshots that all name the same 32 MiB L1 table, say) cannot make the check
 * read more than a bounded multiple of what the file itself costs to receive.
 *
 * <p>Callers check that a region lies inside the file before reading it; meeting the end of the
 * file here means the file shrank under the check, and is reported as truncation all the same.
 */
final class MetadataReader {

  /** Large enough that a 32 MiB L1 table takes 32 reads; small enough to stay in the L2 cache. */
  static final int CHUNK = 1 << 20;

  /** Visits one 64-bit entry of a table. */
  @FunctionalInterface
  interface EntryVisitor {
    void accept(long index, long entry) throws Qcow2FormatException;
  }

  private final FileChannel channel;
  private final long budget;
  private ByteBuffer buffer;
  private long spent;

  MetadataReader(FileChannel channel, long budget) {
    this.channel = channel;
    this.budget = budget;
  }

  long spent() {
    return spent;
  }

  /**
   * Reads {@code length} bytes at {@code offset} into a buffer that stays valid until the next
   * read, positioned at 0 with the limit at {@code length}.
   */
  ByteBuffer read(long offset, int length, String table) throws IOException {
    charge(length, table);
    if (buffer == null || buffer.capacity() < length) {
      buffer = ByteBuffer.allocate(Math.max(length, Math.min(CHUNK, length * 2)));
    }
    buffer.clear().limit(length);
    while (buffer.hasRemaining()) {
      int read = channel.read(buffer, offset + buffer.position());
      if (read < 0) {
        throw Qcow2FormatException.truncated(table, " at " + hex(offset), channel.size());
      }
    }
    return buffer.flip();
  }

  /** Reads {@code length} bytes at {@code offset} into a new array, charging {@code cost}. */
  byte[] readCopy(long offset, int length, long cost, String table) throws IOException {
    charge(cost, table);
    ByteBuffer copy = ByteBuffer.allocate(length);
    while (copy.hasRemaining()) {
      if (channel.read(copy, offset + copy.position()) < 0) {
        throw Qcow2FormatException.truncated(table, " at " + hex(offset), channel.size());
      }
    }
    return copy.array();
  }

  /** Reads a table of 64-bit entries in chunks and hands each entry to the visitor. */
  void forEachEntry(long offset, long count, String table, EntryVisitor visitor)
      throws IOException {
    int perChunk = CHUNK / Long.BYTES;
    for (long first = 0; first < count; first += perChunk) {
      int entries = (int) Math.min(perChunk, count - first);
      ByteBuffer chunk = read(offset + first * Long.BYTES, entries * Long.BYTES, table);
      for (int i = 0; i < entries; i++) {
        visitor.accept(first + i, chunk.getLong(i * Long.BYTES));
      }
    }
  }

  /** Refuses now what reading {@code bytes} more would refuse later. */
  void reserve(long bytes, String table) throws Qcow2FormatException {
    if (bytes > budget - spent) {
      throw overBudget(table);
    }
  }

  private void charge(long bytes, String table) throws Qcow2FormatException {
    spent += bytes;
    if (spent > budget) {
      throw overBudget(table);
    }
  }

  private Qcow2FormatException overBudget(String table) {
    return Qcow2FormatException.refused(
        table,
        "the metadata to check exceeds "
            + budget
            + " bytes, the bound for a file of this length (shared or oversized tables)");
  }

  static String hex(long value) {
    return "0x" + Long.toHexString(value);
  }
}
