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
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's first command with nothing configured: {@code bin/voi-server} on the embedded
 * database, as a newcomer runs it. Restarts keep the identity; a data directory that belongs to
 * another server stops the start.
 */
@ExtendWith(OpenApiValidation.class)
class EmbeddedServerIT {

  static final Duration START = Duration.ofMinutes(8);

  /**
   * The catalogue of hostile inputs, on the embedded database (PlatformIT runs it on PostgreSQL).
   */
  private static void hostileInputsAreRefusedAndLeaveNothingBehind(
      ServerProcess server, String admin, Path work) throws Exception {
    String api = server.baseUrl() + "/api/v1";
    Path fixtures = Files.createDirectories(work.resolve("hostile"));
    HostileInputs.Fixture fixture = HostileInputs.prepare(api, admin, fixtures, "hostile-h2");
    HostileInputs catalogue = new HostileInputs("/api/v1", admin, fixture);
    Path data = work.resolve("voi-data");
    String shown = HostileInputs.apiState(api, admin, fixture);
    // The database file is the server's while it runs: its tables are compared through the API.
    java.util.Map<String, Long> files = HostileInputs.files(data.resolve("images"));
    java.util.Map<String, Long> temporary = HostileInputs.files(data.resolve("tmp"));

    java.util.List<String> failures = catalogue.run(java.net.URI.create(server.baseUrl()));

    System.out.printf(
        "MEASURE hostile inputs on H2: %d cases %s%n",
        catalogue.cases().size(), catalogue.counts());
    assertThat(failures).as("refusals that were not as the contract says").isEmpty();
    assertThat(HostileInputs.files(data.resolve("images"))).isEqualTo(files);
    assertThat(HostileInputs.files(data.resolve("tmp"))).isEqualTo(temporary);
    assertThat(HostileInputs.apiState(api, admin, fixture)).isEqualTo(shown);
  }

  /** Streams the start of a large upload, then kills the JVM with the upload half-way. */
  private static void killedHalfWayThroughAnUpload(ServerProcess server, String token, Path dataDir)
      throws Exception {
    java.net.URI uri = java.net.URI.create(server.baseUrl());
    try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
      java.io.OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /api/v1/images?name=crash HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                  + token
                  + "\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                  + (64L << 20)
                  + "\r\n\r\n")
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      Path base = dev.voi.qcow2.Qemu.create(dataDir.resolveSibling("crash.qcow2"), "64M", "");
      out.write(Files.readAllBytes(base));
      out.write(new byte[8 << 20]);
      out.flush();
      long deadline = System.currentTimeMillis() + 30_000;
      while (listing(dataDir.resolve("tmp")).isEmpty() && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      assertThat(listing(dataDir.resolve("tmp"))).as("the upload is under way").isNotEmpty();
      server.kill();
    }
  }

  private static java.util.List<String> listing(Path dir) throws java.io.IOException {
    if (!Files.isDirectory(dir)) {
      return java.util.List.of();
    }
    try (var files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).toList();
    }
  }

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
      hostileInputsAreRefusedAndLeaveNothingBehind(server, "Bearer " + token, work);
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
      killedHalfWayThroughAnUpload(again, token, dataDir);
    }

    try (ServerProcess afterCrash = ServerProcess.start(work, Map.of())) {
      assertThat(afterCrash.awaitStarted(START)).as(afterCrash.output()).isTrue();
      assertThat(listing(dataDir.resolve("tmp"))).as("the start repaired the crash").isEmpty();
      assertThat(dataDir.resolve("images/crash")).doesNotExist();
      given()
          .header("Authorization", "Bearer " + token)
          .get(afterCrash.baseUrl() + "/api/v1/images/crash")
          .then()
          .statusCode(404);
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
