package dev.voi.audits.entity;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.OrderColumn;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One audit run (docs/design.md §7) and its report. The row is created, with the lease, by {@code
 * AuditLease} in plain SQL; the run fills in its report once at the end, finished or failed.
 */
@Entity
@Table(name = "audit_run")
@NamedQuery(
    name = AuditRun.NEWEST_FIRST,
    query = "SELECT r FROM AuditRun r WHERE r.id < :before ORDER BY r.id DESC")
public class AuditRun {

  public static final String NEWEST_FIRST = "AuditRun.newestFirst";

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(name = "trigger_kind", nullable = false, updatable = false, length = 8)
  private String trigger;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false, length = 16)
  private AuditState state;

  @Column(nullable = false, updatable = false, length = 200)
  private String holder;

  @Column(name = "started_at", nullable = false, updatable = false)
  private Instant startedAt;

  @Column(name = "finished_at")
  private Instant finishedAt;

  @Column(length = 2000)
  private String detail;

  @Column(name = "layers_checked", nullable = false)
  private int layersChecked;

  @Column(name = "bytes_checked", nullable = false)
  private long bytesChecked;

  @Column(name = "layers_quarantined", nullable = false)
  private int layersQuarantined;

  @Column(name = "finding_count", nullable = false)
  private int findingCount;

  @Column(nullable = false)
  private long decisions;

  @Column(name = "changed_count", nullable = false)
  private long changedCount;

  @Column(name = "stale_count", nullable = false)
  private long staleCount;

  @ElementCollection
  @CollectionTable(name = "audit_count", joinColumns = @JoinColumn(name = "run_id"))
  @OrderColumn(name = "seq")
  private List<DecisionCount> counts = new ArrayList<>();

  @ElementCollection
  @CollectionTable(name = "audit_finding", joinColumns = @JoinColumn(name = "run_id"))
  @OrderColumn(name = "seq")
  private List<Finding> findings = new ArrayList<>();

  @ElementCollection
  @CollectionTable(name = "audit_change", joinColumns = @JoinColumn(name = "run_id"))
  @OrderColumn(name = "seq")
  private List<AuditChange> changes = new ArrayList<>();

  @ElementCollection
  @CollectionTable(name = "audit_stale", joinColumns = @JoinColumn(name = "run_id"))
  @OrderColumn(name = "seq")
  private List<StaleTerminal> staleTerminals = new ArrayList<>();

  @ElementCollection
  @CollectionTable(name = "audit_rollout", joinColumns = @JoinColumn(name = "run_id"))
  @OrderColumn(name = "seq")
  @Column(name = "line", nullable = false, length = 1000)
  private List<String> rollouts = new ArrayList<>();

  protected AuditRun() {}

  public Long id() {
    return id;
  }

  public AuditTrigger trigger() {
    return AuditTrigger.ofWireName(trigger);
  }

  public AuditState state() {
    return state;
  }

  public String holder() {
    return holder;
  }

  public Instant startedAt() {
    return startedAt;
  }

  public Instant finishedAt() {
    return finishedAt;
  }

  public String detail() {
    return detail;
  }

  public int layersChecked() {
    return layersChecked;
  }

  public long bytesChecked() {
    return bytesChecked;
  }

  public int layersQuarantined() {
    return layersQuarantined;
  }

  public int findingCount() {
    return findingCount;
  }

  public long decisions() {
    return decisions;
  }

  public long changedCount() {
    return changedCount;
  }

  public long staleCount() {
    return staleCount;
  }

  public List<DecisionCount> counts() {
    return List.copyOf(counts);
  }

  public List<Finding> findings() {
    return List.copyOf(findings);
  }

  public List<AuditChange> changes() {
    return List.copyOf(changes);
  }

  public List<StaleTerminal> staleTerminals() {
    return List.copyOf(staleTerminals);
  }

  /** What the integrity sweep and the orphan scan did. */
  public void recordSweep(int layersChecked, long bytesChecked, List<Finding> findings) {
    this.layersChecked = layersChecked;
    this.bytesChecked = bytesChecked;
    this.findings.clear();
    this.findings.addAll(findings);
    this.findingCount = findings.size();
    this.layersQuarantined = (int) findings.stream().filter(Finding::quarantined).count();
  }

  /**
   * What the re-decision did: every answer counted per strategy and reason, and the changes (the
   * first ones; {@code changedCount} counts all).
   */
  public void recordDecisions(
      long decisions, List<DecisionCount> counts, long changedCount, List<AuditChange> changes) {
    this.decisions = decisions;
    this.counts.clear();
    this.counts.addAll(counts);
    this.changedCount = changedCount;
    this.changes.clear();
    this.changes.addAll(changes);
  }

  /** What the run did to rollouts: waves advanced, rollouts halted, one line each. */
  public List<String> rollouts() {
    return List.copyOf(rollouts);
  }

  public void recordRollouts(List<String> lines) {
    this.rollouts.clear();
    lines.stream()
        .map(line -> line.length() > 1000 ? line.substring(0, 1000) : line)
        .forEach(this.rollouts::add);
  }

  /** The terminals not seen for the threshold (the first ones; {@code staleCount} counts all). */
  public void recordStale(long staleCount, List<StaleTerminal> staleTerminals) {
    this.staleCount = staleCount;
    this.staleTerminals.clear();
    this.staleTerminals.addAll(staleTerminals);
  }

  public void finish(Instant at) {
    requireRunning();
    this.state = AuditState.FINISHED;
    this.finishedAt = at;
  }

  public void fail(Instant at, String why) {
    requireRunning();
    this.state = AuditState.FAILED;
    this.finishedAt = at;
    this.detail = Finding.truncate(why == null ? "failed" : why);
  }

  private void requireRunning() {
    if (state != AuditState.RUNNING) {
      throw new IllegalStateException("audit run " + id + " is " + state + ", not RUNNING");
    }
  }
}
