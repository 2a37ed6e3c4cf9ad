package dev.voi.soap.boundary;

import dev.voi.audits.boundary.AuditPageView;
import dev.voi.audits.boundary.AuditSummaryView;
import dev.voi.audits.boundary.AuditView;
import dev.voi.audits.boundary.AuditsResource;
import dev.voi.audits.control.AuditLease;
import dev.voi.audits.control.AuditRuns;
import dev.voi.audits.control.Auditor;
import dev.voi.audits.entity.AuditRun;
import dev.voi.audits.entity.AuditTrigger;
import dev.voi.platform.Page;
import dev.voi.platform.ProblemType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.List;

/**
 * The audit operations in a transaction each, as their REST twins run (a run's report is read
 * lazily); {@link SoapEndpoint} maps their refusals outside it. The views are the REST ones: JAXB
 * annotated, written by MOXy for REST's XML and by the JAXB runtime for SOAP.
 */
@ApplicationScoped
public class SoapAudits {

  @Inject Auditor auditor;
  @Inject AuditRuns runs;

  @Transactional
  public AuditView start() {
    AuditLease.Start start = auditor.start(AuditTrigger.API);
    if (start instanceof AuditLease.Started started) {
      return runs.find(started.runId()).map(AuditView::of).orElse(null);
    }
    AuditLease.Holding holding = ((AuditLease.Busy) start).holding();
    throw ProblemType.AUDIT_RUNNING.refuse(
        holding.runId() == null
            ? "another audit took the audit lease and let it go while this request looked; try"
                + " again"
            : "audit run " + holding.runId() + " is running; getAuditRun(" + holding.runId() + ")");
  }

  @Transactional
  public AuditView get(String id) {
    long runId = AuditsResource.runId(id);
    return runs.find(runId)
        .map(AuditView::of)
        .orElseThrow(() -> ProblemType.NOT_FOUND.refuse("no audit run " + id));
  }

  @Transactional
  public AuditPageView list(Integer limit, String cursor) {
    int size = Page.limit(limit);
    List<AuditRun> page = runs.newestFirst(AuditsResource.cursor(cursor), size + 1);
    List<AuditSummaryView> items = page.stream().limit(size).map(AuditSummaryView::of).toList();
    String next = page.size() > size ? Long.toString(items.get(size - 1).getId()) : null;
    return new AuditPageView(items, next);
  }
}
