package dev.voi.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.voi.server.control.DataDirectoryMarker;
import dev.voi.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The README's first command with nothing configured: {@code bin/voi-server} on the embedded
 * database, as a newcomer runs it. Restarts keep the identity; a data directory that belongs to
 * another server stops the start.
 */
class EmbeddedServerIT {

  static final Duration START = Duration.ofMinutes(3);

  @Test
  void startsWithNothingConfiguredKeepsItsIdentityAndRefusesAForeignDataDirectory()
      throws Exception {
    Path work = Files.createDirectories(Path.of("target/embedded-it").toAbsolutePath());
    dev.voi.testing.FreshDatabase.emptyDirectory(work);
    String uuid;
    String token;
    try (ServerProcess server = ServerProcess.start(work, Map.of())) {
      assertThat(server.awaitStarted(START)).as(server.output()).isTrue();
      token = server.generatedAdminToken();
      given()
          .get(server.baseUrl() + "/health/ready")
          .then()
          .statusCode(200)
          .body("checks.find { it.name == 'database' }.data.product", equalTo("H2"));
      uuid =
          given()
              .header("Authorization", "Bearer " + token)
              .get(server.baseUrl() + "/api/v1/server")
              .then()
              .statusCode(200)
              .extract()
              .path("serverUuid");
      given().get(server.baseUrl() + "/api/v1/server").then().statusCode(401);
    }
    Path dataDir = work.resolve("voi-data");
    assertThat(dataDir.resolve("db/voi.mv.db")).exists();
    assertThat(new DataDirectoryMarker(dataDir).read()).contains(UUID.fromString(uuid));

    try (ServerProcess again = ServerProcess.start(work, Map.of())) {
      assertThat(again.awaitStarted(START)).as(again.output()).isTrue();
      assertThat(again.output()).as("the token is printed only once").doesNotContain("voia_");
      given()
          .header("Authorization", "Bearer " + token)
          .get(again.baseUrl() + "/api/v1/server")
          .then()
          .statusCode(200)
          .body("serverUuid", equalTo(uuid));
    }

    new DataDirectoryMarker(dataDir).write(UUID.randomUUID());
    try (ServerProcess refused = ServerProcess.start(work, Map.of())) {
      assertThat(refused.awaitStarted(START)).isFalse();
      assertThat(refused.exitValue()).isNotZero();
      assertThat(refused.output())
          .contains("voi-server: the server failed to start")
          .contains("belongs to server")
          .contains(uuid);
    }
  }
}
