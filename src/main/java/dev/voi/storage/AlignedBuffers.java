package dev.voi.storage;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Direct buffers of {@link #SIZE} bytes aligned for {@code O_DIRECT}, reused across uploads: direct
 * memory is freed only when the collector finds its buffer, which a nearly idle heap seldom runs
 * for, so allocating a fresh buffer per upload could exhaust it. At most {@link #KEPT} are kept.
 */
final class AlignedBuffers {

  static final int SIZE = 4 * 1024 * 1024;
  static final int KEPT = 32;

  private static final ConcurrentLinkedQueue<ByteBuffer> FREE = new ConcurrentLinkedQueue<>();
  private static final AtomicInteger KEPT_NOW = new AtomicInteger();

  private AlignedBuffers() {}

  /** A cleared buffer of {@link #SIZE} bytes whose address is a multiple of {@code alignment}. */
  static ByteBuffer take(int alignment) {
    ByteBuffer buffer;
    while ((buffer = FREE.poll()) != null) {
      KEPT_NOW.decrementAndGet();
      if (buffer.alignmentOffset(0, alignment) == 0) {
        return buffer.clear();
      }
    }
    return ByteBuffer.allocateDirect(SIZE + alignment).alignedSlice(alignment).limit(SIZE).slice();
  }

  /** Returns a buffer that nothing uses any more. */
  static void give(ByteBuffer buffer) {
    if (KEPT_NOW.incrementAndGet() <= KEPT) {
      FREE.add(buffer);
    } else {
      KEPT_NOW.decrementAndGet();
    }
  }
}
