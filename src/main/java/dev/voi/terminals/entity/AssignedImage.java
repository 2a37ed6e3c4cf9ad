package dev.voi.terminals.entity;

import dev.voi.chain.Reason;
import dev.voi.chain.Strategy;
import java.time.Instant;

/**
 * An image assigned to a terminal and the answer the terminal currently gets for it, without the
 * reported list itself (a read model for listings).
 */
public record AssignedImage(
    long terminalId,
    String image,
    Instant assignedAt,
    Integer reportedLayers,
    Instant reportedAt,
    Strategy strategy,
    Reason reason,
    String policy,
    Integer moveCount,
    Integer divergedAt,
    Integer keep,
    Long totalBytes,
    Instant decidedAt) {

  /** The JPQL select list that builds one, over {@code Assignment a JOIN Image i}. */
  public static final String SELECT =
      "SELECT new dev.voi.terminals.entity.AssignedImage(a.terminalId, i.name, a.assignedAt,"
          + " a.reportedLayers, a.reportedAt, a.answer.strategy, a.answer.reason, a.answer.policy,"
          + " a.answer.moveCount, a.answer.divergedAt, a.answer.keep, a.answer.totalBytes,"
          + " a.decidedAt)"
          + " FROM Assignment a JOIN Image i ON i.id = a.imageId";
}
