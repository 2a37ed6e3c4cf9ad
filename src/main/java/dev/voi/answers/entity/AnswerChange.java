package dev.voi.answers.entity;

import dev.voi.chain.Reason;
import dev.voi.chain.Strategy;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;

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

  @Enumerated(EnumType.STRING)
  @Column(nullable = false, updatable = false, length = 16)
  private Strategy strategy;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false, updatable = false, length = 24)
  private Reason reason;

  @Column(nullable = false, updatable = false, length = 16)
  private String policy;

  @Column(name = "move_count", updatable = false)
  private Integer moveCount;

  @Column(name = "diverged_at", updatable = false)
  private Integer divergedAt;

  @Column(name = "keep_layers", nullable = false, updatable = false)
  private int keep;

  @Column(name = "download_count", nullable = false, updatable = false)
  private int downloadCount;

  @Column(name = "total_bytes", nullable = false, updatable = false)
  private long totalBytes;

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

  @Column(name = "answer_hash", nullable = false, updatable = false, length = 64)
  private String answerHash;

  protected AnswerChange() {}

  public AnswerChange(
      Assignment assignment,
      StrategyAnswer answer,
      String triggeredBy,
      long imageRevision,
      Instant decidedAt) {
    this.terminalId = assignment.terminalId();
    this.imageId = assignment.imageId();
    this.decidedAt = decidedAt;
    this.triggeredBy = triggeredBy;
    this.strategy = answer.strategy();
    this.reason = answer.reason();
    this.policy = answer.policy();
    this.moveCount = answer.moveCount();
    this.divergedAt = answer.divergedAt();
    this.keep = answer.keep();
    this.downloadCount = answer.downloads().size();
    this.totalBytes = answer.totalBytes();
    this.reportedLayers = assignment.reportedLayers() == null ? 0 : assignment.reportedLayers();
    this.reportedTip = assignment.reportedTip();
    if (answer.tip() != null) {
      this.tipDepth = answer.tip().depth();
      this.tipVersion = answer.tip().version();
      this.tipChecksum = answer.tip().checksum();
    }
    this.imageRevision = imageRevision;
    this.answerHash = assignment.answerHash();
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
    return strategy;
  }

  public Reason reason() {
    return reason;
  }

  public String policy() {
    return policy;
  }

  public Integer moveCount() {
    return moveCount;
  }

  public Integer divergedAt() {
    return divergedAt;
  }

  public int keep() {
    return keep;
  }

  public int downloadCount() {
    return downloadCount;
  }

  public long totalBytes() {
    return totalBytes;
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
    return answerHash;
  }
}
