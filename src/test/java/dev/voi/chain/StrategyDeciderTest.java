package dev.voi.chain;

import static dev.voi.chain.Fixtures.quarantine;
import static dev.voi.chain.Fixtures.serverChain;
import static dev.voi.chain.Fixtures.terminalHolding;
import static dev.voi.chain.Fixtures.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * One example per row of docs/design.md §6's table under each policy, and the edges around them.
 */
class StrategyDeciderTest {

  /** The server's lineage c_0..c_4 (n = 4). */
  static final List<Checksum> C = Fixtures.lineage(5);

  static final List<ServerLayer> CHAIN = serverChain(C);
  static final ServerLayer TIP = CHAIN.get(4);

  /** Layers the terminal may hold that are not the server's. */
  static final List<Checksum> OTHER = Fixtures.lineage(UUID.randomUUID(), "other", 7);

  static final StrategyDecider PATENT = new StrategyDecider(Policy.PATENT, 8);
  static final StrategyDecider CATCH_UP = new StrategyDecider(Policy.CATCH_UP, 3);

  static List<Checksum> prefix(int length) {
    return C.subList(0, length);
  }

  static List<Integer> depths(Decision decision) {
    return decision.downloads().stream().map(ServerLayer::depth).toList();
  }

  static long bytesOf(int from, int to) {
    long total = 0;
    for (int depth = from; depth <= to; depth++) {
      total += Fixtures.sizeOf(depth);
    }
    return total;
  }

  static List<Checksum> plus(List<Checksum> first, List<Checksum> more) {
    List<Checksum> all = new ArrayList<>(first);
    all.addAll(more);
    return all;
  }

  @Nested
  class UnderThePatentPolicy {

    @Test
    void upToDateStops() {
      Decision decision = PATENT.decide(terminalHolding(C), CHAIN);

      assertThat(decision.strategy()).isEqualTo(Strategy.STOP);
      assertThat(decision.reason()).isEqualTo(Reason.UP_TO_DATE);
      assertThat(decision.policy()).isEqualTo(Policy.PATENT);
      assertThat(decision.moveCount()).isZero();
      assertThat(decision.divergedAt()).isNull();
      assertThat(decision.keep()).isEqualTo(5);
      assertThat(decision.downloads()).isEmpty();
      assertThat(decision.totalBytes()).isZero();
      assertThat(decision.tip()).isEqualTo(TIP);
    }

    @Test
    void oneBehindDownloadsTheTip() {
      Decision decision = PATENT.decide(terminalHolding(prefix(4)), CHAIN);

      assertThat(decision.strategy()).isEqualTo(Strategy.INCREMENTAL);
      assertThat(decision.reason()).isEqualTo(Reason.ONE_BEHIND);
      assertThat(decision.moveCount()).isEqualTo(1);
      assertThat(decision.divergedAt()).isNull();
      assertThat(decision.keep()).isEqualTo(4);
      assertThat(decision.downloads()).containsExactly(TIP);
      assertThat(decision.totalBytes()).isEqualTo(Fixtures.sizeOf(4));
    }

    @Test
    void behindKeepsTheBaseAndDownloadsEveryDiff() {
      Decision decision = PATENT.decide(terminalHolding(prefix(2)), CHAIN);

      assertThat(decision.strategy()).isEqualTo(Strategy.FULL);
      assertThat(decision.reason()).isEqualTo(Reason.BEHIND);
      assertThat(decision.moveCount()).isEqualTo(3);
      assertThat(decision.divergedAt()).isNull();
      assertThat(decision.keep()).isEqualTo(1);
      assertThat(depths(decision)).containsExactly(1, 2, 3, 4);
      assertThat(decision.downloads()).isEqualTo(CHAIN.subList(1, 5));
      assertThat(decision.totalBytes()).isEqualTo(bytesOf(1, 4));
    }

    @Test
    void behindWithOnlyTheBaseIsStillFull() {
      Decision decision = PATENT.decide(terminalHolding(prefix(1)), CHAIN);

      assertThat(decision.strategy()).isEqualTo(Strategy.FULL);
      assertThat(decision.reason()).isEqualTo(Reason.BEHIND);
      assertThat(decision.moveCount()).isEqualTo(4);
      assertThat(depths(decision)).containsExactly(1, 2, 3, 4);
    }

