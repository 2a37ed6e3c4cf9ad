package dev.voi.audits.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

/** A terminal answer whose strategy or reason a run changed. */
@Embeddable
public class AuditChange {

  @Column(name = "terminal_id", nullable = false)
  private long terminalId;

  @Column(name = "terminal_name", length = 200)
  private String terminalName;

  @Column(nullable = false, length = 128)
  private String image;

  @Column(name = "group_name", length = 128)
  private String group;

  @Column(name = "wave")
  private Integer wave;

  @Column(name = "old_strategy", length = 16)
  private String oldStrategy;

  @Column(name = "old_reason", length = 32)
  private String oldReason;

  @Column(name = "new_strategy", nullable = false, length = 16)
  private String newStrategy;

  @Column(name = "new_reason", nullable = false, length = 32)
  private String newReason;

  protected AuditChange() {}

  /** The old strategy and reason are null when the terminal had no answer before. */
  public AuditChange(
      long terminalId,
      String terminalName,
      String image,
      String group,
      Integer wave,
      String oldStrategy,
      String oldReason,
      String newStrategy,
      String newReason) {
    this.terminalId = terminalId;
    this.terminalName = terminalName;
    this.image = image;
    this.group = group;
    this.wave = wave;
    this.oldStrategy = oldStrategy;
    this.oldReason = oldReason;
    this.newStrategy = newStrategy;
    this.newReason = newReason;
  }

  public long terminalId() {
    return terminalId;
  }

  public String terminalName() {
    return terminalName;
  }

  public String image() {
    return image;
  }

  /** The terminal's group then; null in reports written before groups existed. */
  public String group() {
    return group;
  }

  /** The terminal's wave in the image's rollout then; null in reports before rollouts. */
  public Integer wave() {
    return wave;
  }

  public String oldStrategy() {
    return oldStrategy;
  }

  public String oldReason() {
    return oldReason;
  }

  public String newStrategy() {
    return newStrategy;
  }

  public String newReason() {
    return newReason;
  }
}
