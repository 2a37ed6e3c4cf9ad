package dev.voi.audits.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AuditorTest {

  @Test
  void aTimerTickIsDueALittleBeforeAWholeIntervalHasPassed() {
    assertThat(Auditor.minimumGap(Duration.ofMinutes(10))).isEqualTo(Duration.ofMinutes(9));
    assertThat(Auditor.minimumGap(Duration.ofMinutes(60))).isEqualTo(Duration.ofMinutes(59));
    assertThat(Auditor.minimumGap(Duration.ofMinutes(1))).isEqualTo(Duration.ofSeconds(54));
  }
}
