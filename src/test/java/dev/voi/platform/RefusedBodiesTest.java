package dev.voi.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RefusedBodiesTest {

  @Test
  void aSmallBodyOfKnownLengthIsDrained() {
    assertThat(RefusedBodies.closeAfterRefusal(200_000, false, null)).isFalse();
    assertThat(RefusedBodies.closeAfterRefusal(RefusedBodies.DRAINED_AT_MOST, false, null))
        .isFalse();
    assertThat(RefusedBodies.closeAfterRefusal("1048576", null, null)).isFalse();
  }

  @Test
  void aLargeChunkedOrHeldBackBodyClosesTheConnection() {
    assertThat(RefusedBodies.closeAfterRefusal(RefusedBodies.DRAINED_AT_MOST + 1, false, null))
        .isTrue();
    assertThat(RefusedBodies.closeAfterRefusal(-1, true, null)).as("chunked").isTrue();
    assertThat(RefusedBodies.closeAfterRefusal(10, false, "100-Continue")).as("Expect").isTrue();
    assertThat(RefusedBodies.closeAfterRefusal(null, "chunked", null)).isTrue();
    assertThat(RefusedBodies.closeAfterRefusal("99999999999999999999", null, null))
        .as("a length nobody can measure")
        .isTrue();
  }

  @Test
  void noBodyNeedsNeither() {
    assertThat(RefusedBodies.closeAfterRefusal(0, false, "100-continue")).isFalse();
    assertThat(RefusedBodies.closeAfterRefusal(null, null, null)).isFalse();
    assertThat(RefusedBodies.closeAfterRefusal(" 0 ", null, null)).isFalse();
  }

  @Test
  void theLimitIsTheListenersSwallowingLimit() throws Exception {
    String commands = Files.readString(Path.of("src/main/payara/boot-commands.asadmin"));
    assertThat(commands)
        .contains(".max-swallowing-input-bytes=" + RefusedBodies.DRAINED_AT_MOST + "\n");
  }
}
