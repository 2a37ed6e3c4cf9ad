package dev.voi.chain;

import static dev.voi.chain.Fixtures.terminalHolding;
import static dev.voi.chain.Fixtures.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsCoverage;

/**
 * The rules of docs/design.md §6 as properties over generated terminals and server chains. The
 * generators weight the interesting cases themselves (empty chains and lists, every reason), so
 * jqwik's edge cases, which would otherwise crowd out the rest, are not mixed in.
 */
@PropertyDefaults(edgeCases = EdgeCasesMode.NONE)
class StrategyProperties {

  static final int MAX_DEPTH = 10;

  /** The server's lineage; any prefix of it is a valid chain, the rest are retired layers. */
  static final List<Checksum> LINEAGE = Fixtures.lineage(MAX_DEPTH + 4);

  /** Another server's lineage: same versions, different checksums at every depth. */
  static final List<Checksum> OTHER =
      Fixtures.lineage(UUID.fromString("00000000-0000-4000-8000-000000000002"), "x", MAX_DEPTH + 4);

  static final StrategyDecider PATENT = new StrategyDecider(Policy.PATENT, 1);

  // Verified prefixes (claims 7-8).

  @Property
  void aVerifiedPrefixStopsIffCompleteAndIsIncrementalIffOneShort(
      @ForAll @IntRange(max = MAX_DEPTH) int n, @ForAll @IntRange(max = MAX_DEPTH) int m) {
    Assume.that(m <= n);

    Decision decision = PATENT.decide(terminalHolding(LINEAGE.subList(0, m + 1)), chain(n));

    assertThat(decision.strategy() == Strategy.STOP).isEqualTo(m == n);
    assertThat(decision.strategy() == Strategy.INCREMENTAL).isEqualTo(n - m == 1);
    assertThat(decision.strategy() == Strategy.FULL).isEqualTo(n - m > 1);
    assertThat(decision.moveCount()).isEqualTo(n - m);
    assertThat(decision.divergedAt()).isNull();
  }

  // Changed heads.

  @Property
  void changingOneLayerOfAConsistentListDivergesThere(
      @ForAll @IntRange(max = MAX_DEPTH) int n,
      @ForAll @IntRange(max = MAX_DEPTH + 3) int m,
      @ForAll @IntRange(max = MAX_DEPTH) int j,
      @ForAll Policy policy,
      @ForAll long salt) {
    Assume.that(j <= Math.min(m, n));
    List<Checksum> held = with(LINEAGE.subList(0, m + 1), j, Checksum.sha256("changed " + salt));

    Decision decision = new StrategyDecider(policy, 1).decide(terminalHolding(held), chain(n));

    assertThat(decision.reason()).isEqualTo(Reason.DIVERGED);
    assertThat(decision.divergedAt()).isEqualTo(j);
    assertThat(decision.strategy()).isEqualTo(Strategy.FULL);
  }

  @Property
  void changingOnlyAHeadBreaksTheLinkBelowIt(
      @ForAll @IntRange(max = MAX_DEPTH) int n,
      @ForAll @IntRange(max = MAX_DEPTH + 3) int m,
      @ForAll @IntRange(max = MAX_DEPTH + 3) int j,
      @ForAll long salt) {
    Assume.that(j <= m);
    List<ChainNode> nodes = terminalHolding(LINEAGE.subList(0, m + 1));
    Checksum changed = Checksum.sha256("changed " + salt);
    nodes = with(nodes, j, new ChainNode(changed, nodes.get(j).tail()));

    Decision decision = PATENT.decide(nodes, chain(n));

    if (j == 0) {
      assertThat(decision.reason()).isEqualTo(Reason.DIVERGED);
      assertThat(decision.divergedAt()).isZero();
    } else {
      assertThat(decision.reason()).isEqualTo(Reason.BROKEN_CHAIN);
      assertThat(decision.divergedAt()).isEqualTo(j - 1);
    }
  }

  // Broken lists.

