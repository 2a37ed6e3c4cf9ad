package dev.voi.terminals.entity;

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

/** What a terminal said about applying its answer for one image; kept as history. */
@Entity
@Table(name = "feedback")
@NamedQuery(
    name = TerminalFeedback.DELETE_OF_TERMINAL,
    query = "DELETE FROM TerminalFeedback f WHERE f.terminalId = :terminal")
@NamedQuery(
    name = TerminalFeedback.PRUNE,
    query = "DELETE FROM TerminalFeedback f WHERE f.receivedAt < :before")
public class TerminalFeedback {

  public static final String DELETE_OF_TERMINAL = "TerminalFeedback.deleteOfTerminal";
  public static final String PRUNE = "TerminalFeedback.prune";

  /** The longest detail kept. */
  public static final int MAX_DETAIL = 1000;

  /** Where the terminal is in applying its answer. */
  public enum State {
    DOWNLOADING,
    APPLYING,
    DONE,
    FAILED
  }

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(name = "terminal_id", nullable = false, updatable = false)
  private long terminalId;

  @Column(name = "image_id", nullable = false, updatable = false)
  private long imageId;

  @Column(name = "received_at", nullable = false, updatable = false)
  private Instant receivedAt;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false, updatable = false, length = 16)
  private State state;

  @Column(updatable = false)
  private Integer progress;

  @Column(updatable = false, length = MAX_DETAIL)
  private String detail;

  protected TerminalFeedback() {}

  public TerminalFeedback(
      long terminalId,
      long imageId,
      Instant receivedAt,
      State state,
      Integer progress,
      String detail) {
    this.terminalId = terminalId;
    this.imageId = imageId;
    this.receivedAt = receivedAt;
    this.state = state;
    this.progress = progress;
    this.detail = detail;
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

  public Instant receivedAt() {
    return receivedAt;
  }

  public State state() {
    return state;
  }

  public Integer progress() {
    return progress;
  }

  public String detail() {
    return detail;
  }
}
