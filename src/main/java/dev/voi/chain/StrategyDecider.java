package dev.voi.chain;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The consistency check and strategy of docs/design.md §6 (patent claims 6–8): compares a
 * terminal's checksum list {@code t[0..m]} with the server's chain {@code c[0..n]} and says what
 * the terminal should keep and download. A pure function of its inputs; no I/O.
 *
 * <p>Decisions where the spec is silent:
 *
 * <ul>
 *   <li>{@code WAIT} keeps everything: {@code keep} = m + 1, the number of layers the terminal
 *       holds, so that an agent that always truncates to {@code keep} changes nothing while it
 *       waits. It is the one answer where {@code keep} may exceed n + 1 (an {@code AHEAD} terminal
 *       keeps its retired layers until the quarantine is lifted).
 *   <li>An empty server chain (an image with nothing published) answers {@code WAIT} with the
 *       reason steps 2–4 give ({@code NO_LOCAL_CHAIN}, {@code BROKEN_CHAIN} or {@code AHEAD}) and
 *       tip null.
 * </ul>
 */
public final class StrategyDecider {

  private final Policy policy;
  private final int maxIncrementalLayers;

  /**
   * @param maxIncrementalLayers under {@link Policy#CATCH_UP}, the most layers a {@code BEHIND}
   *     terminal gets incrementally; at least 1 (ignored under {@link Policy#PATENT})
   */
  public StrategyDecider(Policy policy, int maxIncrementalLayers) {
    this.policy = Objects.requireNonNull(policy, "policy");
    if (maxIncrementalLayers < 1) {
      throw new IllegalArgumentException(
          "maxIncrementalLayers must be at least 1, got " + maxIncrementalLayers);
    }
    this.maxIncrementalLayers = maxIncrementalLayers;
  }

  public Policy policy() {
    return policy;
  }

  public int maxIncrementalLayers() {
    return maxIncrementalLayers;
  }

  /**
   * Decides what a terminal reporting {@code terminal} does about {@code chain}.
   *
   * @param terminal the terminal's node list, base first; may be empty
   * @param chain the server's layers in state PUBLISHED or QUARANTINED, base first, depth = index
   * @throws IllegalArgumentException when {@code chain} is not such a chain
   */
  public Decision decide(List<ChainNode> terminal, List<ServerLayer> chain) {
    requireNodes(terminal);
    requireChain(chain);
    int m = terminal.size() - 1;
    int n = chain.size() - 1;
    Finding finding = find(terminal, chain);
    if (chain.isEmpty()) {
      // Nothing is published, so there is nothing to download and nothing to compare against:
      // telling the terminal to drop its layers (FULL, keep 0) would wipe a working disk for no
      // gain. It keeps what it has until the administrator publishes a base.
      return waitKeepingEverything(finding.reason(), divergedAt(finding), m, null);
    }
    ServerLayer tip = chain.get(n);
    Plan plan = plan(finding, m, n);
    List<ServerLayer> downloads = chain.subList(plan.keep(), n + 1);
    if (downloads.stream().anyMatch(ServerLayer::isQuarantined)) {
      return waitKeepingEverything(Reason.LAYER_QUARANTINED, null, m, tip);
    }
    return new Decision(
        plan.strategy(),
        finding.reason(),
        policy,
        moveCount(finding, m, n),
        divergedAt(finding),
        plan.keep(),
        downloads,
        totalBytes(downloads),
        tip);
  }

  /**
   * True when a maintenance window holds this decision back while it is closed (docs/design.md
   * §11): it downloads something, and the terminal has something it can boot ({@link
   * Reason#NO_LOCAL_CHAIN} and {@link Reason#BROKEN_CHAIN} ignore windows).
   */
  public static boolean heldByWindows(Decision decision) {
    return !decision.downloads().isEmpty()
        && decision.reason() != Reason.NO_LOCAL_CHAIN
        && decision.reason() != Reason.BROKEN_CHAIN;
  }

  /**
   * The decision held back by a closed maintenance window: {@code WAIT}, reason {@link
   * Reason#OUTSIDE_WINDOW}, no downloads, and {@code keep} = the layers the terminal verifiably
   * holds (the verified prefix: {@code m + 1} when behind, the first mismatch when diverged, the
   * whole chain when ahead). The move count and the diverging index stay, for people.
   *
   * @throws IllegalArgumentException when windows do not hold this decision ({@link
   *     #heldByWindows})
   */
  public static Decision outsideWindow(Decision decision) {
    if (!heldByWindows(decision)) {
      throw new IllegalArgumentException(
          decision.strategy() + " (" + decision.reason() + ") is not held by windows");
    }
    int n = decision.tip().depth();
    int verified =
        switch (decision.reason()) {
          case ONE_BEHIND, BEHIND -> n + 1 - decision.moveCount();
          case DIVERGED -> decision.divergedAt();
          case AHEAD -> n + 1;
          default -> decision.keep();
        };
    return new Decision(
        Strategy.WAIT,
        Reason.OUTSIDE_WINDOW,
        decision.policy(),
        decision.moveCount(),
        decision.divergedAt(),
        verified,
        List.of(),
        0L,
        decision.tip());
  }

  /** The reason of steps 2–4, with the index it refers to. */
  private record Finding(Reason reason, int index) {}

  /** The strategy and keep of docs/design.md §6's table. */
  private record Plan(Strategy strategy, int keep) {}