  @Property
  void anyBrokenLinkIsCaught(
      @ForAll("scenarios") Scenario scenario,
      @ForAll @IntRange(max = 20) int k,
      @ForAll long salt) {
    List<ChainNode> nodes = scenario.terminal();
    Assume.that(scenario.broken() == null && nodes.size() >= 2);
    int link = k % (nodes.size() - 1);
    Checksum wrongTail = Checksum.sha256("wrong " + salt);
    nodes = with(nodes, link, new ChainNode(nodes.get(link).head(), wrongTail));

    Decision decision = PATENT.decide(nodes, scenario.chainWithoutQuarantine());

    assertThat(decision.reason()).isEqualTo(Reason.BROKEN_CHAIN);
    assertThat(decision.divergedAt()).isEqualTo(link);
  }

  @Property
  void aLastTailThatIsAKnownChecksumIsCaught(
      @ForAll("scenarios") Scenario scenario,
      @ForAll @IntRange(max = 30) int pick,
      @ForAll Policy policy) {
    List<ChainNode> nodes = scenario.terminal();
    Assume.that(scenario.broken() == null && !nodes.isEmpty());
    List<Checksum> known = new ArrayList<>();
    nodes.forEach(node -> known.add(node.head()));
    scenario.chainWithoutQuarantine().forEach(layer -> known.add(layer.checksum()));
    int last = nodes.size() - 1;
    nodes =
        with(nodes, last, new ChainNode(nodes.get(last).head(), known.get(pick % known.size())));

    Decision decision =
        new StrategyDecider(policy, 1).decide(nodes, scenario.chainWithoutQuarantine());

    assertThat(decision.reason()).isEqualTo(Reason.BROKEN_CHAIN);
    assertThat(decision.divergedAt()).isEqualTo(last);
  }

  // Maintenance windows (docs/design.md §11).

  @Property
  void aClosedWindowHoldsBackExactlyWhatWouldDownloadAndKeepsTheVerifiedPrefix(
      @ForAll("scenarios") Scenario scenario,
      @ForAll Policy policy,
      @ForAll @IntRange(min = 1, max = 5) int maxIncrementalLayers) {
    Decision decision = decide(scenario, policy, maxIncrementalLayers);
    boolean held = StrategyDecider.heldByWindows(decision);
    assertThat(held)
        .isEqualTo(
            !decision.downloads().isEmpty()
                && decision.reason() != Reason.NO_LOCAL_CHAIN
                && decision.reason() != Reason.BROKEN_CHAIN);
    Assume.that(held);

    Decision waiting = StrategyDecider.outsideWindow(decision);

    assertThat(waiting.strategy()).isEqualTo(Strategy.WAIT);
    assertThat(waiting.reason()).isEqualTo(Reason.OUTSIDE_WINDOW);
    assertThat(waiting.downloads()).isEmpty();
    assertThat(waiting.totalBytes()).isZero();
    assertThat(waiting.tip()).isEqualTo(decision.tip());
    // keep is the verified prefix: the terminal's heads equal the server's up to it, and the next
    // one (if the terminal and the chain both have it) differs.
    List<ChainNode> nodes = scenario.terminal();
    List<ServerLayer> chain = scenario.chain();
    int keep = waiting.keep();
    assertThat(keep).isBetween(decision.keep(), nodes.size());
    for (int k = 0; k < keep; k++) {
      assertThat(nodes.get(k).head()).isEqualTo(chain.get(k).checksum());
    }
    if (keep < nodes.size() && keep < chain.size()) {
      assertThat(nodes.get(keep).head()).isNotEqualTo(chain.get(keep).checksum());
    }
  }

  // Every answer.

  @Property
  void theReasonIsHowTheListWasMade(
      @ForAll("scenarios") Scenario scenario,
      @ForAll Policy policy,
      @ForAll @IntRange(min = 1, max = 5) int maxIncrementalLayers) {
    Decision decision = decide(scenario, policy, maxIncrementalLayers);
    Statistics.label("reason").collect(scenario.expectedReason());

    Reason expected = scenario.expectedReason();
    if (decision.strategy() == Strategy.WAIT && expected != decision.reason()) {
      assertThat(decision.reason()).isEqualTo(Reason.LAYER_QUARANTINED);
    } else {
      assertThat(decision.reason()).isEqualTo(expected);
      assertThat(decision.divergedAt()).isEqualTo(scenario.expectedDivergedAt());
      assertThat(decision.moveCount()).isEqualTo(scenario.expectedMoveCount());
    }
    Statistics.label("reason").coverage(StrategyProperties::everyReasonIsGenerated);
  }

