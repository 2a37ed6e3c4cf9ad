package dev.voi.audits.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThrottleTest {

  /** A clock that only moves when the throttle sleeps, or when the test says so. */
  static final class FakeTicker implements Throttle.Ticker {
    long now = 1_000_000_000_000L;
    final List<Long> sleeps = new ArrayList<>();

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleepNanos(long nanos) {
      sleeps.add(nanos);
      now += nanos;
    }

    long slept() {
      return sleeps.stream().mapToLong(Long::longValue).sum();
    }
  }

  @Test
  void readingAtTheRateTakesBytesOverRateSeconds() throws InterruptedException {
    FakeTicker ticker = new FakeTicker();
    Throttle throttle = new Throttle(2_000_000, ticker);

    for (int i = 0; i < 40; i++) {
      throttle.acquire(250_000);
    }

    assertThat(ticker.slept()).isBetween(4_999_000_000L, 5_001_000_000L);
  }

  @Test
  void timeSpentElsewhereCountsAgainstTheWait() throws InterruptedException {
    FakeTicker ticker = new FakeTicker();
    Throttle throttle = new Throttle(1_000_000, ticker);

    throttle.acquire(1_000_000);
    ticker.now += 400_000_000L;
    throttle.acquire(1_000_000);

    assertThat(ticker.sleeps).containsExactly(1_000_000_000L, 600_000_000L);
  }

  @Test
  void aLongPauseEarnsAtMostOneSecondOfBurst() throws InterruptedException {
    FakeTicker ticker = new FakeTicker();
    Throttle throttle = new Throttle(1_000_000, ticker);
    throttle.acquire(1);
    ticker.sleeps.clear();
    ticker.now += 60_000_000_000L;

    throttle.acquire(1_000_000);
    assertThat(ticker.sleeps).isEmpty();
    throttle.acquire(1_000_000);

    assertThat(ticker.slept()).isBetween(999_000_000L, 1_001_000_000L);
  }

  @Test
  void zeroMeansUnlimited() throws InterruptedException {
    FakeTicker ticker = new FakeTicker();
    Throttle throttle = new Throttle(0, ticker);

    throttle.acquire(Long.MAX_VALUE / 2);

    assertThat(throttle.isUnlimited()).isTrue();
    assertThat(ticker.sleeps).isEmpty();
    assertThat(Throttle.megabytesPerSecond(0).isUnlimited()).isTrue();
  }

  @Test
  void megabytesAreMillionsOfBytes() throws InterruptedException {
    Throttle throttle = Throttle.megabytesPerSecond(50);
    long started = System.nanoTime();

    throttle.acquire(5_000_000);
    throttle.acquire(5_000_000);

    assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(190_000_000L);
  }

  @Test
  void aNegativeRateIsRefused() {
    assertThatThrownBy(() -> Throttle.megabytesPerSecond(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
