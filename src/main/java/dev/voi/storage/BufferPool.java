package dev.voi.storage;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Large buffers kept for reuse, at most {@code kept} of them; more are left to the collector.
 * Thread-safe. A buffer taken that does not fit is dropped.
 *
 * @param <T> the buffer type
 */
public final class BufferPool<T> {

  private final int kept;
  private final ConcurrentLinkedQueue<T> free = new ConcurrentLinkedQueue<>();
  private final AtomicInteger keptNow = new AtomicInteger();

  public BufferPool(int kept) {
    this.kept = kept;
  }

  /** A kept buffer that {@code fits}, else a {@code fresh} one. */
  public T take(Predicate<T> fits, Supplier<T> fresh) {
    T buffer;
    while ((buffer = free.poll()) != null) {
      keptNow.decrementAndGet();
      if (fits.test(buffer)) {
        return buffer;
      }
    }
    return fresh.get();
  }

  /** Returns a buffer that nothing reads or writes any more. */
  public void give(T buffer) {
    if (keptNow.incrementAndGet() <= kept) {
      free.add(buffer);
    } else {
      keptNow.decrementAndGet();
    }
  }
}
