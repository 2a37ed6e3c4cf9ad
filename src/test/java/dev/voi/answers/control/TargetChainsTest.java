package dev.voi.answers.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.chain.Checksum;
import dev.voi.chain.Policy;
import dev.voi.chain.rollout.MaintenanceWindows;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which chain a terminal is judged against (docs/design.md §6 and §11): the image's current chain
 * without a plan, its wave's target chain with one; its group's windows either way.
 */
class TargetChainsTest {

  @Test
  void withoutAPlanEveryGroupIsJudgedAgainstTheCurrentChainInWaveZero() {
    ChainSnapshot img = ChainSnapshotTest.snapshot(ChainSnapshotTest.lineage(2), Policy.PATENT);
    TargetChains.Target target = TargetChains.target(img, "lab");
    assertThat(target.wave()).isZero();
    assertThat(target.chain()).isEqualTo(img.layers());
    assertThat(target.windows()).isEqualTo(MaintenanceWindows.ALWAYS_OPEN);
  }

  @Test
  void withAPlanTheGroupPicksTheWaveItsTargetChainAndItsWindows() {
    List<Checksum> chain = ChainSnapshotTest.lineage(4);
    ChainSnapshot staged = ChainSnapshotTest.staged(chain);
    TargetChains.Target canary = TargetChains.target(staged, "canary");
    assertThat(canary.wave()).isZero();
    assertThat(canary.chain()).hasSize(4);
    TargetChains.Target lab = TargetChains.target(staged, "lab");
    assertThat(lab.wave()).isEqualTo(1);
    assertThat(lab.chain()).hasSize(3).isEqualTo(staged.layers().subList(0, 3));
    assertThat(lab.windows().alwaysOpen()).isFalse();
  }

  @Test
  void aRunJudgesEachImageItReadAndNoneItDidNot() {
    ChainSnapshot img = ChainSnapshotTest.snapshot(ChainSnapshotTest.lineage(2), Policy.PATENT);
    ChainSnapshot other = ChainSnapshotTest.snapshot(ChainSnapshotTest.lineage(3), Policy.PATENT);
    TargetChains.Judging judging = TargetChains.judging(Map.of(1L, img, 2L, other));
    assertThat(judging.imageFor(1)).containsSame(img);
    assertThat(judging.imageFor(2)).containsSame(other);
    assertThat(judging.imageFor(4)).as("an image the run did not read").isEmpty();
  }
}