    @Test
    void divergedAtTheBaseDownloadsEverything() {
      Decision decision = PATENT.decide(terminalHolding(OTHER.subList(0, 3)), CHAIN);

      assertThat(decision.strategy()).isEqualTo(Strategy.FULL);
      assertThat(decision.reason()).isEqualTo(Reason.DIVERGED);
      assertThat(decision.divergedAt()).isZero();
      assertThat(decision.moveCount()).isNull();
      assertThat(decision.keep()).isZero();
      assertThat(depths(decision)).containsExactly(0, 1, 2, 3, 4);
      assertThat(decision.totalBytes()).isEqualTo(bytesOf(0, 4));
    }

    @Test
    void divergedAboveTheBaseKeepsOnlyTheVerifiedBase() {
      List<Checksum> held = plus(prefix(2), OTHER.subList(2, 4));

      Decision decision = PATENT.decide(terminalHolding(held), CHAIN);

      assertThat(decision.strategy()).isEqualTo(Strategy.FULL);
      assertThat(decision.reason()).isEqualTo(Reason.DIVERGED);
      assertThat(decision.divergedAt()).isEqualTo(2);
      assertThat(decision.moveCount()).isNull();
      assertThat(decision.keep()).isEqualTo(1);
      assertThat(depths(decision)).containsExactly(1, 2, 3, 4);
    }

    @Test
    void aheadKeepsTheBaseAndDownloadsEveryDiff() {
      List<Checksum> held = plus(C, OTHER.subList(5, 7));

      Decision decision = PATENT.decide(terminalHolding(held), CHAIN);

      assertThat(decision.strategy()).isEqualTo(Strategy.FULL);
      assertThat(decision.reason()).isEqualTo(Reason.AHEAD);
      assertThat(decision.moveCount()).isNull();
      assertThat(decision.divergedAt()).isNull();
      assertThat(decision.keep()).isEqualTo(1);
      assertThat(depths(decision)).containsExactly(1, 2, 3, 4);
    }

    @Test
    void aheadOfABaseOnlyChainDropsTheRetiredLayers() {
      List<ServerLayer> baseOnly = CHAIN.subList(0, 1);

      Decision decision = PATENT.decide(terminalHolding(prefix(3)), baseOnly);

      assertThat(decision.strategy()).isEqualTo(Strategy.FULL);
      assertThat(decision.reason()).isEqualTo(Reason.AHEAD);
      assertThat(decision.keep()).isEqualTo(1);
      assertThat(decision.downloads()).isEmpty();
      assertThat(decision.tip()).isEqualTo(CHAIN.get(0));
    }

    @Test
    void brokenLinkDownloadsEverything() {
      List<ChainNode> nodes = terminalHolding(prefix(4));
      nodes = with(nodes, 1, new ChainNode(C.get(1), OTHER.get(2)));

      Decision decision = PATENT.decide(nodes, CHAIN);

      assertBrokenAt(decision, 1);
    }

    @Test
    void noLocalChainDownloadsEverything() {
      Decision decision = PATENT.decide(List.of(), CHAIN);

      assertThat(decision.strategy()).isEqualTo(Strategy.FULL);
      assertThat(decision.reason()).isEqualTo(Reason.NO_LOCAL_CHAIN);
      assertThat(decision.moveCount()).isNull();
      assertThat(decision.divergedAt()).isNull();
      assertThat(decision.keep()).isZero();
      assertThat(depths(decision)).containsExactly(0, 1, 2, 3, 4);
      assertThat(decision.totalBytes()).isEqualTo(bytesOf(0, 4));
    }

    @Test
    void waitsWhenADownloadIsQuarantined() {
      Decision decision = PATENT.decide(terminalHolding(prefix(2)), quarantine(CHAIN, 3));

      assertWaitingKeepingEverything(decision, 2);
    }
  }

  @Nested
  class UnderTheCatchUpPolicy {

    @Test
    void upToDateStops() {
      Decision decision = CATCH_UP.decide(terminalHolding(C), CHAIN);

      assertThat(decision.strategy()).isEqualTo(Strategy.STOP);
      assertThat(decision.reason()).isEqualTo(Reason.UP_TO_DATE);
      assertThat(decision.policy()).isEqualTo(Policy.CATCH_UP);
      assertThat(decision.moveCount()).isZero();
      assertThat(decision.keep()).isEqualTo(5);
      assertThat(decision.downloads()).isEmpty();
    }

