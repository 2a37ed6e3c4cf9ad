package dev.voi.audits.control;

import dev.voi.audits.entity.AuditChange;
import dev.voi.audits.entity.AuditRun;
import dev.voi.audits.entity.AuditState;
import dev.voi.audits.entity.AuditTrigger;
import dev.voi.audits.entity.DecisionCount;
import dev.voi.audits.entity.Finding;
import dev.voi.audits.entity.StaleTerminal;
import dev.voi.chain.Reason;
import dev.voi.chain.Strategy;
import dev.voi.fleet.control.FleetDecisions;
import dev.voi.platform.Database;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The audit runs in the database: starting one under the lease, keeping the lease, writing the
 * report, reading runs back. Each change is its own short transaction; a run never holds one open
 * while it works.
 */
@ApplicationScoped
public class AuditRuns {

  private static final Logger LOG = Logger.getLogger(AuditRuns.class.getName());

  @PersistenceContext EntityManager em;

  @Resource(lookup = Database.LOOKUP)
  DataSource dataSource;

  private final AuditLease lease = new AuditLease(AuditLease.DEFAULT_TTL);

  public Duration leaseTime() {
    return lease.ttl();
  }

  /** Takes the lease and inserts the RUNNING run, or says who holds it (see {@link AuditLease}). */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public AuditLease.Start begin(AuditTrigger trigger, String holder, Duration minimumGap) {
    try (Connection c = dataSource.getConnection()) {
      return lease.begin(c, trigger, holder, minimumGap);
    } catch (SQLException e) {
      throw new PersistenceException("cannot take the audit lease: " + e.getMessage(), e);
    }
  }

  /** False when the lease is no longer the holder's. */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public boolean renew(String holder) {
    try (Connection c = dataSource.getConnection()) {
      return lease.renew(c, holder);
    } catch (SQLException e) {
      throw new PersistenceException("cannot renew the audit lease: " + e.getMessage(), e);
    }
  }

  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public void release(String holder) {
    try (Connection c = dataSource.getConnection()) {
      lease.release(c, holder);
    } catch (SQLException e) {
      throw new PersistenceException("cannot release the audit lease: " + e.getMessage(), e);
    }
  }

  /** The live lease, if a run holds it. */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public Optional<AuditLease.Holding> holding() {
    try (Connection c = dataSource.getConnection()) {
      return lease.holding(c);
    } catch (SQLException e) {
      throw new PersistenceException("cannot read the audit lease: " + e.getMessage(), e);
    }
  }

  /** Writes the report and marks the run FINISHED. */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public void finish(long runId, AuditReport report) {
    Optional<AuditRun> running = lockRunning(runId);
    if (running.isEmpty()) {
      return;
    }
    AuditRun run = running.get();
    run.recordSweep(report.layersChecked(), report.bytesChecked(), report.findings());
    FleetDecisions.Redecision redecision = report.redecision();
    run.recordDecisions(
        redecision.decisions(),
        counts(redecision),
        redecision.changed(),
        redecision.changes().stream().map(AuditRuns::change).toList());
    run.recordStale(
        report.stale().total(),
        report.stale().terminals().stream()
            .map(s -> new StaleTerminal(s.terminalId(), s.terminalName(), s.group(), s.lastSeen()))
            .toList());
    run.recordRollouts(report.rollouts());
    run.finish(databaseNow());
  }

  /** Marks the run FAILED, keeping the findings it made before it stopped. */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public void fail(long runId, String why, List<Finding> findings) {
    Optional<AuditRun> running = lockRunning(runId);
    if (running.isEmpty()) {
      return;
    }
    AuditRun run = running.get();
    run.recordSweep(0, 0, findings);
    run.fail(databaseNow(), why);
  }

  @Transactional
  public Optional<AuditRun> find(long id) {
    return Optional.ofNullable(em.find(AuditRun.class, id));
  }

  /** Runs newest first, with ids below {@code before} (a cursor; null for the newest). */
  @Transactional
  public List<AuditRun> newestFirst(Long before, int limit) {
    return em.createNamedQuery(AuditRun.NEWEST_FIRST, AuditRun.class)
        .setParameter("before", before == null ? Long.MAX_VALUE : before)
        .setMaxResults(limit)
        .getResultList();
  }

  private Optional<AuditRun> lockRunning(long runId) {
    AuditRun run = em.find(AuditRun.class, runId, LockModeType.PESSIMISTIC_WRITE);
    if (run == null || run.state() != AuditState.RUNNING) {
      LOG.warning(
          () ->
              "Audit run "
                  + runId
                  + " is "
                  + (run == null ? "gone" : run.state())
                  + ": its report is not written (it lost its lease)");
      return Optional.empty();
    }
    return Optional.of(run);
  }

  private Instant databaseNow() {
    try (Connection c = dataSource.getConnection()) {
      return AuditLease.databaseNow(c).toInstant();
    } catch (SQLException e) {
      throw new PersistenceException("cannot read the database clock: " + e.getMessage(), e);
    }
  }

  private static List<DecisionCount> counts(FleetDecisions.Redecision redecision) {
    List<DecisionCount> counts = new ArrayList<>();
    for (Strategy strategy : Strategy.values()) {
      counts.add(
          new DecisionCount(
              DecisionCount.Kind.STRATEGY,
              strategy.name(),
              redecision.byStrategy().getOrDefault(strategy, 0L)));
    }
    for (Reason reason : Reason.values()) {
      counts.add(
          new DecisionCount(
              DecisionCount.Kind.REASON,
              reason.name(),
              redecision.byReason().getOrDefault(reason, 0L)));
    }
    return counts;
  }

  private static AuditChange change(FleetDecisions.Change change) {
    return new AuditChange(
        change.terminalId(),
        change.terminalName(),
        change.image(),
        change.group(),
        change.wave(),
        change.oldStrategy() == null ? null : change.oldStrategy().name(),
        change.oldReason() == null ? null : change.oldReason().name(),
        change.newStrategy().name(),
        change.newReason().name());
  }
}
