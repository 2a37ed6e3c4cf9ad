package dev.voi.fleet.control;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One re-decision of many stored answers (the whole fleet's, or one image's), split into ranges of
 * assignment ids ({@link FleetSql#rangeStarts}) that run side by side: on the calling thread and on
 * up to {@code workers - 1} helpers from an executor, each range a few short transactions of its
 * own ({@link Batches}). The results are summed as the ranges finish.
 *
 * <p>Plain Java, so that the benchmark drives exactly this code on plain JDBC connections. The
 * caller always works itself and never waits for a helper that has not started: a helper that an
 * exhausted executor never runs is simply not needed (the caller has taken its ranges).
 */
public final class FleetRun {

  /** Re-decides up to {@code limit} rows with ids after {@code after} and below {@code before}. */
  @FunctionalInterface
  public interface Batches {
    FleetSql.Batch redecide(long after, long before, int limit);
  }

  private final int changeLimit;
  private long read;
  private long written;
  private long lost;
  private long changed;
  private final List<FleetSql.Changed> kept = new ArrayList<>();
  private final Set<Long> touched = new LinkedHashSet<>();

  private FleetRun(int changeLimit) {
    this.changeLimit = changeLimit;
  }

  /**
   * Runs every range.
   *
   * @param starts the first id of each range, ascending ({@link FleetSql#rangeStarts})
   * @param rangeSize the rows per range the starts were planned with
   * @param workers how many ranges may run at once, the calling thread included
   * @param changeLimit how many changed answers to keep (the lowest terminal ids), for the report
   */
  public static FleetRun run(
      List<Long> starts,
      int rangeSize,
      int workers,
      Executor executor,
      Batches batches,
      int changeLimit) {
    FleetRun run = new FleetRun(changeLimit);
    // Room for rows added to a range after it was planned: a range normally takes one call.
    int limit = rangeSize + rangeSize / 2;
    inParallel(
        starts.size(),
        workers,
        executor,
        i -> {
          long after = i == 0 ? 0 : starts.get(i) - 1;
          long before = i + 1 < starts.size() ? starts.get(i + 1) : Long.MAX_VALUE;
          while (true) {
            FleetSql.Batch batch = batches.redecide(after, before, limit);
            run.add(batch);
            if (batch.read() < limit) {
              return;
            }
            after = batch.lastId();
          }
        });
    return run;
  }

  /**
   * Runs {@code task} for every index below {@code tasks}, on the calling thread and up to {@code
   * workers - 1} helpers; the first failure stops the others from taking more and is rethrown.
   */
  static void inParallel(
      int tasks, int workers, Executor executor, java.util.function.IntConsumer task) {
    AtomicInteger next = new AtomicInteger();
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    Runnable loop =
        () -> {
          int i;
          while (failure.get() == null && (i = next.getAndIncrement()) < tasks) {
            try {
              task.accept(i);
            } catch (RuntimeException | Error e) {
              RuntimeException wrapped =
                  e instanceof RuntimeException r ? r : new IllegalStateException(e);
              failure.compareAndSet(null, wrapped);
            }
          }
        };
    int helpers = Math.max(0, Math.min(workers, tasks) - 1);
    List<AtomicBoolean> claims = new ArrayList<>();
    List<CountDownLatch> ends = new ArrayList<>();
    for (int h = 0; h < helpers; h++) {
      AtomicBoolean claim = new AtomicBoolean();
      CountDownLatch end = new CountDownLatch(1);
      try {
        executor.execute(
            () -> {
              if (claim.compareAndSet(false, true)) {
                try {
                  loop.run();
                } finally {
                  end.countDown();
                }
              }
            });
      } catch (RejectedExecutionException e) {
        continue; // the caller does the work
      }
      claims.add(claim);
      ends.add(end);
    }
    loop.run();
    boolean interrupted = false;
    for (int h = 0; h < claims.size(); h++) {
      if (!claims.get(h).compareAndSet(false, true)) { // it started: wait for its last range
        while (true) {
          try {
            ends.get(h).await();
            break;
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure.get() != null) {
      throw failure.get();
    }
  }

  private synchronized void add(FleetSql.Batch batch) {
    read += batch.read();
    written += batch.written();
    lost += batch.lost();
    changed += batch.changed().size();
    for (FleetSql.Changed change : batch.changed()) {
      touched.add(change.imageId());
    }
    kept.addAll(batch.changed());
    kept.sort(Comparator.comparingLong(FleetSql.Changed::terminalId));
    if (kept.size() > changeLimit) {
      kept.subList(changeLimit, kept.size()).clear();
    }
  }

  public synchronized long read() {
    return read;
  }

  public synchronized long written() {
    return written;
  }

  public synchronized long lost() {
    return lost;
  }

  /** How many answers changed strategy or reason. */
  public synchronized long changed() {
    return changed;
  }

  /** The changed answers of the lowest terminal ids, at most {@code changeLimit}. */
  public synchronized List<FleetSql.Changed> kept() {
    return List.copyOf(kept);
  }

  /** The images with a changed answer. */
  public synchronized Set<Long> touched() {
    return Set.copyOf(touched);
  }
}