    @Test
    void oneBehindDownloadsTheTip() {
      Decision decision = CATCH_UP.decide(terminalHolding(prefix(4)), CHAIN);

      assertThat(decision.strategy()).isEqualTo(Strategy.INCREMENTAL);
      assertThat(decision.reason()).isEqualTo(Reason.ONE_BEHIND);
      assertThat(decision.moveCount()).isEqualTo(1);
      assertThat(decision.keep()).isEqualTo(4);
      assertThat(decision.downloads()).containsExactly(TIP);
    }

    @Test
    void behindWithinTheLimitDownloadsOnlyWhatIsMissing() {
      Decision decision = CATCH_UP.decide(terminalHolding(prefix(2)), CHAIN);

      assertThat(decision.strategy()).isEqualTo(Strategy.INCREMENTAL);
      assertThat(decision.reason()).isEqualTo(Reason.BEHIND);
      assertThat(decision.moveCount()).isEqualTo(3);
      assertThat(decision.keep()).isEqualTo(2);
      assertThat(depths(decision)).containsExactly(2, 3, 4);
      assertThat(decision.totalBytes()).isEqualTo(bytesOf(2, 4));
    }

    @Test
    void behindBeyondTheLimitFallsBackToThePatent() {
      Decision decision = CATCH_UP.decide(terminalHolding(prefix(1)), CHAIN);

      assertThat(decision.strategy()).isEqualTo(Strategy.FULL);
      assertThat(decision.reason()).isEqualTo(Reason.BEHIND);
      assertThat(decision.policy()).isEqualTo(Policy.CATCH_UP);
      assertThat(decision.moveCount()).isEqualTo(4);
      assertThat(decision.keep()).isEqualTo(1);
      assertThat(depths(decision)).containsExactly(1, 2, 3, 4);
    }

    @Test
    void behindByExactlyTheLimitIsIncremental() {
      Decision decision =
          new StrategyDecider(Policy.CATCH_UP, 2).decide(terminalHolding(prefix(3)), CHAIN);

      assertThat(decision.strategy()).isEqualTo(Strategy.INCREMENTAL);
      assertThat(decision.keep()).isEqualTo(3);
      assertThat(depths(decision)).containsExactly(3, 4);
    }

