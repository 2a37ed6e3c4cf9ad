package dev.voi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.agent.ServerClient.FeedbackState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The last word of an interrupted sync: sent when the server answers in time, never a hang. */
class InterruptedFeedbackTest {

  @TempDir(factory = ShmTempDir.class)
  Path root;

  static Console quiet() {
    PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    return new Console(sink, sink, false, false);
  }

  @Test
  void aServerThatAnswersGetsTheFailedFeedback() throws IOException {
    try (Rig rig = new Rig(root)) {
      rig.lineage.publishBase(1, "write -P 0x11 0 64k");
      ServerClient client = rig.client(quiet());

      assertThat(
              client.feedbackWithin(FeedbackState.FAILED, 0, "interrupted", Duration.ofSeconds(2)))
          .isTrue();

      assertThat(rig.server.feedbackStates()).containsExactly("FAILED");
      assertThat(rig.server.feedback.get(0).path("detail").asText()).isEqualTo("interrupted");
    }
  }

  @Test
  void aServerThatDoesNotAnswerIsGivenUpAfterTheLimit() throws IOException {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      ServerClient client =
          new ServerClient(
              URI.create("http://127.0.0.1:" + silent.getLocalPort()),
              Rig.TERMINAL,
              Rig.IMAGE,
              Rig.TOKEN,
              quiet());
      long start = System.nanoTime();

      boolean told =
          client.feedbackWithin(FeedbackState.FAILED, 0, "interrupted", Duration.ofMillis(700));

      long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(told).isFalse();
      assertThat(elapsedMillis).isBetween(600L, 1_900L);
    }
  }
}
