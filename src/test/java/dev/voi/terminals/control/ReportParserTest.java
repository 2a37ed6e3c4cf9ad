package dev.voi.terminals.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.voi.chain.ChainNode;
import dev.voi.chain.Checksum;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportParserTest {

  static final String A = "a".repeat(64);
  static final String B = "b".repeat(64);
  static final String C = "c".repeat(64);

  static List<ChainNode> parse(String json) {
    return ReportParser.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  static String node(String head, String tail) {
    return "{\"head\":\"" + head + "\",\"tail\":\"" + tail + "\"}";
  }

  @Test
  void readsNodesInOrder() {
    List<ChainNode> nodes = parse("{\"nodes\":[" + node(A, B) + "," + node(B, C) + "]}");
    assertThat(nodes)
        .containsExactly(
            new ChainNode(Checksum.ofHex(A), Checksum.ofHex(B)),
            new ChainNode(Checksum.ofHex(B), Checksum.ofHex(C)));
  }

  @Test
  void anEmptyListIsAList() {
    assertThat(parse("{\"nodes\":[]}")).isEmpty();
    assertThat(parse(" {\"nodes\" : [ ], \"extra\": 1} ")).isEmpty();
  }

  @Test
  void namesTheFieldOfABadValue() {
    assertRefused("{\"nodes\":[" + node(A, B) + "," + node(B, "x" + C.substring(1)) + "]}")
        .hasMessage("nodes[1].tail: not a hex character at index 0");
    assertRefused("{\"nodes\":[" + node(A.substring(1), B) + "]}")
        .hasMessage("nodes[0].head: expected 64 hex characters, got 63");
    assertRefused("{\"nodes\":[" + node(A.toUpperCase(), B) + "]}")
        .hasMessageStartingWith("nodes[0].head: uppercase hex");
    assertRefused("{\"nodes\":[{\"head\":\"" + A + "\"}]}").hasMessage("nodes[0].tail: missing");
  }

  @Test
  void refusesWrongJsonTypesNamingTheField() {
    assertRefused("{\"nodes\":[{\"head\":5,\"tail\":\"" + B + "\"}]}")
        .hasMessageStartingWith("nodes[0].head: expected a string");
    assertRefused("{\"nodes\":[" + node(A, B) + ",[1]]}")
        .hasMessageStartingWith("nodes[1]: expected an object");
    assertRefused("{\"nodes\":{}}").hasMessageStartingWith("nodes: expected an array");
    assertRefused("{\"nodes\":\"x\"}").hasMessageStartingWith("nodes: expected an array");
    assertRefused("{}").hasMessage("nodes: missing");
    assertRefused("{\"nodes\":null}").hasMessage("nodes: missing");
    assertRefused("[]").hasMessageStartingWith("body: expected a JSON object");
    assertRefused("null").hasMessageStartingWith("body: expected a JSON object");
  }

  @Test
  void refusesWhatIsNotJson() {
    assertRefused("").hasMessageStartingWith("body: empty");
    assertRefused("{\"nodes\":[]}]").hasMessageStartingWith("body: not valid JSON");
    assertRefused("{\"nodes\":[").hasMessageStartingWith("body: not valid JSON");
    assertRefused("nodes").hasMessageStartingWith("body: not valid JSON");
    assertRefused("{\"nodes\":[]} {}").hasMessageStartingWith("body: not valid JSON");
  }

  @Test
  void refusesMoreThan4096NodesBeforeLookingAtThem() {
    StringBuilder json = new StringBuilder("{\"nodes\":[");
    for (int k = 0; k < 4097; k++) {
      json.append(k == 0 ? "" : ",").append("{}");
    }
    assertRefused(json.append("]}").toString())
        .hasMessage("nodes: at most 4096 entries are accepted, got 4097");
  }

  @Test
  void readsAtMostTheLimitPlusOneByte() throws Exception {
    byte[] exactly = new byte[100];
    assertThat(ReportParser.readCapped(new ByteArrayInputStream(exactly), 100)).hasSize(100);
    ByteArrayInputStream tooMuch = new ByteArrayInputStream(new byte[1000]);
    assertThatThrownBy(() -> ReportParser.readCapped(tooMuch, 100))
        .isInstanceOf(ReportParser.TooLarge.class)
        .hasMessageContaining("100 bytes");
    assertThat(tooMuch.available()).as("the rest is never read").isEqualTo(899);
  }

  private static org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> assertRefused(
      String json) {
    return assertThatThrownBy(() -> parse(json)).isInstanceOf(IllegalArgumentException.class);
  }
}
