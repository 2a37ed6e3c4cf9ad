package dev.voi.images.control;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The byte arrays of upload rings ({@link ContentDigester}), reused from one upload to the next:
 * arrays of several MiB are humongous objects to G1, and allocating a fresh ring per upload made
 * every large transfer start concurrent marking cycles in {@code bench/transfer}. At most {@link
 * #KEPT} arrays are kept; more are left to the collector.
 */
final class RingBuffers {

  static final int KEPT = 8;

  private static final ConcurrentLinkedQueue<byte[]> FREE = new ConcurrentLinkedQueue<>();
  private static final AtomicInteger KEPT_NOW = new AtomicInteger();

  private RingBuffers() {}

  /** An array of {@code size} bytes, with whatever a previous upload left in it. */
  static byte[] take(int size) {
    byte[] buffer;
    while ((buffer = FREE.poll()) != null) {
      KEPT_NOW.decrementAndGet();
      if (buffer.length == size) {
        return buffer;
      }
    }
    return new byte[size];
  }

  /** Returns an array that nothing reads or writes any more. */
  static void give(byte[] buffer) {
    if (KEPT_NOW.incrementAndGet() <= KEPT) {
      FREE.add(buffer);
    } else {
      KEPT_NOW.decrementAndGet();
    }
  }
}
