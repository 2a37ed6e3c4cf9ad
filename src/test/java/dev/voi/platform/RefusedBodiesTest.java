package dev.voi.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RefusedBodiesTest {

  @Test
  void aSmallBodyOfKnownLengthIsDrainedFirst() {
    assertThat(RefusedBodies.leftUnread(200_000, false, null)).isFalse();
    assertThat(RefusedBodies.leftUnread(RefusedBodies.DRAINED_AT_MOST, false, null)).isFalse();
    assertThat(RefusedBodies.leftUnread("1048576", null, null)).isFalse();
  }

  @Test
  void aLargeChunkedOrHeldBackBodyIsLeftUnread() {
    assertThat(RefusedBodies.leftUnread(RefusedBodies.DRAINED_AT_MOST + 1, false, null)).isTrue();
    assertThat(RefusedBodies.leftUnread(-1, true, null)).as("chunked").isTrue();
    assertThat(RefusedBodies.leftUnread(10, false, "100-Continue")).as("Expect").isTrue();
    assertThat(RefusedBodies.leftUnread(null, "chunked", null)).isTrue();
    assertThat(RefusedBodies.leftUnread("99999999999999999999", null, null))
        .as("a length nobody can measure")
        .isTrue();
  }

  @Test
  void everyRefusalOfARequestWithABodyClosesTheConnection() {
    assertThat(RefusedBodies.hasBody("200000", null)).isTrue();
    assertThat(RefusedBodies.hasBody(null, "chunked")).isTrue();
    assertThat(RefusedBodies.hasBody("nonsense", null)).isTrue();
    assertThat(RefusedBodies.hasBody("0", null)).isFalse();
    assertThat(RefusedBodies.hasBody(null, null)).isFalse();
  }

  @Test
  void noBodyNeedsNeither() {
    assertThat(RefusedBodies.leftUnread(0, false, "100-continue")).isFalse();
    assertThat(RefusedBodies.leftUnread(null, null, null)).isFalse();
    assertThat(RefusedBodies.leftUnread(" 0 ", null, null)).isFalse();
  }

  @Test
  void theLimitIsTheListenersSwallowingLimit() throws Exception {
    String commands = Files.readString(Path.of("src/main/payara/boot-commands.asadmin"));
    assertThat(commands)
        .contains(".max-swallowing-input-bytes=" + RefusedBodies.DRAINED_AT_MOST + "\n");
  }
}
