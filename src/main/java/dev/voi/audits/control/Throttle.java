package dev.voi.audits.control;

/**
 * Limits how fast the integrity sweep reads ({@code voi.audit.sweep.mbps}), so that an audit does
 * not starve downloads of disk bandwidth. The caller reports every chunk it read and is put to
 * sleep until that many bytes are due at the configured rate. Time saved up while the sweep did
 * something else counts for at most {@link #MAX_CREDIT_NANOS}, so an idle pause is not followed by
 * an unthrottled burst.
 */
public final class Throttle {

  static final long MAX_CREDIT_NANOS = 1_000_000_000L;
  private static final double BYTES_PER_MEGABYTE = 1_000_000.0;

  /** Where the throttle reads the time and sleeps; replaced in tests. */
  interface Ticker {
    long nanoTime();

    void sleepNanos(long nanos) throws InterruptedException;
  }

  private static final Ticker SYSTEM =
      new Ticker() {
        @Override
        public long nanoTime() {
          return System.nanoTime();
        }

        @Override
        public void sleepNanos(long nanos) throws InterruptedException {
          Thread.sleep(nanos / 1_000_000L, (int) (nanos % 1_000_000L));
        }
      };

  private final double nanosPerByte;
  private final Ticker ticker;
  private boolean started;
  private long paidUntil;

  Throttle(double bytesPerSecond, Ticker ticker) {
    if (bytesPerSecond < 0 || Double.isNaN(bytesPerSecond)) {
      throw new IllegalArgumentException("a rate is not negative, got " + bytesPerSecond);
    }
    this.nanosPerByte = bytesPerSecond == 0 ? 0 : 1e9 / bytesPerSecond;
    this.ticker = ticker;
  }

  /**
   * A throttle at {@code megabytesPerSecond} MB/s (1 MB = 10^6 bytes); 0 means no limit.
   *
   * @throws IllegalArgumentException for a negative rate
   */
  public static Throttle megabytesPerSecond(double megabytesPerSecond) {
    return new Throttle(megabytesPerSecond * BYTES_PER_MEGABYTE, SYSTEM);
  }

  public boolean isUnlimited() {
    return nanosPerByte == 0;
  }

  /** Accounts for {@code bytes} just read, sleeping until they are due at the rate. */
  public void acquire(long bytes) throws InterruptedException {
    if (isUnlimited() || bytes <= 0) {
      return;
    }
    long now = ticker.nanoTime();
    if (!started) {
      started = true;
      paidUntil = now;
    } else if (now - paidUntil > MAX_CREDIT_NANOS) {
      paidUntil = now - MAX_CREDIT_NANOS;
    }
    paidUntil += (long) Math.ceil(bytes * nanosPerByte);
    long wait = paidUntil - now;
    if (wait > 0) {
      ticker.sleepNanos(wait);
    }
  }
}
