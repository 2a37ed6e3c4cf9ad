package dev.voi.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChecksumListTest {

  static final List<Checksum> HELD = Fixtures.lineage(4);

  final ChecksumList list = new ChecksumList(new Fixtures.SeededRandom(1));

  @Test
  void nodeKLinksHeadCkToTailCkPlusOne() {
    List<ChainNode> nodes = list.nodesFor(HELD);

    assertThat(nodes).hasSize(4);
    for (int k = 0; k < 3; k++) {
      assertThat(nodes.get(k)).isEqualTo(new ChainNode(HELD.get(k), HELD.get(k + 1)));
    }
    assertThat(nodes.get(3).head()).isEqualTo(HELD.get(3));
    assertThat(HELD).doesNotContain(nodes.get(3).tail());
  }

  @Test
  void lastTailIsTheInjectedRandomBytes() {
    byte[] expected = new byte[32];
    new Fixtures.SeededRandom(99).nextBytes(expected);

    List<ChainNode> nodes = new ChecksumList(new Fixtures.SeededRandom(99)).nodesFor(HELD);

    assertThat(nodes.get(3).tail().bytes()).isEqualTo(expected);
  }

  @Test
  void aSingleLayerGivesOneNodeWithARandomTail() {
    List<ChainNode> nodes = list.nodesFor(HELD.subList(0, 1));

    assertThat(nodes).hasSize(1);
    assertThat(nodes.get(0).head()).isEqualTo(HELD.get(0));
    assertThat(nodes.get(0).tail()).isNotEqualTo(HELD.get(0));
  }

  @Test
  void tailsAreFreshPerReport() {
    assertThat(list.nodesFor(HELD).get(3).tail()).isNotEqualTo(list.nodesFor(HELD).get(3).tail());
  }

  @Test
  void emptyInputGivesAnEmptyList() {
    assertThat(list.nodesFor(List.of())).isEmpty();
  }

  @Test
  void redrawsATailThatEqualsAHead() {
    Checksum fresh = Checksum.sha256("fresh");
    RiggedRandom rigged = new RiggedRandom(HELD.get(1), HELD.get(3), fresh);

    List<ChainNode> nodes = new ChecksumList(rigged).nodesFor(HELD);

    assertThat(nodes.get(3).tail()).isEqualTo(fresh);
    assertThat(rigged.draws).isEqualTo(3);
  }

  @Test
  void refusesMoreThanMaxNodes() {
    List<Checksum> tooMany = Collections.nCopies(ChecksumList.MAX_NODES + 1, HELD.get(0));

    assertThatThrownBy(() -> list.nodesFor(tooMany))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4096");
  }

  // Parsing a report.

  record Json(String head, String tail) {}

  @Test
  void parsesAReport() {
    List<ChainNode> nodes = list.nodesFor(HELD);
    List<Json> json = new ArrayList<>();
    nodes.forEach(node -> json.add(new Json(node.head().hex(), node.tail().hex())));

    assertThat(ChecksumList.parse(json, Json::head, Json::tail)).isEqualTo(nodes);
  }

  @Test
  void parseErrorsNameTheIndexAndField() {
    String good = HELD.get(0).hex();
    List<Json> json =
        List.of(new Json(good, good), new Json(good, good), new Json(good, good.substring(1)));

    assertThatThrownBy(() -> ChecksumList.parse(json, Json::head, Json::tail))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("nodes[2].tail: expected 64 hex characters, got 63");
  }

  @Test
  void parseRefusesUppercaseNonHexAndMissingValues() {
    String good = HELD.get(0).hex();

    assertThatThrownBy(() -> parseOne(new Json(good.toUpperCase(), good)))
        .hasMessageStartingWith("nodes[0].head: uppercase hex at index");
    assertThatThrownBy(() -> parseOne(new Json(good, "g" + good.substring(1))))
        .hasMessage("nodes[0].tail: not a hex character at index 0");
    assertThatThrownBy(() -> parseOne(new Json(null, good))).hasMessage("nodes[0].head: missing");
    assertThatThrownBy(() -> parseOne(new Json(good, ""))).hasMessageStartingWith("nodes[0].tail");
  }

  @Test
  void parseRefusesMissingNodesAndTooManyNodes() {
    List<Json> withNull = new ArrayList<>();
    withNull.add(null);

    assertThatThrownBy(() -> ChecksumList.parse(withNull, Json::head, Json::tail))
        .hasMessage("nodes[0]: missing");
    assertThatThrownBy(() -> ChecksumList.parse(null, Json::head, Json::tail))
        .hasMessage("nodes: missing");
    String good = HELD.get(0).hex();
    List<Json> tooMany = Collections.nCopies(ChecksumList.MAX_NODES + 1, new Json(good, good));
    assertThatThrownBy(() -> ChecksumList.parse(tooMany, Json::head, Json::tail))
        .hasMessage("nodes: at most 4096 entries are accepted, got 4097");
    List<Json> most = Collections.nCopies(ChecksumList.MAX_NODES, new Json(good, good));
    assertThat(ChecksumList.parse(most, Json::head, Json::tail)).hasSize(4096);
  }

  @Test
  void parsesOrderedChecksums() {
    List<String> hexes = HELD.stream().map(Checksum::hex).toList();

    assertThat(ChecksumList.parseChecksums("checksums", hexes)).isEqualTo(HELD);
    assertThatThrownBy(() -> ChecksumList.parseChecksums("checksums", List.of(hexes.get(0), "00")))
        .hasMessage("checksums[1]: expected 64 hex characters, got 2");
  }

  private static List<ChainNode> parseOne(Json node) {
    return ChecksumList.parse(List.of(node), Json::head, Json::tail);
  }

  /** Returns the given values, in order, as its random bytes. */
  private static final class RiggedRandom extends SecureRandom {
    private final Deque<Checksum> values;
    int draws;

    RiggedRandom(Checksum... values) {
      this.values = new ArrayDeque<>(List.of(values));
    }

    @Override
    public void nextBytes(byte[] bytes) {
      draws++;
      System.arraycopy(values.remove().bytes(), 0, bytes, 0, bytes.length);
    }
  }
}
