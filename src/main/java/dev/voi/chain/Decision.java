package dev.voi.chain;

import java.util.List;
import java.util.Objects;

/**
 * The answer of the consistency check (docs/design.md §6).
 *
 * @param moveCount n − m for {@link Reason#UP_TO_DATE}, {@link Reason#ONE_BEHIND} and {@link
 *     Reason#BEHIND}, else null
 * @param divergedAt the first bad index for {@link Reason#DIVERGED} and {@link
 *     Reason#BROKEN_CHAIN}, else null
 * @param keep how many of its layers, from the base up, the terminal keeps; it drops the rest
 * @param downloads the server layers {@code keep..n} to download, in the order they are applied
 * @param totalBytes the sum of the downloads' sizes
 * @param tip the top of the server's chain, null when the server's chain is empty
 */
public record Decision(
    Strategy strategy,
    Reason reason,
    Policy policy,
    Integer moveCount,
    Integer divergedAt,
    int keep,
    List<ServerLayer> downloads,
    long totalBytes,
    ServerLayer tip) {

  public Decision {
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(policy, "policy");
    if (keep < 0) {
      throw new IllegalArgumentException("keep must be non-negative, got " + keep);
    }
    downloads = List.copyOf(downloads);
    if (totalBytes < 0) {
      throw new IllegalArgumentException("totalBytes must be non-negative, got " + totalBytes);
    }
  }
}
