package dev.voi.audits.boundary;

import dev.voi.audits.control.AuditLease;
import dev.voi.audits.control.Auditor;
import dev.voi.audits.entity.AuditTrigger;
import dev.voi.platform.VoiConfig;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts an audit every {@code voi.audit.interval.minutes} (0 turns it off). The timer is not
 * persistent: every instance schedules its own at start-up, and the audit lease decides which one
 * runs; a tick that finds another run holding the lease is recorded as a SKIPPED run.
 */
@Startup
@Singleton
@DependsOn({"SchemaMigration", "ServerIdentity"})
@TransactionManagement(TransactionManagementType.BEAN)
public class AuditTimer {

  private static final Logger LOG = Logger.getLogger(AuditTimer.class.getName());

  @Resource TimerService timers;
  @Inject Auditor auditor;
  @Inject VoiConfig config;

  @PostConstruct
  void schedule() {
    Duration interval = config.auditInterval();
    if (interval.isZero()) {
      LOG.info("Scheduled audits are off (voi.audit.interval.minutes is 0 or less)");
      return;
    }
    long millis = interval.toMillis();
    timers.createIntervalTimer(millis, millis, new TimerConfig("voi-audit", false));
    LOG.info(() -> "Audits are scheduled every " + interval.toMillis() / 1000.0 + " s");
  }

  @Timeout
  void tick() {
    try {
      AuditLease.Start start = auditor.start(AuditTrigger.TIMER);
      if (start instanceof AuditLease.Skipped skipped) {
        LOG.info(
            () ->
                "Scheduled audit skipped (recorded as run "
                    + skipped.id()
                    + "): run "
                    + skipped.holding().runId()
                    + " holds the audit lease");
      } else if (start instanceof AuditLease.NotDue notDue) {
        LOG.fine(() -> "Scheduled audit not due: the last one started at " + notDue.lastStarted());
      }
    } catch (RuntimeException e) {
      // A failed tick must not cancel the timer; the next one tries again.
      LOG.log(Level.WARNING, "The scheduled audit could not start", e);
    }
  }
}
