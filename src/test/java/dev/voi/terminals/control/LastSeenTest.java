package dev.voi.terminals.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class LastSeenTest {

  @Test
  void aMomentIsKeptToTheMicrosecondAsTheDatabaseKeepsIt() {
    LastSeen lastSeen = new LastSeen();
    lastSeen.mark(7, Instant.parse("2026-12-06T02:30:00.123456789Z"));

    Instant expected = Instant.parse("2026-12-06T02:30:00.123456Z");
    assertThat(lastSeen.unwritten(7)).isEqualTo(expected);
    assertThat(lastSeen.latest(7, null)).isEqualTo(expected);
    assertThat(lastSeen.drain()).containsEntry(7L, expected);
  }

  @Test
  void theLaterMarkWinsAndTheWrittenMomentWhenItIsNewer() {
    LastSeen lastSeen = new LastSeen();
    lastSeen.mark(7, Instant.parse("2026-12-06T02:30:02Z"));
    lastSeen.mark(7, Instant.parse("2026-12-06T02:30:01Z"));

    assertThat(lastSeen.unwritten(7)).isEqualTo(Instant.parse("2026-12-06T02:30:02Z"));
    assertThat(lastSeen.latest(7, Instant.parse("2026-12-06T02:30:03Z")))
        .isEqualTo(Instant.parse("2026-12-06T02:30:03Z"));
    assertThat(lastSeen.drain()).hasSize(1);
    assertThat(lastSeen.unwritten(7)).isNull();
  }
}
