package dev.voi.agent;

import java.util.function.LongSupplier;

/**
 * Keeps a transfer at or below {@code --max-mbps} megabits per second: after each block it sleeps
 * until the bytes so far would have taken that long at the limit. Not thread-safe; one per
 * transfer.
 */
final class RateLimiter {

  /** Sleeps for a number of nanoseconds. */
  @FunctionalInterface
  interface Sleeper {
    void sleepNanos(long nanos) throws InterruptedException;
  }

  private final double bytesPerSecond;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;
  private long start;
  private long bytes;

  /**
   * @param maxMbps megabits (10^6 bits) per second; 0 or less means unlimited
   */
  RateLimiter(double maxMbps, LongSupplier nanoTime, Sleeper sleeper) {
    this.bytesPerSecond = maxMbps > 0 ? maxMbps * 1_000_000 / 8 : 0;
    this.nanoTime = nanoTime;
    this.sleeper = sleeper;
    this.start = nanoTime.getAsLong();
  }

  static RateLimiter of(double maxMbps) {
    return new RateLimiter(
        maxMbps,
        System::nanoTime,
        nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)));
  }

  boolean isLimited() {
    return bytesPerSecond > 0;
  }

  /** Starts a new measuring window, e.g. after a pause for a retry. */
  void restart() {
    start = nanoTime.getAsLong();
    bytes = 0;
  }

  /** Accounts for {@code count} bytes just transferred and waits as long as the limit requires. */
  void transferred(long count) throws InterruptedException {
    if (!isLimited()) {
      return;
    }
    bytes += count;
    long due = start + (long) (bytes / bytesPerSecond * 1e9);
    long wait = due - nanoTime.getAsLong();
    if (wait > 0) {
      sleeper.sleepNanos(wait);
    }
  }
}
