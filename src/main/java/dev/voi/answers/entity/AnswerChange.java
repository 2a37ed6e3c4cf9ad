package dev.voi.answers.entity;

import dev.voi.chain.Reason;
import dev.voi.chain.Strategy;
import jakarta.persistence.Column;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;

/**
 * One change of a terminal's answer for one image, append-only: what the answer became, why (the
 * reason, what the terminal had reported, the server's tip) and what triggered the new decision.
 * Unchanged answers add no row.
 */
@Entity
@Table(name = "answer_change")
@NamedQuery(
    name = AnswerChange.DELETE_OF_TERMINAL,
    query = "DELETE FROM AnswerChange c WHERE c.terminalId = :terminal")
@NamedQuery(
    name = AnswerChange.PRUNE,
    query = "DELETE FROM AnswerChange c WHERE c.decidedAt < :before")
public class AnswerChange {

  public static final String DELETE_OF_TERMINAL = "AnswerChange.deleteOfTerminal";
  public static final String PRUNE = "AnswerChange.prune";

  /** The columns a change is recorded in, read from this mapping (the set-based INSERT's list). */
  public static final List<MappedColumns.MappedColumn<AnswerChange>> COLUMNS =
      MappedColumns.of(AnswerChange.class);

  /** What made the server decide again. */
  public static final String BY_REPORT = "report";

  /** The image's chain moved without an event on this instance (another instance changed it). */
  public static final String BY_LINEAGE = "lineage";

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(name = "terminal_id", nullable = false, updatable = false)
  private long terminalId;

  @Column(name = "image_id", nullable = false, updatable = false)
  private long imageId;

  @Column(name = "decided_at", nullable = false, updatable = false)
  private Instant decidedAt;

  @Column(name = "triggered_by", nullable = false, updatable = false, length = 16)
  private String triggeredBy;

  @Embedded private StoredAnswer answer;

  @Column(name = "download_count", nullable = false, updatable = false)
  private int downloadCount;

  @Column(name = "reported_layers", nullable = false, updatable = false)
  private int reportedLayers;

  @Column(name = "reported_tip", updatable = false, length = 64)
  private String reportedTip;

  @Column(name = "tip_depth", updatable = false)
  private Integer tipDepth;

  @Column(name = "tip_version", updatable = false)
  private Long tipVersion;

  @Column(name = "tip_checksum", updatable = false, length = 64)
  private String tipChecksum;

  @Column(name = "image_revision", nullable = false, updatable = false)
  private long imageRevision;

  protected AnswerChange() {}

  /**
   * A change of a terminal's answer, as both the per-terminal path and the set-based SQL record it.
   *
   * @param reportedTip the checksum (hex) of the terminal's top layer, null for none
   * @param stored what the answer says, as the assignment now holds it
   */
  public AnswerChange(
      long terminalId,
      long imageId,
      int reportedLayers,
      String reportedTip,
      StrategyAnswer answer,
      StoredAnswer stored,
      String triggeredBy,
      long imageRevision,
      Instant decidedAt) {
    this.terminalId = terminalId;
    this.imageId = imageId;
    this.decidedAt = decidedAt;
    this.triggeredBy = triggeredBy;
    this.answer = stored;
    this.downloadCount = answer.downloads().size();
    this.reportedLayers = reportedLayers;
    this.reportedTip = reportedTip;
    if (answer.tip() != null) {
      this.tipDepth = answer.tip().depth();
      this.tipVersion = answer.tip().version();
      this.tipChecksum = answer.tip().checksum();
    }
    this.imageRevision = imageRevision;
  }

  /** The change to the answer the assignment now holds. */
  public static AnswerChange of(
      Assignment assignment,
      StrategyAnswer answer,
      String triggeredBy,
      long imageRevision,
      Instant decidedAt) {
    return new AnswerChange(
        assignment.terminalId(),
        assignment.imageId(),
        assignment.reportedLayers() == null ? 0 : assignment.reportedLayers(),
        assignment.reportedTip(),
        answer,
        assignment.answer(),
        triggeredBy,
        imageRevision,
        decidedAt);
  }

  public Long id() {
    return id;
  }

  public long terminalId() {
    return terminalId;
  }

  public long imageId() {
    return imageId;
  }

  public Instant decidedAt() {
    return decidedAt;
  }

  public String triggeredBy() {
    return triggeredBy;
  }

  public Strategy strategy() {
    return answer.strategy();
  }

  public Reason reason() {
    return answer.reason();
  }

  public String policy() {
    return answer.policy();
  }

  public Integer moveCount() {
    return answer.moveCount();
  }

  public Integer divergedAt() {
    return answer.divergedAt();
  }

  public int keep() {
    return answer.keep();
  }

  public int downloadCount() {
    return downloadCount;
  }

  public long totalBytes() {
    return answer.totalBytes();
  }

  public int reportedLayers() {
    return reportedLayers;
  }

  public String reportedTip() {
    return reportedTip;
  }

  public Integer tipDepth() {
    return tipDepth;
  }

  public Long tipVersion() {
    return tipVersion;
  }

  public String tipChecksum() {
    return tipChecksum;
  }

  public long imageRevision() {
    return imageRevision;
  }

  public String answerHash() {
    return answer.hash();
  }
}
