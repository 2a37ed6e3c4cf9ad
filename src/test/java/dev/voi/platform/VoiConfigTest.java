package dev.voi.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class VoiConfigTest {

  @Test
  void theAuditIntervalIsInMinutesWithDecimalsAtLeastOneSecondAndZeroTurnsItOff() {
    assertThat(VoiConfig.auditInterval(10)).isEqualTo(Duration.ofMinutes(10));
    assertThat(VoiConfig.auditInterval(0.2)).isEqualTo(Duration.ofSeconds(12));
    assertThat(VoiConfig.auditInterval(0.5)).isEqualTo(Duration.ofSeconds(30));
    assertThat(VoiConfig.auditInterval(0.001)).isEqualTo(Duration.ofSeconds(1));
    assertThat(VoiConfig.auditInterval(0)).isZero();
    assertThat(VoiConfig.auditInterval(-1)).isZero();
    assertThat(VoiConfig.auditInterval(Double.NaN)).isZero();
  }
}
