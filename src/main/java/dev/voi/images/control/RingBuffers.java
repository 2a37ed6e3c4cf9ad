package dev.voi.images.control;

import dev.voi.storage.BufferPool;

/**
 * The byte arrays of upload rings ({@link ContentDigester}), reused from one upload to the next:
 * arrays of several MiB are humongous objects to G1, and allocating a fresh ring per upload made
 * every large transfer start concurrent marking cycles in {@code bench/transfer}. At most {@link
 * #KEPT} arrays are kept; more are left to the collector.
 */
final class RingBuffers {

  static final int KEPT = 8;

  private static final BufferPool<byte[]> POOL = new BufferPool<>(KEPT);

  private RingBuffers() {}

  /** An array of {@code size} bytes, with whatever a previous upload left in it. */
  static byte[] take(int size) {
    return POOL.take(buffer -> buffer.length == size, () -> new byte[size]);
  }

  /** Returns an array that nothing reads or writes any more. */
  static void give(byte[] buffer) {
    POOL.give(buffer);
  }
}
