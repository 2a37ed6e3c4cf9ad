package dev.voi.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
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

  @Test
  void aServerResourceIsNeverTheEmbeddedDatabase() {
    VoiConfig config = new VoiConfig();
    config.dbUrl = VoiDataSource.EMBEDDED;
    config.dbJndi = Optional.empty();
    assertThat(config.embeddedDatabase()).isTrue();
    assertThat(config.serverDataSource()).isEmpty();

    config.dbJndi = Optional.of(" jdbc/voi ");
    assertThat(config.embeddedDatabase()).isFalse();
    assertThat(config.serverDataSource()).contains("jdbc/voi");

    config.dbJndi = Optional.of(" ");
    assertThat(config.embeddedDatabase()).isTrue();
    assertThat(config.serverDataSource()).isEmpty();
  }
}
