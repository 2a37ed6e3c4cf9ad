package dev.voi.metrics.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.chain.Reason;
import dev.voi.chain.Strategy;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MetersTest {

  @Test
  void everyPollSeriesHasASlotOfItsOwnInsideTheArray() {
    Set<Integer> slots = new HashSet<>();
    int size =
        Meters.PollResult.values().length * Strategy.values().length * Reason.values().length;
    for (Meters.PollResult result : Meters.PollResult.values()) {
      for (Strategy strategy : Strategy.values()) {
        for (Reason reason : Reason.values()) {
          int slot = Meters.slot(result, strategy, reason);
          assertThat(slot).isBetween(0, size - 1);
          assertThat(slots.add(slot)).as("%s %s %s", result, strategy, reason).isTrue();
        }
      }
    }
    assertThat(slots).hasSize(size);
  }

  @Test
  void everyReportSeriesHasASlotOfItsOwnInsideTheArray() {
    Set<Integer> slots = new HashSet<>();
    int size = Strategy.values().length * Reason.values().length;
    for (Strategy strategy : Strategy.values()) {
      for (Reason reason : Reason.values()) {
        int slot = Meters.slot(strategy, reason);
        assertThat(slot).isBetween(0, size - 1);
        assertThat(slots.add(slot)).isTrue();
      }
    }
  }
}
