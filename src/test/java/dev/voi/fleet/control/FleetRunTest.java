package dev.voi.fleet.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.voi.chain.Reason;
import dev.voi.chain.Strategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FleetRunTest {

  private final ExecutorService pool = Executors.newFixedThreadPool(3);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void everyRangeRunsOnceWithItsBoundsAndTheResultsAreSummed() {
    List<Long> starts = List.of(1L, 101L, 250L, 400L);
    Map<Long, Long> calls = new ConcurrentHashMap<>();
    Set<String> threads = ConcurrentHashMap.newKeySet();
    CountDownLatch together = new CountDownLatch(2);
    FleetRun run =
        FleetRun.run(
            starts,
            100,
            3,
            pool,
            (after, before, limit) -> {
              threads.add(Thread.currentThread().getName());
              together.countDown();
              awaitQuietly(together); // two ranges are under way at once
              assertThat(limit).isEqualTo(150);
              assertThat(calls.put(after, before)).as("range after %d run once", after).isNull();
              long terminal = after + 1;
              return new FleetSql.Batch(
                  10,
                  after + 10,
                  4,
                  1,
                  List.of(
                      new FleetSql.Changed(
                          terminal,
                          terminal % 2,
                          "default",
                          0,
                          Strategy.STOP,
                          Reason.UP_TO_DATE,
                          Strategy.FULL,
                          Reason.NO_LOCAL_CHAIN)));
            },
            2);
    assertThat(calls)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(0L, 101L, 100L, 250L, 249L, 400L, 399L, Long.MAX_VALUE));
    assertThat(threads).hasSizeGreaterThan(1);
    assertThat(run.read()).isEqualTo(40);
    assertThat(run.written()).isEqualTo(16);
    assertThat(run.lost()).isEqualTo(4);
    assertThat(run.changed()).isEqualTo(4);
    assertThat(run.kept()).extracting(FleetSql.Changed::terminalId).containsExactly(1L, 101L);
    assertThat(run.touched()).containsExactlyInAnyOrder(0L, 1L);
  }

  @Test
  void aFullRangeIsReadOnUntilItRunsShort() {
    List<long[]> calls = new ArrayList<>();
    FleetRun run =
        FleetRun.run(
            List.of(5L),
            2,
            1,
            pool,
            (after, before, limit) -> {
              calls.add(new long[] {after, before});
              int read = calls.size() < 3 ? limit : 1;
              return new FleetSql.Batch(read, after + read, 0, 0, List.of());
            },
            10);
    assertThat(calls)
        .extracting(c -> c[0])
        .containsExactly(0L, 3L, 6L); // limit 3 per call: 3, 3, then 1
    assertThat(run.read()).isEqualTo(7);
  }

  @Test
  void theCallerDoesEverythingWhenNoHelperEverStarts() {
    List<Runnable> neverRun = new ArrayList<>();
    AtomicInteger done = new AtomicInteger();
    FleetRun.inParallel(7, 4, neverRun::add, i -> done.incrementAndGet());
    assertThat(done).hasValue(7);
    assertThat(neverRun).hasSize(3);
    neverRun.forEach(Runnable::run); // starting late, they find nothing left to do
    assertThat(done).hasValue(7);

    FleetRun.inParallel(
        5,
        4,
        task -> {
          throw new RejectedExecutionException("full");
        },
        i -> done.incrementAndGet());
    assertThat(done).hasValue(12);
  }

  @Test
  void theFirstFailureStopsTheOthersAndIsRethrown() {
    AtomicInteger started = new AtomicInteger();
    assertThatThrownBy(
            () ->
                FleetRun.inParallel(
                    1000,
                    2,
                    pool,
                    i -> {
                      started.incrementAndGet();
                      if (i == 3) {
                        throw new IllegalStateException("database gone");
                      }
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("database gone");
    assertThat(started.get()).isLessThan(1000);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