  private static void everyReasonIsGenerated(StatisticsCoverage coverage) {
    for (Reason reason : Reason.values()) {
      // Quarantines and windows are applied after the decision, and tested on their own.
      if (reason != Reason.LAYER_QUARANTINED && reason != Reason.OUTSIDE_WINDOW) {
        coverage.check(reason).count((Integer count) -> count >= 10);
      }
    }
  }

  @Property
  void downloadsAreAlwaysExactlyKeepToN(
      @ForAll("scenarios") Scenario scenario,
      @ForAll Policy policy,
      @ForAll @IntRange(min = 1, max = 5) int maxIncrementalLayers) {
    Decision decision = decide(scenario, policy, maxIncrementalLayers);

    int n = scenario.n();
    if (decision.strategy() == Strategy.WAIT) {
      assertThat(decision.downloads()).isEmpty();
      assertThat(decision.totalBytes()).isZero();
    } else {
      assertThat(depths(decision))
          .isEqualTo(IntStream.rangeClosed(decision.keep(), n).boxed().toList());
      assertThat(decision.downloads()).isEqualTo(scenario.chain().subList(decision.keep(), n + 1));
      assertThat(decision.totalBytes())
          .isEqualTo(decision.downloads().stream().mapToLong(ServerLayer::size).sum());
    }
    assertThat(decision.tip()).isEqualTo(n < 0 ? null : scenario.chain().get(n));
  }

  @Property
  void anAnswerNeverListsAQuarantinedLayer(
      @ForAll("scenarios") Scenario scenario,
      @ForAll Policy policy,
      @ForAll @IntRange(min = 1, max = 5) int maxIncrementalLayers) {
    Decision decision = decide(scenario, policy, maxIncrementalLayers);

    assertThat(decision.downloads()).noneMatch(ServerLayer::isQuarantined);
  }

  @Property
  void aQuarantineOnlyEverTurnsTheAnswerIntoWait(
      @ForAll("scenarios") Scenario scenario,
      @ForAll Policy policy,
      @ForAll @IntRange(min = 1, max = 5) int maxIncrementalLayers) {
    StrategyDecider decider = new StrategyDecider(policy, maxIncrementalLayers);
    Decision unquarantined = decider.decide(scenario.terminal(), scenario.chainWithoutQuarantine());

    Decision decision = decider.decide(scenario.terminal(), scenario.chain());

    boolean needsAQuarantinedLayer =
        unquarantined.downloads().stream().anyMatch(layer -> scenario.quarantined(layer.depth()));
    if (needsAQuarantinedLayer) {
      assertThat(decision.strategy()).isEqualTo(Strategy.WAIT);
      assertThat(decision.reason()).isEqualTo(Reason.LAYER_QUARANTINED);
      assertThat(decision.keep()).isEqualTo(scenario.terminal().size());
    } else {
      assertThat(decision.strategy()).isEqualTo(unquarantined.strategy());
      assertThat(decision.reason()).isEqualTo(unquarantined.reason());
      assertThat(decision.keep()).isEqualTo(unquarantined.keep());
      assertThat(depths(decision)).isEqualTo(depths(unquarantined));
    }
  }

  @Property
  void keepNeverExceedsWhatEitherSideHas(
      @ForAll("scenarios") Scenario scenario,
      @ForAll Policy policy,
      @ForAll @IntRange(min = 1, max = 5) int maxIncrementalLayers) {
    Decision decision = decide(scenario, policy, maxIncrementalLayers);

    int m = scenario.terminal().size() - 1;
    assertThat(decision.keep()).isBetween(0, m + 1);
    if (decision.strategy() != Strategy.WAIT) {
      assertThat(decision.keep()).isLessThanOrEqualTo(scenario.n() + 1);
    }
  }

  @Property
  void theTerminalOnlyKeepsLayersItHoldsVerified(
      @ForAll("scenarios") Scenario scenario,
      @ForAll Policy policy,
      @ForAll @IntRange(min = 1, max = 5) int maxIncrementalLayers) {
    Decision decision = decide(scenario, policy, maxIncrementalLayers);

    if (decision.strategy() != Strategy.WAIT) {
      assertThat(decision.keep()).isLessThanOrEqualTo(scenario.verifiedPrefix());
    }
  }

