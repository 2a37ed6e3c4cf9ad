package dev.voi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

  long now;
  final List<Long> sleeps = new ArrayList<>();

  RateLimiter limiter(double mbps) {
    return new RateLimiter(
        mbps,
        () -> now,
        nanos -> {
          sleeps.add(nanos);
          now += nanos;
        });
  }

  @Test
  void sleepsSoThatTheAverageStaysAtTheLimit() throws InterruptedException {
    RateLimiter limiter = limiter(8); // 8 Mbit/s = 1,000,000 bytes/s
    limiter.transferred(500_000);
    assertThat(sleeps).containsExactly(500_000_000L);
    now += 100_000_000L; // the next block took 0.1 s to arrive
    limiter.transferred(500_000);
    assertThat(now).isEqualTo(1_000_000_000L);
    assertThat(sleeps).containsExactly(500_000_000L, 400_000_000L);
  }

  @Test
  void doesNotSleepWhenTheTransferIsSlowerThanTheLimit() throws InterruptedException {
    RateLimiter limiter = limiter(8);
    now += 2_000_000_000L;
    limiter.transferred(1_000_000);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void zeroMeansUnlimited() throws InterruptedException {
    RateLimiter limiter = limiter(0);
    limiter.transferred(Long.MAX_VALUE / 2);
    assertThat(limiter.isLimited()).isFalse();
    assertThat(sleeps).isEmpty();
  }

  @Test
  void formatsUnits() {
    assertThat(Units.bytes(512)).isEqualTo("512 B");
    assertThat(Units.bytes(1536)).isEqualTo("1.5 KiB");
    assertThat(Units.bytes(27L * 1024 * 1024)).isEqualTo("27.0 MiB");
    assertThat(Units.rate(5.1 * 1024 * 1024)).isEqualTo("5.1 MiB/s");
    assertThat(Units.duration(java.time.Duration.ofSeconds(3723))).isEqualTo("1:02:03");
    assertThat(Units.duration(java.time.Duration.ofSeconds(7))).isEqualTo("0:07");
    assertThat(Units.duration(null)).isEqualTo("--:--");
  }
}
