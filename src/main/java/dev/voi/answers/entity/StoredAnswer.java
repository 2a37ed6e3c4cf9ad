package dev.voi.answers.entity;

import dev.voi.chain.Reason;
import dev.voi.chain.Strategy;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import java.util.List;
import java.util.Objects;

/**
 * What a stored answer says, in the columns that {@code assignment} (the current answer) and {@code
 * answer_change} (each change of it) share: the one owner of those columns. The JPA path stores it
 * embedded in {@link Assignment} and {@link AnswerChange}; the set-based SQL writes the columns
 * {@link #COLUMNS} lists, which are read from the mapping below.
 */
@Embeddable
public class StoredAnswer {

  /** The columns, in field order, with their values (the set-based SQL's column lists). */
  public static final List<MappedColumns.MappedColumn<StoredAnswer>> COLUMNS =
      MappedColumns.of(StoredAnswer.class);

  @Enumerated(EnumType.STRING)
  @Column(length = 16)
  private Strategy strategy;

  @Enumerated(EnumType.STRING)
  @Column(length = 24)
  private Reason reason;

  @Column(length = 16)
  private String policy;

  @Column(name = "move_count")
  private Integer moveCount;

  @Column(name = "diverged_at")
  private Integer divergedAt;

  @Column(name = "keep_layers")
  private Integer keep;

  @Column(name = "total_bytes")
  private Long totalBytes;

  @Column(name = "answer_hash", length = 64)
  private String hash;

  protected StoredAnswer() {}

  /** What {@code answer} says, with its fingerprint ({@link StrategyAnswer#fingerprint()}). */
  public StoredAnswer(StrategyAnswer answer, String fingerprint) {
    this.strategy = answer.strategy();
    this.reason = answer.reason();
    this.policy = answer.policy();
    this.moveCount = answer.moveCount();
    this.divergedAt = answer.divergedAt();
    this.keep = answer.keep();
    this.totalBytes = answer.totalBytes();
    this.hash = Objects.requireNonNull(fingerprint);
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

  public Integer keep() {
    return keep;
  }

  public Long totalBytes() {
    return totalBytes;
  }

  /** The answer's fingerprint: equal hashes, equal answers. */
  public String hash() {
    return hash;
  }
}
