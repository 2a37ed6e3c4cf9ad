package dev.voi.terminals.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.voi.terminals.entity.TerminalFeedback;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FeedbackReportTest {

  static FeedbackReport parse(String json) {
    return FeedbackReport.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsStateProgressAndDetail() {
    assertThat(parse("{\"state\":\"DOWNLOADING\",\"progress\":40,\"detail\":\"layer 3\"}"))
        .isEqualTo(new FeedbackReport(TerminalFeedback.State.DOWNLOADING, 40, "layer 3"));
    assertThat(parse("{\"state\":\"DONE\"}"))
        .isEqualTo(new FeedbackReport(TerminalFeedback.State.DONE, null, null));
  }

  @Test
  void refusesWhatItCannotKeep() {
    assertThatThrownBy(() -> parse("{\"progress\":1}")).hasMessageStartingWith("state: missing");
    assertThatThrownBy(() -> parse("{\"state\":\"done\"}"))
        .hasMessageStartingWith("state: expected one of");
    assertThatThrownBy(() -> parse("{\"state\":\"DONE\",\"progress\":101}"))
        .hasMessageStartingWith("progress:");
    assertThatThrownBy(() -> parse("{\"state\":\"DONE\",\"progress\":-1}"))
        .hasMessageStartingWith("progress:");
    assertThatThrownBy(() -> parse("{\"state\":\"DONE\",\"progress\":2.5}"))
        .hasMessageStartingWith("progress:");
    assertThatThrownBy(() -> parse("{\"state\":\"DONE\",\"progress\":\"5\"}"))
        .hasMessageStartingWith("progress:");
    assertThatThrownBy(
            () -> parse("{\"state\":\"FAILED\",\"detail\":\"" + "x".repeat(1001) + "\"}"))
        .hasMessageStartingWith("detail is limited to 1000 characters");
    assertThatThrownBy(() -> parse("{\"state\":\"FAILED\",\"detail\":\"a\\u0000b\"}"))
        .hasMessageStartingWith("detail holds the control character U+0000");
    assertThat(
            parse("{\"state\":\"FAILED\",\"detail\":\"" + "\uD83D\uDE80".repeat(1000) + "\"}")
                .detail())
        .hasSize(2000);
    assertThatThrownBy(() -> parse("[")).hasMessageStartingWith("body: not valid JSON");
  }
}
