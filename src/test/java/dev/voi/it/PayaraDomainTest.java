package dev.voi.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@link PayaraDomain} writes down of an asadmin command line: never a secret. */
class PayaraDomainTest {

  @Test
  void theValueOfATokenOrPasswordPropertyIsMaskedAndTheRestOfTheLineKept() {
    assertThat(
            PayaraDomain.shown(
                List.of(
                    "--port",
                    "4848",
                    "set-config-property",
                    "--propertyName=voi.admin.token",
                    "--propertyValue=s3cret-token",
                    "--source=domain")))
        .isEqualTo(
            "--port 4848 set-config-property --propertyName=voi.admin.token"
                + " --propertyValue=*** --source=domain");
    assertThat(
            PayaraDomain.shown(
                List.of(
                    "set-config-property",
                    "--propertyName=voi.db.PASSWORD",
                    "--propertyValue=hunter2")))
        .doesNotContain("hunter2")
        .endsWith("--propertyValue=***");
  }

  @Test
  void otherPropertiesStayAsTheyAre() {
    List<String> line =
        List.of(
            "set-config-property",
            "--propertyName=voi.db.jndi",
            "--propertyValue=jdbc/voi",
            "--source=domain");
    assertThat(PayaraDomain.shown(line)).isEqualTo(String.join(" ", line));
  }

  @Test
  void aPasswordInAPoolsPropertyListIsMasked() {
    assertThat(
            PayaraDomain.shown(
                List.of(
                    "create-jdbc-connection-pool",
                    "--property",
                    "serverName=db:portNumber=5432:password=pw:user=voi",
                    "voi-pool")))
        .isEqualTo(
            "create-jdbc-connection-pool --property"
                + " serverName=db:portNumber=5432:password=***:user=voi voi-pool");
  }
}
