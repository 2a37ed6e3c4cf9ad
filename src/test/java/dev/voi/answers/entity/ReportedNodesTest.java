package dev.voi.answers.entity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.voi.chain.ChainNode;
import dev.voi.chain.Checksum;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportedNodesTest {

  final ChainNode first = new ChainNode(Checksum.sha256("c0"), Checksum.sha256("c1"));
  final ChainNode last = new ChainNode(Checksum.sha256("c1"), Checksum.sha256("random"));

  @Test
  void storesSixtyFourBytesPerNodeAndReadsThemBack() {
    byte[] bytes = ReportedNodes.encode(List.of(first, last));
    assertThat(bytes).hasSize(128);
    assertThat(ReportedNodes.decode(bytes)).containsExactly(first, last);
    assertThat(ReportedNodes.lastHead(bytes)).isEqualTo(Checksum.sha256("c1"));
  }

  @Test
  void anEmptyListIsZeroBytes() {
    assertThat(ReportedNodes.encode(List.of())).isEmpty();
    assertThat(ReportedNodes.decode(new byte[0])).isEmpty();
    assertThat(ReportedNodes.lastHead(new byte[0])).isNull();
  }

  @Test
  void refusesAPartialNode() {
    assertThatThrownBy(() -> ReportedNodes.decode(new byte[65]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
