package dev.voi.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    config.dbJndi = Optional.of("jdbc/voi");
    assertThat(config.embeddedDatabase()).isFalse();
    assertThat(config.serverDataSource()).contains("jdbc/voi");

    config.dbJndi = Optional.of(" ");
    assertThat(config.embeddedDatabase()).isTrue();
    assertThat(config.serverDataSource()).isEmpty();
  }

  @Test
  void aResourceNameWithSpacesAroundItIsRefusedNamingTheSettingNotTrimmed() {
    VoiConfig config = new VoiConfig();
    config.dbUrl = VoiDataSource.EMBEDDED;
    for (String name : new String[] {" jdbc/voi", "jdbc/voi ", "\tjdbc/voi\n"}) {
      config.dbJndi = Optional.of(name);
      assertThatThrownBy(config::serverDataSource)
          .as("voi.db.jndi=[%s]", name)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("voi.db.jndi \"" + name + "\"")
          .hasMessageContaining("spaces around")
          .hasMessageEndingWith("set it to \"jdbc/voi\"");
      assertThatThrownBy(config::embeddedDatabase).isInstanceOf(IllegalStateException.class);
    }
  }
}
