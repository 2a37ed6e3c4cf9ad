package dev.voi.audits.control;

import dev.voi.audits.entity.Finding;
import dev.voi.fleet.control.FleetDecisions;
import java.util.List;
import java.util.Objects;

/**
 * Everything a finished run found, written to its row in one transaction.
 *
 * @param findings the sweep's findings, then the orphans
 * @param rollouts what the run did to rollouts (waves advanced, rollouts halted), one line each
 */
public record AuditReport(
    int layersChecked,
    long bytesChecked,
    List<Finding> findings,
    FleetDecisions.Redecision redecision,
    FleetDecisions.StaleTerminals stale,
    List<String> rollouts) {

  public AuditReport {
    findings = List.copyOf(findings);
    rollouts = List.copyOf(rollouts);
    Objects.requireNonNull(redecision, "redecision");
    Objects.requireNonNull(stale, "stale");
  }
}