  private static Finding find(List<ChainNode> terminal, List<ServerLayer> chain) {
    // Step 2 before step 3 as the spec orders them; an empty list has no links and no last tail, so
    // it can never be broken and the order does not matter for it.
    int broken = firstBrokenIndex(terminal, chain);
    if (broken >= 0) {
      return new Finding(Reason.BROKEN_CHAIN, broken);
    }
    if (terminal.isEmpty()) {
      return new Finding(Reason.NO_LOCAL_CHAIN, 0);
    }
    int m = terminal.size() - 1;
    int n = chain.size() - 1;
    int j = firstMismatch(terminal, chain);
    if (j <= Math.min(m, n)) {
      return new Finding(Reason.DIVERGED, j);
    }
    if (j == n + 1 && j <= m) {
      return new Finding(Reason.AHEAD, j);
    }
    return new Finding(behindReason(n - m), j);
  }

  /** The first bad index of step 2, or −1 when the list links up. */
  private static int firstBrokenIndex(List<ChainNode> terminal, List<ServerLayer> chain) {
    for (int k = 0; k + 1 < terminal.size(); k++) {
      if (!terminal.get(k).tail().equals(terminal.get(k + 1).head())) {
        return k;
      }
    }
    if (terminal.isEmpty()) {
      return -1;
    }
    int m = terminal.size() - 1;
    return isKnownChecksum(terminal.get(m).tail(), terminal, chain) ? m : -1;
  }

  /** True when the last tail, which must be random, equals a head or a server checksum. */
  private static boolean isKnownChecksum(
      Checksum lastTail, List<ChainNode> terminal, List<ServerLayer> chain) {
    Set<Checksum> known = new HashSet<>();
    terminal.forEach(node -> known.add(node.head()));
    chain.forEach(layer -> known.add(layer.checksum()));
    return known.contains(lastTail);
  }

  /** The first j where {@code t[j].head != c[j]}, or min(m, n) + 1. */
  private static int firstMismatch(List<ChainNode> terminal, List<ServerLayer> chain) {
    int common = Math.min(terminal.size(), chain.size());
    for (int j = 0; j < common; j++) {
      if (!terminal.get(j).head().equals(chain.get(j).checksum())) {
        return j;
      }
    }
    return common;
  }

  private static Reason behindReason(int moveCount) {
    if (moveCount == 0) {
      return Reason.UP_TO_DATE;
    }
    return moveCount == 1 ? Reason.ONE_BEHIND : Reason.BEHIND;
  }

  private Plan plan(Finding finding, int m, int n) {
    return switch (finding.reason()) {
      case UP_TO_DATE -> new Plan(Strategy.STOP, n + 1);
      case ONE_BEHIND -> new Plan(Strategy.INCREMENTAL, n);
      case BEHIND -> planBehind(m, n);
      case DIVERGED -> planDiverged(finding.index());
      case AHEAD -> planAhead(n);
      case BROKEN_CHAIN, NO_LOCAL_CHAIN -> new Plan(Strategy.FULL, 0);
      case LAYER_QUARANTINED, OUTSIDE_WINDOW ->
          throw new IllegalStateException(finding.reason() + " is never a finding");
    };
  }

  private Plan planBehind(int m, int n) {
    if (policy == Policy.CATCH_UP && n - m <= maxIncrementalLayers) {
      return new Plan(Strategy.INCREMENTAL, m + 1);
    }
    return new Plan(Strategy.FULL, 1);
  }

  private Plan planDiverged(int j) {
    // Under the patent a diverged terminal re-downloads everything but a verified base.
    return new Plan(Strategy.FULL, policy == Policy.PATENT ? Math.min(j, 1) : j);
  }

  private Plan planAhead(int n) {
    // Under the patent, n = 0 gives FULL with nothing to download: the terminal drops the retired
    // layers and rebuilds on its verified base, exactly as the table says.
    return policy == Policy.PATENT
        ? new Plan(Strategy.FULL, 1)
        : new Plan(Strategy.INCREMENTAL, n + 1);
  }

  private Decision waitKeepingEverything(
      Reason reason, Integer divergedAt, int m, ServerLayer tip) {
    return new Decision(Strategy.WAIT, reason, policy, null, divergedAt, m + 1, List.of(), 0L, tip);
  }

  private static Integer moveCount(Finding finding, int m, int n) {
    return switch (finding.reason()) {
      case UP_TO_DATE, ONE_BEHIND, BEHIND -> n - m;
      default -> null;
    };
  }

  private static Integer divergedAt(Finding finding) {
    return switch (finding.reason()) {
      case DIVERGED, BROKEN_CHAIN -> finding.index();
      default -> null;
    };
  }

  private static long totalBytes(List<ServerLayer> downloads) {
    long total = 0;
    for (ServerLayer layer : downloads) {
      total = Math.addExact(total, layer.size());
    }
    return total;
  }

  private static void requireNodes(List<ChainNode> terminal) {
    Objects.requireNonNull(terminal, "terminal");
    for (int k = 0; k < terminal.size(); k++) {
      if (terminal.get(k) == null) {
        throw new IllegalArgumentException("terminal[" + k + "]: missing");
      }
    }
  }

  private static void requireChain(List<ServerLayer> chain) {
    Objects.requireNonNull(chain, "chain");
    for (int k = 0; k < chain.size(); k++) {
      ServerLayer layer = chain.get(k);
      if (layer == null) {
        throw new IllegalArgumentException("chain[" + k + "]: missing");
      }
      if (layer.depth() != k) {
        throw new IllegalArgumentException(
            "chain[" + k + "]: depth " + layer.depth() + ", expected " + k);
      }
      if (layer.state() == LayerState.RETIRED) {
        throw new IllegalArgumentException("chain[" + k + "]: a RETIRED layer is not in the chain");
      }
    }
  }
}
