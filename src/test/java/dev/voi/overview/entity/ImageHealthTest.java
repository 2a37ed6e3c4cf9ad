package dev.voi.overview.entity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImageHealthTest {

  @Test
  void eachReasonLandsInItsOwnColumnAndEveryWaitCountsAsWaiting() {
    ImageHealth health =
        ImageHealth.none("lab")
            .plus("STOP", "UP_TO_DATE", 5, 0)
            .plus("INCREMENTAL", "ONE_BEHIND", 4, 400)
            .plus("FULL", "BEHIND", 3, 3000)
            .plus("INCREMENTAL", "BEHIND", 1, 200)
            .plus("FULL", "DIVERGED", 2, 2000)
            .plus("FULL", "BROKEN_CHAIN", 1, 1000)
            .plus("FULL", "NO_LOCAL_CHAIN", 6, 6000)
            .plus("WAIT", "LAYER_QUARANTINED", 7, 0)
            .plus("WAIT", "OUTSIDE_WINDOW", 1, 0)
            .plus("FULL", "AHEAD", 8, 80)
            .plus(null, null, 9, 0);

    assertThat(health)
        .isEqualTo(new ImageHealth("lab", 47, 5, 4, 4, 2, 1, 6, 8, 8, 9, 12680, false));
    assertThat(health.withPlan().rolloutPlan()).isTrue();
    assertThat(health.withPlan().terminals()).isEqualTo(47);
  }

  @Test
  void aReasonItDoesNotKnowIsNotCountedSomewhereWrong() {
    assertThatThrownBy(() -> ImageHealth.none("lab").plus("FULL", "SOMETHING_NEW", 1, 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("SOMETHING_NEW");
  }
}
