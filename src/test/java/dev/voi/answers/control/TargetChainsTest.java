package dev.voi.answers.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.chain.Policy;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * One chain per image (docs/design.md §6): every terminal of an image is judged against the image's
 * chain.
 */
class TargetChainsTest {

  @Test
  void everyTerminalOfAnImageIsJudgedAgainstItsChainAndAGoneImageAgainstNone() {
    ChainSnapshot img = ChainSnapshotTest.snapshot(ChainSnapshotTest.lineage(2), Policy.PATENT);
    ChainSnapshot other = ChainSnapshotTest.snapshot(ChainSnapshotTest.lineage(3), Policy.PATENT);
    TargetChains.Judging judging =
        TargetChains.judging(
            Map.of(1L, Optional.of(img), 2L, Optional.of(other), 3L, Optional.empty()));
    assertThat(judging.chainFor(1, 10)).containsSame(img);
    assertThat(judging.chainFor(1, 11)).containsSame(img);
    assertThat(judging.chainFor(2, 10)).containsSame(other);
    assertThat(judging.chainFor(3, 10)).isEmpty();
    assertThat(judging.chainFor(4, 10)).as("an image the run did not read").isEmpty();
  }
}
