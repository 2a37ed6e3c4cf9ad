package dev.voi.storage;

import java.nio.ByteBuffer;

/**
 * Direct buffers of {@link #SIZE} bytes aligned for {@code O_DIRECT}, reused across uploads: direct
 * memory is freed only when the collector finds its buffer, which a nearly idle heap seldom runs
 * for, so allocating a fresh buffer per upload could exhaust it. At most {@link #KEPT} are kept.
 */
final class AlignedBuffers {

  static final int SIZE = 4 * 1024 * 1024;
  static final int KEPT = 32;

  private static final BufferPool<ByteBuffer> POOL = new BufferPool<>(KEPT);

  private AlignedBuffers() {}

  /** A cleared buffer of {@link #SIZE} bytes whose address is a multiple of {@code alignment}. */
  static ByteBuffer take(int alignment) {
    return POOL.take(
            buffer -> buffer.alignmentOffset(0, alignment) == 0,
            () ->
                ByteBuffer.allocateDirect(SIZE + alignment)
                    .alignedSlice(alignment)
                    .limit(SIZE)
                    .slice())
        .clear();
  }

  /** Returns a buffer that nothing uses any more. */
  static void give(ByteBuffer buffer) {
    POOL.give(buffer);
  }
}