  /**
   * docs/design.md §1: FULL downloads every diff, and the base too unless the terminal's base is
   * verified.
   */
  @Property
  void aFullUpdateUnderThePatentKeepsOnlyAVerifiedBase(@ForAll("scenarios") Scenario scenario) {
    Decision decision = PATENT.decide(scenario.terminal(), scenario.chainWithoutQuarantine());
    Assume.that(decision.strategy() == Strategy.FULL);

    assertThat(decision.keep()).isEqualTo(Math.min(scenario.verifiedPrefix(), 1));
  }

  @Property
  void withinTheLimitCatchUpNeverDownloadsAVerifiedLayer(
      @ForAll("scenarios") Scenario scenario,
      @ForAll @IntRange(min = 1, max = 5) int maxIncrementalLayers) {
    Decision decision = decide(scenario, Policy.CATCH_UP, maxIncrementalLayers);
    Assume.that(decision.reason() != Reason.BEHIND || decision.moveCount() <= maxIncrementalLayers);

    assertThat(depths(decision)).allMatch(depth -> depth >= scenario.verifiedPrefix());
  }

  @Property
  void catchUpNeverDownloadsMoreThanThePatent(
      @ForAll("scenarios") Scenario scenario,
      @ForAll @IntRange(min = 1, max = 5) int maxIncrementalLayers) {
    List<ServerLayer> chain = scenario.chainWithoutQuarantine();

    Decision patent = PATENT.decide(scenario.terminal(), chain);
    Decision catchUp =
        new StrategyDecider(Policy.CATCH_UP, maxIncrementalLayers)
            .decide(scenario.terminal(), chain);

    assertThat(catchUp.totalBytes()).isLessThanOrEqualTo(patent.totalBytes());
    assertThat(patent.downloads()).endsWith(catchUp.downloads().toArray(ServerLayer[]::new));
  }

  // Generated scenarios.

  enum Breakage {
    NONE,
    LINK,
    LAST_TAIL_IS_A_HEAD,
    LAST_TAIL_IS_A_SERVER_CHECKSUM
  }

