package dev.voi.housekeeping.boundary;

import dev.voi.answers.control.AnswerKeeper;
import dev.voi.answers.control.ChainSnapshotReader;
import dev.voi.answers.control.ChainSnapshots;
import dev.voi.answers.entity.AnswerChange;
import dev.voi.chain.rollout.MaintenanceWindows;
import dev.voi.coherence.control.RemoteTerminalChanges;
import dev.voi.fleet.control.Redecider;
import dev.voi.groups.control.Groups;
import dev.voi.housekeeping.control.HistoryRetention;
import dev.voi.platform.DatabaseOutage;
import dev.voi.platform.VoiConfig;
import dev.voi.terminals.control.LastSeen;
import dev.voi.terminals.control.SeenWriter;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every five seconds: writes the "last seen" moments gathered in memory in one batch, notices image
 * and terminal changes made by another server instance on the same database (their events do not
 * reach this one), and prunes history older than {@code voi.history.retention.days}. Each duty in
 * its own transaction; one failing does not stop the others.
 */
@Singleton
@Startup
@DependsOn("SchemaMigration")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class Housekeeping {

  private static final Logger LOG = Logger.getLogger(Housekeeping.class.getName());

  @Inject LastSeen lastSeen;
  @Inject SeenWriter seenWriter;
  @Inject ChainSnapshots snapshots;
  @Inject ChainSnapshotReader chains;
  @Inject Redecider redecider;
  @Inject RemoteTerminalChanges terminalChanges;
  @Inject HistoryRetention history;
  @Inject Groups groups;
  @Inject VoiConfig config;
  @Inject Clock clock;

  private final AtomicBoolean busy = new AtomicBoolean();

  /** Whether each group's windows were open at the last tick. */
  private final Map<String, Boolean> windowOpen = new java.util.concurrent.ConcurrentHashMap<>();

  @Schedule(hour = "*", minute = "*", second = "*/5", persistent = false)
  void tick() {
    if (!busy.compareAndSet(false, true)) {
      return; // the previous tick is still at work
    }
    try {
      writeLastSeen();
      noticeChangesFromElsewhere();
      noticeWindowEdges();
      prune();
    } finally {
      busy.set(false);
    }
  }

  void writeLastSeen() {
    Map<Long, Instant> seen = lastSeen.drain();
    try {
      seenWriter.write(seen);
    } catch (Exception e) {
      seen.forEach(lastSeen::mark); // try again at the next tick
      warn("Could not write last-seen moments of " + seen.size() + " terminals", e);
    }
  }

  void noticeChangesFromElsewhere() {
    try {
      Map<String, Long> current = chains.revisions();
      snapshots
          .cachedRevisions()
          .forEach(
              (image, cached) -> {
                Long revision = current.get(image);
                if (revision == null || revision.longValue() != cached) {
                  redecider.changed(image, AnswerChange.BY_LINEAGE);
                }
              });
    } catch (RuntimeException e) {
      warn("Could not compare image revisions", e);
    }
    try {
      terminalChanges.poll();
    } catch (Exception e) {
      warn("Could not read the terminal changes of other instances", e);
    }
  }

  /**
   * A group's maintenance window that opened or closed since the last tick (or that this instance
   * sees for the first time): its terminals' stored answers are decided again, set-based, with the
   * edge as their trigger. Polls do not wait for this: a cached answer expires at the edge itself.
   */
  void noticeWindowEdges() {
    try {
      Instant now = clock.instant();
      Map<String, MaintenanceWindows> windows = groups.windows();
      windowOpen.keySet().retainAll(windows.keySet());
      windows.forEach(
          (group, schedule) -> {
            boolean open = schedule.isOpen(now);
            Boolean before = windowOpen.put(group, open);
            if (before == null || before != open) {
              long written =
                  redecider.windowPassed(
                      group, open ? AnswerKeeper.WINDOW_OPENED : AnswerKeeper.WINDOW_CLOSED);
              if (before != null) {
                LOG.info(
                    () ->
                        "Group "
                            + group
                            + ": a maintenance window "
                            + (open ? "opened" : "closed")
                            + ", "
                            + written
                            + " answers written");
              }
            }
          });
    } catch (RuntimeException e) {
      warn("Could not look at the maintenance windows", e);
    }
  }

  void prune() {
    int days = config.historyRetentionDays();
    if (days <= 0) {
      return;
    }
    try {
      int removed = history.pruneBefore(clock.instant().minus(Duration.ofDays(days)));
      if (removed > 0) {
        LOG.info(() -> "Pruned " + removed + " history rows older than " + days + " days");
      }
    } catch (RuntimeException e) {
      warn("Could not prune the history", e);
    }
  }

  /** A failure of a tick: while the database is away, one line now and then, not a trace a tick. */
  private void warn(String what, Exception e) {
    if (DatabaseOutage.isOutage(e)) {
      DatabaseOutage.note(e, clock);
    } else {
      LOG.log(Level.WARNING, what, e);
    }
  }
}
