package dev.voi.audits.control;

import dev.voi.audits.control.AuditLease.Start;
import dev.voi.audits.control.AuditLease.Started;
import dev.voi.audits.entity.AuditTrigger;
import dev.voi.audits.entity.Finding;
import dev.voi.chain.ImageName;
import dev.voi.fleet.control.FleetDecisions;
import dev.voi.metrics.control.Meters;
import dev.voi.platform.VoiConfig;
import dev.voi.rollouts.control.Rollouts;
import dev.voi.storage.LayerStore;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Runs audits (docs/design.md §7). The timer and {@code POST /api/v1/audits} both call {@link
 * #start}, which takes the lease and returns at once; the run itself goes on in the container's
 * managed executor:
 *
 * <ol>
 *   <li>the integrity sweep of every layer file (quarantining the bad ones at once);
 *   <li>the orphan scan;
 *   <li>the re-decision of every terminal's answer, through {@link FleetDecisions};
 *   <li>the terminals not seen for {@code voi.audit.stale.minutes}.
 * </ol>
 *
 * The sweep comes first so that the counts per strategy and reason describe the fleet as it stands
 * after this run's quarantines. A quarantine also fires {@code ChainChanged}, which re-decides that
 * image's terminals at once; the run's own re-decision then finds them already changed.
 */
@ApplicationScoped
public class Auditor {

  private static final Logger LOG = Logger.getLogger(Auditor.class.getName());

  /** How many changed and stale terminals a run lists (it counts all of them). */
  static final int LIST_LIMIT = 1000;

  /** This server instance, as lease holders and run rows name it: {@code pid@host}. */
  private static final String INSTANCE = ManagementFactory.getRuntimeMXBean().getName();

  @Resource ManagedExecutorService executor;
  @Inject AuditRuns runs;
  @Inject LayerInventory inventory;
  @Inject LayerStore store;
  @Inject VoiConfig config;
  @Inject Instance<FleetDecisions> fleet;
  @Inject Instance<Rollouts> rollouts;
  @Inject SecureRandom random;
  @Inject Clock clock;
  @Inject Meters meters;

  /**
   * Starts an audit unless one runs (on any instance). A timer tick that comes less than about an
   * interval after the last run of any instance does nothing, so that several instances' timers
   * make one audit per interval.
   *
   * @return {@link Started} (the run goes on in the background), or why nothing started
   */
  public Start start(AuditTrigger trigger) {
    byte[] nonce = new byte[4];
    random.nextBytes(nonce);
    String holder = INSTANCE + "#" + HexFormat.of().formatHex(nonce);
    Duration gap = trigger == AuditTrigger.TIMER ? minimumGap() : null;
    Start start = runs.begin(trigger, holder, gap);
    if (start instanceof Started started) {
      LOG.info(() -> "Audit " + started.runId() + " (" + trigger.wireName() + ") started");
      try {
        executor.execute(() -> run(started));
      } catch (RejectedExecutionException e) {
        runs.fail(
            started.runId(), "the server could not schedule it: " + e.getMessage(), List.of());
        runs.release(holder);
        throw e;
      }
    }
    return start;
  }

  Duration minimumGap() {
    return minimumGap(config.auditInterval());
  }

  /**
   * A timer tick is due when no run started within the interval less a tenth of it (at most one
   * minute): ticks of several instances, or a tick right after a requested run, then do nothing,
   * while a tick that comes a little early (timers drift) still runs.
   */
  static Duration minimumGap(Duration interval) {
    Duration slack = interval.dividedBy(10);
    Duration minute = Duration.ofMinutes(1);
    return interval.minus(slack.compareTo(minute) > 0 ? minute : slack);
  }

  private void run(Started started) {
    long runId = started.runId();
    long began = System.nanoTime();
    Lease lease = new Lease(started.holder());
    IntegritySweep sweep =
        new IntegritySweep(
            store,
            Throttle.megabytesPerSecond(config.auditSweepMbps()),
            lease::checkpoint,
            inventory::quarantine);
    List<Finding> orphans = new ArrayList<>();
    try {
      AuditReport report = audit(runId, sweep, orphans, lease);
      lease.checkpoint();
      runs.finish(runId, report);
      LOG.info(() -> summary(runId, report, began));
      meters.audit(
          true,
          Duration.ofNanos(System.nanoTime() - began),
          byKind(report.findings()),
          report.redecision().decisions(),
          report.redecision().changed());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failQuietly(runId, "interrupted: the server is stopping", sweep, orphans, began);
    } catch (LeaseLost e) {
      failQuietly(runId, e.getMessage(), sweep, orphans, began);
    } catch (RuntimeException | IOException | Error e) {
      LOG.log(Level.SEVERE, "Audit " + runId + " failed", e);
      failQuietly(runId, describe(e), sweep, orphans, began);
    } finally {
      try {
        runs.release(started.holder());
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "Audit " + runId + " could not release its lease; it expires", e);
      }
    }
  }

  private AuditReport audit(long runId, IntegritySweep sweep, List<Finding> orphans, Lease lease)
      throws InterruptedException, IOException {
    IntegritySweep.Result swept = sweep.sweep(inventory.storedLayers());
    lease.checkpoint();
    if (!swept.storageUnavailable()) {
      orphans.addAll(new OrphanScan(store).scan(inventory::referencedFiles));
    }
    lease.checkpoint();
    FleetDecisions.Redecision redecision = FleetDecisions.Redecision.none();
    FleetDecisions.StaleTerminals stale = FleetDecisions.StaleTerminals.none();
    if (!fleet.isUnsatisfied()) {
      FleetDecisions decisions = fleet.get();
      redecision = decisions.redecideAll("audit " + runId, LIST_LIMIT);
      lease.checkpoint();
      stale =
          decisions.staleTerminals(
              clock.instant().minus(Duration.ofMinutes(config.auditStaleMinutes())), LIST_LIMIT);
    }
    List<String> moved = new ArrayList<>();
    if (!rollouts.isUnsatisfied()) {
      Rollouts plans = rollouts.get();
      for (ImageName image : plans.imagesWithPlans()) {
        // After the re-decision, so that the counts are those of the answers just stored.
        moved.addAll(plans.check(image, "audit " + runId));
        lease.checkpoint();
      }
    }
    List<Finding> findings = new ArrayList<>(swept.findings());
    findings.addAll(orphans);
    return new AuditReport(
        swept.layersChecked(), swept.bytesChecked(), findings, redecision, stale, moved);
  }

  private void failQuietly(
      long runId, String why, IntegritySweep sweep, List<Finding> orphans, long began) {
    List<Finding> findings = new ArrayList<>(sweep.findingsSoFar());
    findings.addAll(orphans);
    meters.audit(false, Duration.ofNanos(System.nanoTime() - began), byKind(findings), 0, 0);
    LOG.warning(() -> "Audit " + runId + " failed: " + why);
    try {
      runs.fail(runId, why, findings);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Audit " + runId + " could not be marked FAILED", e);
    }
  }

  /** Findings counted per kind, for the metrics. */
  static Map<String, Long> byKind(List<Finding> findings) {
    return findings.stream()
        .collect(Collectors.groupingBy(f -> f.kind().name(), TreeMap::new, Collectors.counting()));
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  private static String summary(long runId, AuditReport report, long began) {
    long quarantined = report.findings().stream().filter(Finding::quarantined).count();
    return String.format(
        "Audit %d finished in %.2f s: %d layer files (%d bytes) checked, %d finding(s), %d"
            + " quarantined, %d answers re-decided, %d changed, %d terminal(s) not seen",
        runId,
        (System.nanoTime() - began) / 1e9,
        report.layersChecked(),
        report.bytesChecked(),
        report.findings().size(),
        quarantined,
        report.redecision().decisions(),
        report.redecision().changed(),
        report.stale().total());
  }

  /** Thrown when a run finds that its lease expired and another run took it. */
  static final class LeaseLost extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LeaseLost(String holder) {
      super("lost the audit lease (" + holder + "): another run took it over after it expired");
    }
  }

  /** Renews the run's lease as the run makes progress: a run that hangs lets it expire. */
  private final class Lease {
    private final String holder;
    private final long renewEveryNanos = runs.leaseTime().dividedBy(6).toNanos();
    private long renewedAt = System.nanoTime();

    Lease(String holder) {
      this.holder = holder;
    }

    void checkpoint() {
      long now = System.nanoTime();
      if (now - renewedAt < renewEveryNanos) {
        return;
      }
      if (!runs.renew(holder)) {
        throw new LeaseLost(holder);
      }
      renewedAt = now;
    }
  }
}
