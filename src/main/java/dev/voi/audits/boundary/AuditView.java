package dev.voi.audits.boundary;

import dev.voi.audits.entity.AuditChange;
import dev.voi.audits.entity.AuditRun;
import dev.voi.audits.entity.Finding;
import dev.voi.audits.entity.StaleTerminal;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlElementWrapper;
import jakarta.xml.bind.annotation.XmlRootElement;
import jakarta.xml.bind.annotation.XmlType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One audit run with its findings, changes and stale terminals: {@code GET /api/v1/audits/{id}}.
 */
@XmlRootElement(name = "audit")
@XmlAccessorType(XmlAccessType.FIELD)
@XmlType(
    name = "audit",
    propOrder = {"findings", "changes", "staleTerminals", "rollouts"})
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
  "terminals",
  "findings",
  "changes",
  "staleTerminals",
  "rollouts"
})
@Schema(
    name = "Audit",
    requiredProperties = {
      "id",
      "url",
      "trigger",
      "state",
      "holder",
      "startedAt",
      "sweep",
      "terminals",
      "findings",
      "changes",
      "staleTerminals",
      "rollouts"
    })
public class AuditView extends AuditSummaryView {

  @XmlElementWrapper(name = "findings")
  @XmlElement(name = "finding")
  private List<FindingView> findings;

  @XmlElementWrapper(name = "changes")
  @XmlElement(name = "change")
  private List<ChangeView> changes;

  @XmlElementWrapper(name = "staleTerminals")
  @XmlElement(name = "terminal")
  private List<StaleView> staleTerminals;

  @XmlElementWrapper(name = "rollouts")
  @XmlElement(name = "rollout")
  private List<String> rollouts;

  public AuditView() {}

  public static AuditView of(AuditRun run) {
    AuditView view = new AuditView();
    view.fill(run);
    view.findings = run.findings().stream().map(FindingView::new).toList();
    view.changes = run.changes().stream().map(ChangeView::new).toList();
    view.staleTerminals = run.staleTerminals().stream().map(StaleView::new).toList();
    view.rollouts = run.rollouts();
    return view;
  }

  public List<FindingView> getFindings() {
    return findings;
  }

  /** The first answers that changed strategy or reason ({@code terminals.changed} counts all). */
  public List<ChangeView> getChanges() {
    return changes;
  }

  /** The first terminals not seen for the threshold ({@code terminals.stale} counts all). */
  public List<StaleView> getStaleTerminals() {
    return staleTerminals;
  }

  /** What the run did to rollouts: waves advanced, rollouts halted, one line each. */
  public List<String> getRollouts() {
    return rollouts;
  }

  /** One finding of the sweep or the orphan scan. */
  @XmlAccessorType(XmlAccessType.FIELD)
  @XmlType(
      name = "auditFinding",
      propOrder = {"kind", "image", "depth", "checksum", "file", "detail", "quarantined"})
  @JsonbPropertyOrder({"kind", "image", "depth", "checksum", "file", "detail", "quarantined"})
  public static class FindingView {
    private String kind;
    private String image;
    private Integer depth;
    private String checksum;
    private String file;
    private String detail;
    private boolean quarantined;

    public FindingView() {}

    FindingView(Finding finding) {
      kind = finding.kind().name();
      image = finding.image();
      depth = finding.depth();
      checksum = finding.checksum();
      file = finding.file();
      detail = finding.detail();
      quarantined = finding.quarantined();
    }

    public String getKind() {
      return kind;
    }

    public String getImage() {
      return image;
    }

    public Integer getDepth() {
      return depth;
    }

    public String getChecksum() {
      return checksum;
    }

    /** The path relative to the data directory. */
    public String getFile() {
      return file;
    }

    public String getDetail() {
      return detail;
    }

    /** True when this run quarantined the layer. */
    public boolean isQuarantined() {
      return quarantined;
    }
  }

  /** An answer whose strategy or reason the run changed. */
  @XmlAccessorType(XmlAccessType.FIELD)
  @XmlType(
      name = "auditChange",
      propOrder = {
        "terminalId",
        "terminalName",
        "image",
        "group",
        "wave",
        "oldStrategy",
        "oldReason",
        "newStrategy",
        "newReason"
      })
  @JsonbPropertyOrder({
    "terminalId",
    "terminalName",
    "image",
    "group",
    "wave",
    "oldStrategy",
    "oldReason",
    "newStrategy",
    "newReason"
  })
  public static class ChangeView {
    private long terminalId;
    private String terminalName;
    private String image;
    private String group;
    private Integer wave;
    private String oldStrategy;
    private String oldReason;
    private String newStrategy;
    private String newReason;

    public ChangeView() {}

    ChangeView(AuditChange change) {
      terminalId = change.terminalId();
      terminalName = change.terminalName();
      image = change.image();
      group = change.group();
      wave = change.wave();
      oldStrategy = change.oldStrategy();
      oldReason = change.oldReason();
      newStrategy = change.newStrategy();
      newReason = change.newReason();
    }

    public long getTerminalId() {
      return terminalId;
    }

    public String getTerminalName() {
      return terminalName;
    }

    public String getImage() {
      return image;
    }

    /** The terminal's group then. */
    public String getGroup() {
      return group;
    }

    /** The terminal's wave in the image's rollout then (0 without a plan). */
    public Integer getWave() {
      return wave;
    }

    public String getOldStrategy() {
      return oldStrategy;
    }

    public String getOldReason() {
      return oldReason;
    }

    public String getNewStrategy() {
      return newStrategy;
    }

    public String getNewReason() {
      return newReason;
    }
  }

  /** A terminal not seen for the threshold. */
  @XmlAccessorType(XmlAccessType.FIELD)
  @XmlType(
      name = "auditStaleTerminal",
      propOrder = {"terminalId", "terminalName", "group", "lastSeen"})
  @JsonbPropertyOrder({"terminalId", "terminalName", "group", "lastSeen"})
  public static class StaleView {
    private long terminalId;
    private String terminalName;
    private String group;
    private String lastSeen;

    public StaleView() {}

    StaleView(StaleTerminal stale) {
      terminalId = stale.terminalId();
      terminalName = stale.terminalName();
      group = stale.group();
      lastSeen = text(stale.lastSeen());
    }

    public long getTerminalId() {
      return terminalId;
    }

    public String getTerminalName() {
      return terminalName;
    }

    /** The terminal's group then. */
    public String getGroup() {
      return group;
    }

    /** Null when it never called. */
    public String getLastSeen() {
      return lastSeen;
    }
  }
}
