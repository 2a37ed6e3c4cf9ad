package dev.voi.platform;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The system clock in UTC, moved by an offset that tests set (only where {@code
 * voi.clock.adjustable} allows it): maintenance windows open and close without anybody waiting.
 */
public final class AdjustableClock extends Clock {

  private final Clock system;
  private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

  public AdjustableClock(Clock system) {
    this.system = system;
  }

  /** Moves the clock so that it reads {@code now} at this moment, and runs on from there. */
  public void set(Instant now) {
    offset.set(Duration.between(system.instant(), now));
  }

  /** Back to the system's time. */
  public void reset() {
    offset.set(Duration.ZERO);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return Clock.offset(system.withZone(zone), offset.get());
  }

  @Override
  public Instant instant() {
    return system.instant().plus(offset.get());
  }

  @Override
  public long millis() {
    return system.millis() + offset.get().toMillis();
  }
}
