package dev.voi.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.voi.chain.Checksum;
import dev.voi.chain.Strategy;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AnswerTest {

  static final String C2 = Checksum.sha256("c2").hex();
  static final String SHA = Checksum.sha256("file").hex();

  static String answer(String strategy, int keep, String downloads) {
    return "{\"image\":\"win10-lab\",\"strategy\":\""
        + strategy
        + "\",\"reason\":\"ONE_BEHIND\",\"policy\":\"patent\",\"moveCount\":1,\"divergedAt\":null,"
        + "\"keep\":"
        + keep
        + ",\"tip\":{\"depth\":2,\"version\":7,\"checksum\":\""
        + C2
        + "\"},\"downloads\":["
        + downloads
        + "],\"totalBytes\":1048576,\"pollAfterSeconds\":60}";
  }

  static String download(int depth, String fileName) {
    return "{\"depth\":"
        + depth
        + ",\"version\":7,\"checksum\":\""
        + C2
        + "\",\"fileName\":\""
        + fileName
        + "\",\"size\":1048576,\"sha256\":\""
        + SHA
        + "\",\"url\":\"/api/v1/images/win10-lab/layers/"
        + C2
        + "/content\"}";
  }

  static Answer parse(String json) {
    return Answer.parse(json.getBytes(StandardCharsets.UTF_8), "\"etag\"");
  }

  @Test
  void parsesTheSpecAnswer() {
    Answer answer = parse(answer("INCREMENTAL", 2, download(2, "win10-lab-0002-2a967b9a.qcow2")));
    assertThat(answer.strategy()).isEqualTo(Strategy.INCREMENTAL);
    assertThat(answer.reason()).isEqualTo("ONE_BEHIND");
    assertThat(answer.keep()).isEqualTo(2);
    assertThat(answer.tip().checksum().hex()).isEqualTo(C2);
    assertThat(answer.downloads())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.fileName()).isEqualTo("win10-lab-0002-2a967b9a.qcow2");
              assertThat(d.sha256().hex()).isEqualTo(SHA);
              assertThat(d.size()).isEqualTo(1048576);
            });
    assertThat(answer.etag()).isEqualTo("\"etag\"");
    assertThat(answer.summary()).startsWith("INCREMENTAL (ONE_BEHIND, policy patent): keep 2");
  }

  @Test
  void refusesUnsafeFileNamesFromTheServer() {
    for (String bad :
        new String[] {
          "/etc/shadow.qcow2", "../../x.qcow2", "json:{\\\"file\\\":1}.qcow2", ".x.qcow2", "x.img"
        }) {
      assertThatThrownBy(() -> parse(answer("INCREMENTAL", 2, download(2, bad))))
          .as(bad)
          .hasMessageContaining("downloads[0].fileName")
          .hasMessageContaining("not a safe bare name");
    }
  }

  @Test
  void refusesInconsistentAnswers() {
    assertThatThrownBy(() -> parse(answer("INCREMENTAL", 1, download(2, "a.qcow2"))))
        .hasMessageContaining("downloads[0].depth: 2, expected 1");
    assertThatThrownBy(() -> parse(answer("STOP", 3, download(3, "a.qcow2"))))
        .hasMessageContaining("STOP with layers to download");
    assertThatThrownBy(() -> parse(answer("SOMETIMES", 3, "")))
        .hasMessageContaining("strategy: unknown value \"SOMETIMES\"");
    assertThatThrownBy(() -> parse(answer("FULL", 0, download(0, "a.qcow2").replace(SHA, "xyz"))))
        .hasMessageContaining("downloads[0].sha256: expected 64 hex characters");
    assertThatThrownBy(() -> parse("[1,2]")).hasMessageContaining("answer: expected an object");
    assertThatThrownBy(() -> parse("{\"strategy\":")).hasMessageContaining("not valid JSON");
  }
}