    @Test
    void divergedAtTheBaseDownloadsEverything() {
      Decision decision = CATCH_UP.decide(terminalHolding(OTHER.subList(0, 3)), CHAIN);

      assertThat(decision.strategy()).isEqualTo(Strategy.FULL);
      assertThat(decision.reason()).isEqualTo(Reason.DIVERGED);
      assertThat(decision.divergedAt()).isZero();
      assertThat(decision.keep()).isZero();
      assertThat(depths(decision)).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void divergedAboveTheBaseKeepsTheVerifiedPrefix() {
      List<Checksum> held = plus(prefix(2), OTHER.subList(2, 4));

      Decision decision = CATCH_UP.decide(terminalHolding(held), CHAIN);

      assertThat(decision.strategy()).isEqualTo(Strategy.FULL);
      assertThat(decision.reason()).isEqualTo(Reason.DIVERGED);
      assertThat(decision.divergedAt()).isEqualTo(2);
      assertThat(decision.keep()).isEqualTo(2);
      assertThat(depths(decision)).containsExactly(2, 3, 4);
      assertThat(decision.totalBytes()).isEqualTo(bytesOf(2, 4));
    }

    @Test
    void aheadDropsTheRetiredLayersAndDownloadsNothing() {
      List<Checksum> held = plus(C, OTHER.subList(5, 7));

      Decision decision = CATCH_UP.decide(terminalHolding(held), CHAIN);

      assertThat(decision.strategy()).isEqualTo(Strategy.INCREMENTAL);
      assertThat(decision.reason()).isEqualTo(Reason.AHEAD);
      assertThat(decision.moveCount()).isNull();
      assertThat(decision.divergedAt()).isNull();
      assertThat(decision.keep()).isEqualTo(5);
      assertThat(decision.downloads()).isEmpty();
      assertThat(decision.totalBytes()).isZero();
    }

    @Test
    void brokenLinkDownloadsEverything() {
      List<ChainNode> nodes = terminalHolding(prefix(4));
      nodes = with(nodes, 2, new ChainNode(C.get(2), C.get(2)));

      assertBrokenAt(CATCH_UP.decide(nodes, CHAIN), 2);
    }

    @Test
    void noLocalChainDownloadsEverything() {
      Decision decision = CATCH_UP.decide(List.of(), CHAIN);

      assertThat(decision.strategy()).isEqualTo(Strategy.FULL);
      assertThat(decision.reason()).isEqualTo(Reason.NO_LOCAL_CHAIN);
      assertThat(decision.keep()).isZero();
      assertThat(depths(decision)).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void waitsWhenADownloadIsQuarantined() {
      Decision decision = CATCH_UP.decide(terminalHolding(prefix(2)), quarantine(CHAIN, 4));

      assertWaitingKeepingEverything(decision, 2);
    }
  }

  @Nested
  class BrokenLists {

    @Test
    void lastTailEqualToAHeadIsBroken() {
      List<ChainNode> nodes = terminalHolding(prefix(3));
      nodes = with(nodes, 2, new ChainNode(C.get(2), C.get(0)));

      assertBrokenAt(PATENT.decide(nodes, CHAIN), 2);
      assertBrokenAt(CATCH_UP.decide(nodes, CHAIN), 2);
    }

    @Test
    void aSingleNodeWhoseTailIsItsHeadIsBroken() {
      List<ChainNode> nodes = List.of(new ChainNode(C.get(0), C.get(0)));

      assertBrokenAt(PATENT.decide(nodes, CHAIN), 0);
    }

    @Test
    void lastTailEqualToAServerChecksumIsBroken() {
      // The terminal holds c_0..c_1 but its random tail is c_3: it is not random.
      List<ChainNode> nodes = terminalHolding(prefix(2));
      nodes = with(nodes, 1, new ChainNode(C.get(1), C.get(3)));

      assertBrokenAt(PATENT.decide(nodes, CHAIN), 1);
      assertBrokenAt(CATCH_UP.decide(nodes, CHAIN), 1);
    }

    @Test
    void theFirstBadLinkIsReported() {
      List<ChainNode> nodes = terminalHolding(C);
      nodes = with(nodes, 3, new ChainNode(C.get(3), OTHER.get(4)));
      nodes = with(nodes, 1, new ChainNode(C.get(1), OTHER.get(2)));

      assertBrokenAt(PATENT.decide(nodes, CHAIN), 1);
    }

    @Test
    void aBrokenLinkWinsOverADivergence() {
      List<ChainNode> nodes = terminalHolding(OTHER.subList(0, 4));
      nodes = with(nodes, 2, new ChainNode(OTHER.get(2), C.get(3)));

      assertBrokenAt(PATENT.decide(nodes, CHAIN), 2);
    }

    @Test
    void aRetriedReportWithTheSameRandomTailIsFine() {
      List<ChainNode> nodes = terminalHolding(prefix(4));

      assertThat(PATENT.decide(nodes, CHAIN)).isEqualTo(PATENT.decide(nodes, CHAIN));
      assertThat(PATENT.decide(nodes, CHAIN).reason()).isEqualTo(Reason.ONE_BEHIND);
    }
  }

  @Nested
  class Quarantine {

    @Test
    void aQuarantinedLayerTheTerminalHoldsDoesNotCauseWait() {
      Decision decision = PATENT.decide(terminalHolding(prefix(4)), quarantine(CHAIN, 2));

      assertThat(decision.strategy()).isEqualTo(Strategy.INCREMENTAL);
      assertThat(decision.reason()).isEqualTo(Reason.ONE_BEHIND);
      assertThat(decision.downloads()).containsExactly(TIP);
    }

    @Test
    void aQuarantinedLayerBelowCatchUpsKeepDoesNotCauseWait() {
      Decision decision = CATCH_UP.decide(terminalHolding(prefix(2)), quarantine(CHAIN, 1));

      assertThat(decision.strategy()).isEqualTo(Strategy.INCREMENTAL);
      assertThat(depths(decision)).containsExactly(2, 3, 4);
    }

    @Test
    void theSameLayerMakesThePatentWait() {
      Decision decision = PATENT.decide(terminalHolding(prefix(2)), quarantine(CHAIN, 1));

      assertWaitingKeepingEverything(decision, 2);
    }

    @Test
    void aQuarantinedTipOfAnUpToDateTerminalStops() {
      Decision decision = PATENT.decide(terminalHolding(C), quarantine(CHAIN, 4));

      assertThat(decision.strategy()).isEqualTo(Strategy.STOP);
      assertThat(decision.tip().state()).isEqualTo(LayerState.QUARANTINED);
    }

    @Test
    void anEmptyTerminalWaitsForAQuarantinedBase() {
      Decision decision = CATCH_UP.decide(List.of(), quarantine(CHAIN, 0));

      assertWaitingKeepingEverything(decision, 0);
    }

    @Test
    void aQuarantinedLayerStaysPartOfTheChain() {
      // c_3 is quarantined but still the server's: a terminal holding it is up to date, not ahead.
      Decision decision = CATCH_UP.decide(terminalHolding(prefix(4)), quarantine(CHAIN, 3));

      assertThat(decision.reason()).isEqualTo(Reason.ONE_BEHIND);
    }
  }

  @Nested
  class EmptyServerChain {

    @Test
    void aTerminalWithLayersKeepsThemAndWaits() {
      Decision decision = PATENT.decide(terminalHolding(prefix(3)), List.of());

      assertThat(decision.strategy()).isEqualTo(Strategy.WAIT);
      assertThat(decision.reason()).isEqualTo(Reason.AHEAD);
      assertThat(decision.keep()).isEqualTo(3);
      assertThat(decision.downloads()).isEmpty();
      assertThat(decision.totalBytes()).isZero();
      assertThat(decision.tip()).isNull();
      assertThat(decision.moveCount()).isNull();
    }

    @Test
    void anEmptyTerminalWaits() {
      Decision decision = CATCH_UP.decide(List.of(), List.of());

      assertThat(decision.strategy()).isEqualTo(Strategy.WAIT);
      assertThat(decision.reason()).isEqualTo(Reason.NO_LOCAL_CHAIN);
      assertThat(decision.keep()).isZero();
      assertThat(decision.tip()).isNull();
    }

    @Test
    void aBrokenListStillSaysWhereItBroke() {
      List<ChainNode> nodes =
          with(terminalHolding(prefix(3)), 0, new ChainNode(C.get(0), C.get(2)));

      Decision decision = PATENT.decide(nodes, List.of());

      assertThat(decision.strategy()).isEqualTo(Strategy.WAIT);
      assertThat(decision.reason()).isEqualTo(Reason.BROKEN_CHAIN);
      assertThat(decision.divergedAt()).isZero();
    }
  }

  /**
   * Paragraph [0004]: same version numbers, different template. Every lineage has versions 1..5.
   */
  @Nested
  class ThePatentsCase {

    @Test
    void sameVersionsButRebuiltContentIsDivergedNotUpToDate() {
      List<Checksum> rebuilt = Fixtures.lineage(Fixtures.SERVER, "rebuilt", 5);
      List<ServerLayer> terminalLayers = serverChain(rebuilt);
      // Comparing versions, as existing systems do, would find nothing to do.
      assertThat(terminalLayers.get(4).version()).isEqualTo(TIP.version());

      Decision decision = PATENT.decide(terminalHolding(rebuilt), CHAIN);

      assertThat(rebuilt).doesNotContainAnyElementsOf(C);
      assertThat(decision.strategy()).isEqualTo(Strategy.FULL);
      assertThat(decision.reason()).isEqualTo(Reason.DIVERGED);
      assertThat(decision.divergedAt()).isZero();
      assertThat(depths(decision)).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void sameVersionsAndContentFromAnotherServerIsDiverged() {
      UUID anotherServer = UUID.fromString("00000000-0000-4000-8000-000000000001");
      List<Checksum> elsewhere = Fixtures.lineage(anotherServer, "layer", 5);

      Decision decision = PATENT.decide(terminalHolding(elsewhere), CHAIN);

      assertThat(elsewhere).doesNotContainAnyElementsOf(C);
      assertThat(decision.strategy()).isEqualTo(Strategy.FULL);
      assertThat(decision.reason()).isEqualTo(Reason.DIVERGED);
      assertThat(decision.divergedAt()).isZero();
    }

    @Test
    void aRebuiltDiffDivergesEveryLayerAboveIt() {
      // Same base, diff 2 rebuilt with the same version: the change propagates up the chain.
      Checksum rebuilt2 =
          new CheckInfo(3, Fixtures.SERVER, Fixtures.IMAGE, C.get(1), Checksum.sha256("x"))
              .checksum();
      Checksum above =
          new CheckInfo(4, Fixtures.SERVER, Fixtures.IMAGE, rebuilt2, Checksum.sha256("layer3"))
              .checksum();

      Decision decision =
          CATCH_UP.decide(terminalHolding(List.of(C.get(0), C.get(1), rebuilt2, above)), CHAIN);

      assertThat(above).isNotEqualTo(C.get(3));
      assertThat(decision.reason()).isEqualTo(Reason.DIVERGED);
      assertThat(decision.divergedAt()).isEqualTo(2);
      assertThat(depths(decision)).containsExactly(2, 3, 4);
    }
  }

  @Nested
  class Inputs {

    @Test
    void refusesAChainWhoseDepthsAreNotItsIndexes() {
      List<ServerLayer> gap = List.of(CHAIN.get(0), CHAIN.get(2));

      assertThatThrownBy(() -> PATENT.decide(List.of(), gap))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("chain[1]: depth 2, expected 1");
    }

    @Test
    void refusesRetiredLayersInTheChain() {
      ServerLayer retired = new ServerLayer(1, 2, C.get(1), 10, LayerState.RETIRED);

      assertThatThrownBy(() -> PATENT.decide(List.of(), List.of(CHAIN.get(0), retired)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("chain[1]");
    }

    @Test
    void refusesMissingNodes() {
      List<ChainNode> nodes = new ArrayList<>(terminalHolding(prefix(2)));
      nodes.set(1, null);

      assertThatThrownBy(() -> PATENT.decide(nodes, CHAIN))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("terminal[1]: missing");
    }

    @Test
    void refusesAMaxIncrementalLayersBelowOne() {
      assertThatThrownBy(() -> new StrategyDecider(Policy.CATCH_UP, 0))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void policiesHaveWireNames() {
      assertThat(Policy.PATENT.wireName()).isEqualTo("patent");
      assertThat(Policy.CATCH_UP.wireName()).isEqualTo("catch-up");
      for (Policy policy : Policy.values()) {
        assertThat(Policy.ofWireName(policy.wireName())).isSameAs(policy);
      }
      assertThatThrownBy(() -> Policy.ofWireName("CATCH_UP"))
          .hasMessage("policy: expected \"patent\" or \"catch-up\", got \"CATCH_UP\"");
      assertThatThrownBy(() -> Policy.ofWireName(null))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theDecisionsDownloadsCannotBeChanged() {
      Decision decision = PATENT.decide(List.of(), CHAIN);

      assertThatThrownBy(() -> decision.downloads().clear())
          .isInstanceOf(UnsupportedOperationException.class);
    }
  }

  static void assertBrokenAt(Decision decision, int index) {
    assertThat(decision.strategy()).isEqualTo(Strategy.FULL);
    assertThat(decision.reason()).isEqualTo(Reason.BROKEN_CHAIN);
    assertThat(decision.divergedAt()).isEqualTo(index);
    assertThat(decision.moveCount()).isNull();
    assertThat(decision.keep()).isZero();
    assertThat(depths(decision)).containsExactly(0, 1, 2, 3, 4);
    assertThat(decision.totalBytes()).isEqualTo(bytesOf(0, 4));
  }

  static void assertWaitingKeepingEverything(Decision decision, int held) {
    assertThat(decision.strategy()).isEqualTo(Strategy.WAIT);
    assertThat(decision.reason()).isEqualTo(Reason.LAYER_QUARANTINED);
    assertThat(decision.keep()).isEqualTo(held);
    assertThat(decision.downloads()).isEmpty();
    assertThat(decision.totalBytes()).isZero();
    assertThat(decision.moveCount()).isNull();
    assertThat(decision.divergedAt()).isNull();
    assertThat(decision.tip().checksum()).isEqualTo(TIP.checksum());
  }
}