  /**
   * A server chain c[0..n] (n may be −1) and a terminal list of {@code length} nodes whose heads
   * follow the server's lineage below {@code divergeAt} and another lineage from there, optionally
   * broken as {@code breakage} says ({@code breakPick} chooses the link or the known checksum),
   * with the layers at {@code quarantinedDepths} quarantined and sizes and the random tail from
   * {@code seed}.
   */
  record Scenario(
      int n,
      int length,
      int divergeAt,
      Breakage breakage,
      int breakPick,
      Set<Integer> quarantinedDepths,
      long seed) {

    List<ServerLayer> chain() {
      List<ServerLayer> chain = new ArrayList<>(chainWithoutQuarantine());
      for (int depth : quarantinedDepths) {
        if (depth <= n) {
          ServerLayer layer = chain.get(depth);
          chain.set(
              depth,
              new ServerLayer(
                  depth, layer.version(), layer.checksum(), layer.size(), LayerState.QUARANTINED));
        }
      }
      return chain;
    }

    List<ServerLayer> chainWithoutQuarantine() {
      SplittableRandom sizes = new SplittableRandom(seed);
      List<ServerLayer> chain = new ArrayList<>();
      for (int depth = 0; depth <= n; depth++) {
        long size = sizes.nextLong(0, 1L << 40);
        chain.add(
            new ServerLayer(depth, depth + 1, LINEAGE.get(depth), size, LayerState.PUBLISHED));
      }
      return chain;
    }

    boolean quarantined(int depth) {
      return quarantinedDepths.contains(depth);
    }

    List<Checksum> heads() {
      List<Checksum> heads = new ArrayList<>();
      for (int k = 0; k < length; k++) {
        heads.add(k < divergeAt ? LINEAGE.get(k) : OTHER.get(k));
      }
      return heads;
    }

    List<ChainNode> terminal() {
      List<ChainNode> nodes = new ChecksumList(new Fixtures.SeededRandom(seed)).nodesFor(heads());
      Integer at = broken();
      if (at == null) {
        return nodes;
      }
      ChainNode node = nodes.get(at);
      return with(nodes, at, new ChainNode(node.head(), wrongTail()));
    }

    private Checksum wrongTail() {
      return switch (breakage) {
        case LINK -> Checksum.sha256("broken " + seed);
        case LAST_TAIL_IS_A_HEAD -> heads().get(breakPick % length);
        case LAST_TAIL_IS_A_SERVER_CHECKSUM -> LINEAGE.get(breakPick % (n + 1));
        case NONE -> throw new IllegalStateException();
      };
    }

    /** The index where the list is broken, or null when the breakage does not fit the sizes. */
    Integer broken() {
      return switch (breakage) {
        case NONE -> null;
        case LINK -> length >= 2 ? breakPick % (length - 1) : null;
        case LAST_TAIL_IS_A_HEAD -> length >= 1 ? length - 1 : null;
        case LAST_TAIL_IS_A_SERVER_CHECKSUM -> length >= 1 && n >= 0 ? length - 1 : null;
      };
    }

    /** How many layers from the base the terminal holds that the server vouches for. */
    int verifiedPrefix() {
      return broken() != null ? 0 : Math.min(divergeAt, Math.min(length, n + 1));
    }

    Reason expectedReason() {
      int m = length - 1;
      if (broken() != null) {
        return Reason.BROKEN_CHAIN;
      } else if (length == 0) {
        return Reason.NO_LOCAL_CHAIN;
      } else if (divergeAt <= Math.min(m, n)) {
        return Reason.DIVERGED;
      } else if (m > n) {
        return Reason.AHEAD;
      } else if (m == n) {
        return Reason.UP_TO_DATE;
      }
      return n - m == 1 ? Reason.ONE_BEHIND : Reason.BEHIND;
    }

    Integer expectedDivergedAt() {
      return switch (expectedReason()) {
        case BROKEN_CHAIN -> broken();
        case DIVERGED -> divergeAt;
        default -> null;
      };
    }

    Integer expectedMoveCount() {
      return switch (expectedReason()) {
        case UP_TO_DATE, ONE_BEHIND, BEHIND -> n - (length - 1);
        default -> null;
      };
    }
  }

  @Provide
  Arbitrary<Scenario> scenarios() {
    return Arbitraries.integers().between(-1, MAX_DEPTH).flatMap(StrategyProperties::scenarios);
  }

  /** Scenarios for a server chain c[0..n], weighted so that every reason turns up often. */
  private static Arbitrary<Scenario> scenarios(int n) {
    Arbitrary<Integer> length = Arbitraries.integers().between(0, n + 4);
    Arbitrary<Integer> divergeAt =
        Arbitraries.frequencyOf(
            Tuple.of(1, Arbitraries.just(Integer.MAX_VALUE)),
            Tuple.of(1, Arbitraries.integers().between(0, n + 3)));
    Arbitrary<Breakage> breakage =
        Arbitraries.frequency(
            Tuple.of(5, Breakage.NONE),
            Tuple.of(1, Breakage.LINK),
            Tuple.of(1, Breakage.LAST_TAIL_IS_A_HEAD),
            Tuple.of(1, Breakage.LAST_TAIL_IS_A_SERVER_CHECKSUM));
    return Combinators.combine(
            length,
            divergeAt,
            breakage,
            Arbitraries.integers().between(0, 50),
            Arbitraries.integers().between(0, MAX_DEPTH).set().ofMaxSize(3),
            Arbitraries.longs())
        .as(
            (len, diverge, broken, pick, quarantined, seed) ->
                new Scenario(n, len, diverge, broken, pick, quarantined, seed));
  }

  /** The server chain c[0..n] of {@link #LINEAGE}, all published. */
  static List<ServerLayer> chain(int n) {
    return Fixtures.serverChain(LINEAGE.subList(0, n + 1));
  }

  static Decision decide(Scenario scenario, Policy policy, int maxIncrementalLayers) {
    return new StrategyDecider(policy, maxIncrementalLayers)
        .decide(scenario.terminal(), scenario.chain());
  }

  static List<Integer> depths(Decision decision) {
    return decision.downloads().stream().map(ServerLayer::depth).toList();
  }
}
