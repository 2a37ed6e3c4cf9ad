package dev.voi.platform;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;

/**
 * The clock and the randomness the server uses, in one place so that they are replaceable. The
 * clock is the system's in UTC; with {@code voi.clock.adjustable} (tests only) an administrator may
 * move it.
 */
@ApplicationScoped
public class Environment {

  @Inject VoiConfig config;

  private Clock clock = Clock.systemUTC();
  private AdjustableClock adjustable;
  private final SecureRandom random = new SecureRandom();

  @PostConstruct
  void init() {
    if (config.clockAdjustable()) {
      adjustable = new AdjustableClock(Clock.systemUTC());
      clock = adjustable;
    }
  }

  @Produces
  public Clock clock() {
    return clock;
  }

  /** The clock an administrator may move, empty unless {@code voi.clock.adjustable} is set. */
  public Optional<AdjustableClock> adjustable() {
    return Optional.ofNullable(adjustable);
  }

  @Produces
  public SecureRandom random() {
    return random;
  }
}
