package dev.voi.audits.boundary;

import dev.voi.audits.entity.AuditRun;
import dev.voi.audits.entity.DecisionCount;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlAttribute;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlElementWrapper;
import jakarta.xml.bind.annotation.XmlType;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One audit run without its lists, as {@code GET /api/v1/audits} shows it. A class, not a record:
 * MOXy binds classes (the XML of docs/design.md §9), JSON-B reads the same getters, so both carry
 * the same data under the same names.
 */
@XmlAccessorType(XmlAccessType.FIELD)
@XmlType(
    name = "auditSummary",
    propOrder = {
      "id",
      "url",
      "trigger",
      "state",
      "holder",
      "startedAt",
      "finishedAt",
      "detail",
      "sweep",
      "terminals"
    })
@JsonbPropertyOrder({
  "id",
  "url",
  "trigger",
  "state",
  "holder",
  "startedAt",
  "finishedAt",
  "detail",
  "sweep",
  "terminals"
})
@Schema(
    name = "AuditSummary",
    requiredProperties = {
      "id",
      "url",
      "trigger",
      "state",
      "holder",
      "startedAt",
      "sweep",
      "terminals"
    })
public class AuditSummaryView {

  private long id;
  private String url;

  @Schema(enumeration = {"timer", "api"})
  private String trigger;

  @Schema(enumeration = {"RUNNING", "FINISHED", "FAILED", "SKIPPED"})
  private String state;

  private String holder;
  private String startedAt;

  @Schema(nullable = true)
  private String finishedAt;

  @Schema(nullable = true)
  private String detail;

  private Sweep sweep;
  private Terminals terminals;

  public AuditSummaryView() {}

  public static AuditSummaryView of(AuditRun run) {
    AuditSummaryView view = new AuditSummaryView();
    view.fill(run);
    return view;
  }

  void fill(AuditRun run) {
    id = run.id();
    url = url(run.id());
    trigger = run.trigger().wireName();
    state = run.state().name();
    holder = run.holder();
    startedAt = text(run.startedAt());
    finishedAt = text(run.finishedAt());
    detail = run.detail();
    sweep = new Sweep(run);
    terminals = new Terminals(run);
  }

  static String url(long id) {
    return "/api/v1/audits/" + id;
  }

  static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  public long getId() {
    return id;
  }

  public String getUrl() {
    return url;
  }

  /** {@code timer} or {@code api}. */
  public String getTrigger() {
    return trigger;
  }

  /** RUNNING, FINISHED, FAILED, or SKIPPED (a timer tick while another run held the lease). */
  public String getState() {
    return state;
  }

  /** The server instance (and lease) that ran it. */
  public String getHolder() {
    return holder;
  }

  public String getStartedAt() {
    return startedAt;
  }

  public String getFinishedAt() {
    return finishedAt;
  }

  /** Why it failed or was skipped. */
  public String getDetail() {
    return detail;
  }

  public Sweep getSweep() {
    return sweep;
  }

  public Terminals getTerminals() {
    return terminals;
  }

  /** What the integrity sweep did. */
  @XmlAccessorType(XmlAccessType.FIELD)
  @XmlType(
      name = "auditSweep",
      propOrder = {"layersChecked", "bytesChecked", "findings", "quarantined"})
  @JsonbPropertyOrder({"layersChecked", "bytesChecked", "findings", "quarantined"})
  public static class Sweep {
    private int layersChecked;
    private long bytesChecked;
    private int findings;
    private int quarantined;

    public Sweep() {}

    Sweep(AuditRun run) {
      layersChecked = run.layersChecked();
      bytesChecked = run.bytesChecked();
      findings = run.findingCount();
      quarantined = run.layersQuarantined();
    }

    public int getLayersChecked() {
      return layersChecked;
    }

    public long getBytesChecked() {
      return bytesChecked;
    }

    /** How many findings (integrity and orphans). */
    public int getFindings() {
      return findings;
    }

    /** How many layers this run quarantined. */
    public int getQuarantined() {
      return quarantined;
    }
  }

  /** What the re-decision of the terminals' answers found. */
  @XmlAccessorType(XmlAccessType.FIELD)
  @XmlType(
      name = "auditTerminals",
      propOrder = {"decisions", "changed", "stale", "strategies", "reasons"})
  @JsonbPropertyOrder({"decisions", "changed", "stale", "strategies", "reasons"})
  public static class Terminals {
    private long decisions;
    private long changed;
    private long stale;

    @XmlElementWrapper(name = "strategies")
    @XmlElement(name = "strategy")
    private List<Count> strategies;

    @XmlElementWrapper(name = "reasons")
    @XmlElement(name = "reason")
    private List<Count> reasons;

    public Terminals() {}

    Terminals(AuditRun run) {
      decisions = run.decisions();
      changed = run.changedCount();
      stale = run.staleCount();
      strategies = counts(run, DecisionCount.Kind.STRATEGY);
      reasons = counts(run, DecisionCount.Kind.REASON);
    }

    private static List<Count> counts(AuditRun run, DecisionCount.Kind kind) {
      return run.counts().stream()
          .filter(c -> c.kind() == kind)
          .map(c -> new Count(c.name(), c.total()))
          .toList();
    }

    /** How many answers (terminal × assigned image) were decided. */
    public long getDecisions() {
      return decisions;
    }

    /** How many answers changed strategy or reason. */
    public long getChanged() {
      return changed;
    }

    /** How many terminals were not seen for {@code voi.audit.stale.minutes}. */
    public long getStale() {
      return stale;
    }

    /** Answers per strategy, every strategy listed (empty for runs that never decided). */
    public List<Count> getStrategies() {
      return strategies;
    }

    /** Answers per reason, every reason listed (empty for runs that never decided). */
    public List<Count> getReasons() {
      return reasons;
    }
  }

  /** How many answers have one strategy or reason. */
  @XmlAccessorType(XmlAccessType.FIELD)
  @XmlType(name = "auditCount")
  @JsonbPropertyOrder({"name", "count"})
  public static class Count {
    @XmlAttribute private String name;
    @XmlAttribute private long count;

    public Count() {}

    Count(String name, long count) {
      this.name = name;
      this.count = count;
    }

    public String getName() {
      return name;
    }

    public long getCount() {
      return count;
    }
  }
}
