package dev.voi.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.security.SecureRandom;
import java.time.Clock;

/** The clock and the randomness the server uses, in one place so that they are replaceable. */
@ApplicationScoped
public class Environment {

  private final Clock clock = Clock.systemUTC();
  private final SecureRandom random = new SecureRandom();

  @Produces
  public Clock clock() {
    return clock;
  }

  @Produces
  public SecureRandom random() {
    return random;
  }
}
