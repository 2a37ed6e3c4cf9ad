package dev.voi.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.qcow2.Qemu;
import dev.voi.testing.SameData;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audits (docs/design.md §7) on the real WAR: the integrity sweep and orphan scan on files made by
 * qemu-img, the one-run-at-a-time lease, and the report in JSON and XML. Every test works on images
 * of its own and looks only at findings about them: the data directory is shared by every test (and
 * by the other *IT classes of a run).
 */
@ExtendWith({ArquillianExtension.class, OpenApiValidation.class})
class AuditsIT {

  static final String ADMIN = "Bearer it-admin-token";
  static final Path DATA = Path.of(System.getProperty("voi.test.data.dir"));
  static final String DB = System.getProperty("voi.test.db.url");
  static final Map<String, String> ITEMS = SameData.AUDIT_ITEMS;

  @Deployment(testable = false)
  static WebArchive war() {
    return ShrinkWrap.createFromZipFile(WebArchive.class, new File("target/voi-update.war"));
  }

  @ArquillianResource URL base;
  @TempDir Path work;

  String api;

  @BeforeEach
  void urls() {
    base = Deployed.application(base);
    api = base.toString() + "api/v1";
  }

  @Test
  void aFlippedByteIsReportedTheLayerQuarantinedAndItsDownloadAnswers410() throws Exception {
    String image = image("flip");
    publishChain(image, 3);
    JsonPath lineage = adminGet("/images/" + image).jsonPath();
    String checksum = lineage.getString("layers[2].checksum");
    Path file = layerFile(image, lineage.getString("layers[2].fileName"));
    flipByte(file, Files.size(file) - 1000);

    JsonPath run = auditToTheEnd();

    assertThat(run.getString("state")).isEqualTo("FINISHED");
    Map<String, Object> finding = onlyFinding(run, image);
    assertThat(finding)
        .containsEntry("kind", "SHA256_MISMATCH")
        .containsEntry("depth", 2)
        .containsEntry("checksum", checksum)
        .containsEntry("file", "images/" + image + "/" + lineage.getString("layers[2].fileName"))
        .containsEntry("quarantined", true);
    assertThat(run.getInt("sweep.quarantined")).isGreaterThanOrEqualTo(1);
    JsonPath after = adminGet("/images/" + image).jsonPath();
    assertThat(after.getList("layers.state", String.class))
        .containsExactly("PUBLISHED", "PUBLISHED", "QUARANTINED");
    given()
        .header("Authorization", ADMIN)
        .get(api + "/images/" + image + "/layers/" + checksum + "/content")
        .then()
        .statusCode(410)
        .contentType("application/problem+json");

    JsonPath again = auditToTheEnd();
    assertThat(onlyFinding(again, image))
        .containsEntry("kind", "SHA256_MISMATCH")
        .containsEntry("quarantined", false);
    assertThat((String) onlyFinding(again, image).get("detail")).endsWith("(already quarantined)");
  }

  @Test
  void aDeletedFileIsAFindingAndItsLayerIsQuarantined() throws Exception {
    String image = image("gone");
    publishChain(image, 3);
    JsonPath lineage = adminGet("/images/" + image).jsonPath();
    Files.delete(layerFile(image, lineage.getString("layers[1].fileName")));

    JsonPath run = auditToTheEnd();

    assertThat(onlyFinding(run, image))
        .containsEntry("kind", "FILE_MISSING")
        .containsEntry("depth", 1)
        .containsEntry("checksum", lineage.getString("layers[1].checksum"))
        .containsEntry("quarantined", true);
    assertThat(adminGet("/images/" + image).jsonPath().getList("layers.state", String.class))
        .containsExactly("PUBLISHED", "QUARANTINED", "PUBLISHED");
  }

  @Test
  void aStrayFileInTheDataDirectoryIsAnOrphan() throws Exception {
    String image = image("stray");
    publishChain(image, 1);
    Path stray = DATA.resolve("images").resolve(image).resolve("copy-of-something.qcow2");
    Files.writeString(stray, "not a layer");
    try {
      JsonPath run = auditToTheEnd();

      assertThat(onlyFinding(run, image))
          .containsEntry("kind", "ORPHAN_FILE")
          .containsEntry("file", "images/" + image + "/copy-of-something.qcow2")
          .containsEntry("depth", null)
          .containsEntry("quarantined", false);
      assertThat(adminGet("/images/" + image).jsonPath().getString("layers[0].state"))
          .isEqualTo("PUBLISHED");
    } finally {
      Files.delete(stray);
    }
  }

  @Test
  void theJsonAndTheXmlOfARunCarryTheSameData() throws Exception {
    String image = image("xml");
    publishChain(image, 1);
    Files.writeString(DATA.resolve("images").resolve(image).resolve("stray.qcow2"), "<&>");
    JsonPath run;
    try {
      run = auditToTheEnd();
    } finally {
      Files.delete(DATA.resolve("images").resolve(image).resolve("stray.qcow2"));
    }
    String url = api + "/audits/" + run.getLong("id");

    Response json = given().header("Authorization", ADMIN).get(url);
    Response xml =
        given().header("Authorization", ADMIN).header("Accept", "application/xml").get(url);

    json.then().statusCode(200).header("Content-Type", "application/json");
    xml.then().statusCode(200).header("Content-Type", "application/xml");
    assertThat(xml.asString()).contains("<audit>").contains("<finding>");
    assertThat(SameData.assertSame(json.asString(), xml.asString(), ITEMS)).isGreaterThan(30);

    Response jsonList = given().header("Authorization", ADMIN).get(api + "/audits?limit=3");
    Response xmlList =
        given()
            .header("Authorization", ADMIN)
            .header("Accept", "application/xml")
            .get(api + "/audits?limit=3");
    assertThat(jsonList.jsonPath().getList("items")).hasSize(3);
    SameData.assertSame(jsonList.asString(), xmlList.asString(), ITEMS);
  }

  @Test
  void theListIsNewestFirstAndPagesWithACursor() throws Exception {
    long first = auditToTheEnd().getLong("id");
    long second = auditToTheEnd().getLong("id");

    JsonPath page = adminGet("/audits?limit=1").jsonPath();
    assertThat(page.getLong("items[0].id")).isEqualTo(second);
    String next = page.getString("next");
    assertThat(next).isEqualTo(Long.toString(second));
    JsonPath older = adminGet("/audits?limit=1&cursor=" + next).jsonPath();
    assertThat(older.getLong("items[0].id")).isEqualTo(first);
    assertThat(older.getString("items[0].url")).isEqualTo("/api/v1/audits/" + first);
    assertThat(older.getMap("items[0]")).doesNotContainKey("findings");
  }

  @Test
  void twoConcurrentTriggersRunOneAuditAtATime() throws Exception {
    awaitNoAuditRunning();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpRequest post =
        HttpRequest.newBuilder(URI.create(api + "/audits"))
            .header("Authorization", ADMIN)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    client.send(
        HttpRequest.newBuilder(URI.create(api + "/audits?limit=1"))
            .header("Authorization", ADMIN)
            .build(),
        HttpResponse.BodyHandlers.discarding());
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    List<HttpResponse<String>> answers = new ArrayList<>();
    try {
      List<Future<HttpResponse<String>>> futures = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        futures.add(
            threads.submit(
                () -> {
                  go.await();
                  return client.send(post, HttpResponse.BodyHandlers.ofString());
                }));
      }
      go.countDown();
      for (Future<HttpResponse<String>> future : futures) {
        answers.add(future.get(60, TimeUnit.SECONDS));
      }
    } finally {
      threads.shutdownNow();
    }
    List<Integer> statuses = answers.stream().map(HttpResponse::statusCode).sorted().toList();
    HttpResponse<String> accepted =
        answers.stream().filter(a -> a.statusCode() == 202).findFirst().orElseThrow();
    String location = accepted.headers().firstValue("Location").orElseThrow();
    if (statuses.equals(List.of(202, 409))) {
      HttpResponse<String> refused =
          answers.stream().filter(a -> a.statusCode() == 409).findFirst().orElseThrow();
      assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(refused.headers().firstValue("Location")).hasValue(location);
      assertThat(JsonPath.from(refused.body()).getString("type"))
          .isEqualTo("urn:voi-update:problem:audit-running");
      awaitEnd(location);
    } else {
      // The first run was over before the second request reached the lease: still one at a time.
      assertThat(statuses).containsExactly(202, 202);
      List<JsonPath> runs = new ArrayList<>();
      for (HttpResponse<String> answer : answers) {
        runs.add(awaitEnd(answer.headers().firstValue("Location").orElseThrow()));
      }
      runs.sort((a, b) -> Long.compare(a.getLong("id"), b.getLong("id")));
      assertThat(Instant.parse(runs.get(0).getString("finishedAt")))
          .isBeforeOrEqualTo(Instant.parse(runs.get(1).getString("startedAt")));
    }
  }

  @Test
  void aLeaseHeldByAnotherInstanceAnswers409AndExpiresWhenItsHolderDies() throws Exception {
    long foreign = holdLeaseAsAnotherInstance(Duration.ofMinutes(5));
    try {
      Response refused = given().header("Authorization", ADMIN).post(api + "/audits");
      refused
          .then()
          .statusCode(409)
          .contentType("application/problem+json")
          .header("Location", org.hamcrest.Matchers.endsWith("/api/v1/audits/" + foreign));
      assertThat(refused.jsonPath().getString("detail")).contains("other-instance#it");
      assertThat(adminGet("/audits/" + foreign).jsonPath().getString("state")).isEqualTo("RUNNING");
    } finally {
      // The other instance dies: its lease runs out.
      execute("UPDATE audit_lease SET expires_at = CURRENT_TIMESTAMP - INTERVAL '1' SECOND");
    }

    JsonPath taken = auditToTheEnd();

    assertThat(taken.getString("state")).isEqualTo("FINISHED");
    JsonPath abandoned = adminGet("/audits/" + foreign).jsonPath();
    assertThat(abandoned.getString("state")).isEqualTo("FAILED");
    assertThat(abandoned.getString("detail")).contains("lease expired");
  }

  @Test
  void auditsAreForTheAdministratorAndIdsAreChecked() {
    given().post(api + "/audits").then().statusCode(401);
    given().header("Authorization", "Bearer wrong").get(api + "/audits").then().statusCode(401);
    given()
        .header("Authorization", ADMIN)
        .get(api + "/audits/not-a-number")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
    given()
        .header("Authorization", ADMIN)
        .get(api + "/audits/999999999")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }

  @Test
  void anAuditReDecidesEveryReportedAnswerAndListsTerminalsNotSeen() throws Exception {
    String image = image("fleet");
    publishChain(image, 2);
    long terminal = register("audit-fleet-" + UUID.randomUUID().toString().substring(0, 8));
    String token = lastToken;
    given()
        .header("Authorization", ADMIN)
        .put(api + "/terminals/" + terminal + "/images/" + image)
        .then()
        .statusCode(201);
    given()
        .header("Authorization", "Bearer " + token)
        .contentType("application/json")
        .body("{\"nodes\":[]}")
        .put(api + "/terminals/" + terminal + "/images/" + image + "/chain")
        .then()
        .statusCode(200);
    // The stored answer drifts (as if decided by a server that was wrong): the audit puts it right.
    execute(
        "UPDATE assignment SET strategy = 'STOP', reason = 'UP_TO_DATE', answer_hash = 'drift'"
            + " WHERE terminal_id = "
            + terminal);
    long silent = register("audit-silent-" + UUID.randomUUID().toString().substring(0, 8));
    execute(
        "UPDATE terminal SET created_at = TIMESTAMP WITH TIME ZONE '2001-02-03 04:05:06+00',"
            + " last_seen = NULL WHERE id = "
            + silent);

    JsonPath run = auditToTheEnd();

    List<Map<String, Object>> mine =
        run.<Map<String, Object>>getList("changes").stream()
            .filter(c -> ((Number) c.get("terminalId")).longValue() == terminal)
            .toList();
    assertThat(mine).as(run.prettify()).hasSize(1);
    assertThat(mine.get(0))
        .containsEntry("image", image)
        .containsEntry("oldStrategy", "STOP")
        .containsEntry("oldReason", "UP_TO_DATE")
        .containsEntry("newStrategy", "FULL")
        .containsEntry("newReason", "NO_LOCAL_CHAIN");
    assertThat(run.getLong("terminals.changed")).isGreaterThanOrEqualTo(1);
    assertThat(run.getLong("terminals.decisions")).isGreaterThanOrEqualTo(1);
    assertThat(run.getList("terminals.strategies.name", String.class)).contains("FULL");
    assertThat(
            text(
                "SELECT strategy || ' ' || reason FROM assignment WHERE terminal_id = " + terminal))
        .isEqualTo("FULL NO_LOCAL_CHAIN");
    assertThat(
            text(
                "SELECT triggered_by FROM answer_change WHERE terminal_id = "
                    + terminal
                    + " ORDER BY id DESC LIMIT 1"))
        .isEqualTo("audit " + run.getLong("id"));
    List<Map<String, Object>> stale =
        run.<Map<String, Object>>getList("staleTerminals").stream()
            .filter(t -> ((Number) t.get("terminalId")).longValue() == silent)
            .toList();
    assertThat(stale).as(run.prettify()).hasSize(1);
    assertThat(run.getLong("terminals.stale")).isGreaterThanOrEqualTo(1);
    assertThat(
            run.<Map<String, Object>>getList("staleTerminals").stream()
                .map(t -> ((Number) t.get("terminalId")).longValue()))
        .doesNotContain(terminal);

    JsonPath again = auditToTheEnd();
    assertThat(
            again.<Map<String, Object>>getList("changes").stream()
                .map(c -> ((Number) c.get("terminalId")).longValue()))
        .as("an answer already right is not changed again")
        .doesNotContain(terminal);
  }

  private String lastToken;

  private long register(String name) {
    Response created =
        given()
            .header("Authorization", ADMIN)
            .contentType("application/json")
            .body("{\"name\":\"" + name + "\"}")
            .post(api + "/terminals");
    created.then().statusCode(201);
    lastToken = created.jsonPath().getString("token");
    return created.jsonPath().getLong("id");
  }

  // --- audits ---

  /** Starts an audit (waiting for a running one first) and waits for its end. */
  private JsonPath auditToTheEnd() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      Response answer = given().header("Authorization", ADMIN).post(api + "/audits");
      if (answer.statusCode() == 202) {
        JsonPath run = awaitEnd(answer.header("Location"));
        assertThat(run.getString("state")).as(run.prettify()).isEqualTo("FINISHED");
        return run;
      }
      answer.then().statusCode(409);
      if (answer.header("Location") != null) {
        awaitEnd(answer.header("Location"));
      }
      assertThat(System.nanoTime()).as("an audit could start").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private JsonPath awaitEnd(String location) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      JsonPath run =
          given()
              .header("Authorization", ADMIN)
              .get(location)
              .then()
              .statusCode(200)
              .extract()
              .jsonPath();
      if (!run.getString("state").equals("RUNNING")) {
        return run;
      }
      assertThat(System.nanoTime()).as("audit " + location + " ends").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private void awaitNoAuditRunning() throws Exception {
    for (int i = 0; i < 1200; i++) {
      String running = text("SELECT COUNT(*) FROM audit_run WHERE state = 'RUNNING'");
      if (running.equals("0")) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("an audit kept running");
  }

  private static Map<String, Object> onlyFinding(JsonPath run, String image) {
    List<Map<String, Object>> mine =
        run.<Map<String, Object>>getList("findings").stream()
            .filter(f -> image.equals(f.get("image")))
            .toList();
    assertThat(mine).as("findings about " + image + " in " + run.prettify()).hasSize(1);
    return mine.get(0);
  }

  /** Takes the lease in the database as another server instance would, with a RUNNING run. */
  private long holdLeaseAsAnotherInstance(Duration lease) throws Exception {
    awaitNoAuditRunning();
    try (Connection c = DriverManager.getConnection(DB)) {
      c.setAutoCommit(false);
      long run;
      try (PreparedStatement insert =
          c.prepareStatement(
              "INSERT INTO audit_run (trigger_kind, state, holder, started_at)"
                  + " VALUES ('timer', 'RUNNING', 'other-instance#it', CURRENT_TIMESTAMP)",
              new String[] {"id"})) {
        insert.executeUpdate();
        try (ResultSet keys = insert.getGeneratedKeys()) {
          keys.next();
          run = keys.getLong(1);
        }
      }
      try (PreparedStatement take =
          c.prepareStatement(
              "UPDATE audit_lease SET holder = 'other-instance#it', run_id = ?,"
                  + " expires_at = CURRENT_TIMESTAMP + INTERVAL '"
                  + lease.toSeconds()
                  + "' SECOND WHERE holder IS NULL OR expires_at < CURRENT_TIMESTAMP")) {
        take.setLong(1, run);
        assertThat(take.executeUpdate()).as("the lease was free").isEqualTo(1);
      }
      c.commit();
      return run;
    }
  }

  private static void execute(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(DB);
        PreparedStatement statement = c.prepareStatement(sql)) {
      statement.executeUpdate();
    }
  }

  private static String text(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(DB);
        PreparedStatement statement = c.prepareStatement(sql);
        ResultSet row = statement.executeQuery()) {
      row.next();
      return row.getString(1);
    }
  }

  // --- images ---

  private static String image(String what) {
    return "audit-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A base and {@code layers - 1} diffs, each with 1 MiB of its own data, built by qemu-img. */
  private void publishChain(String image, int layers) throws IOException {
    Path dir = Files.createDirectories(work.resolve("build-" + image));
    Path base = Qemu.create(dir.resolve("base.qcow2"), "64M", "");
    Qemu.io(base, "write -P 0x11 0 1M").assertOk();
    post("/images?name=" + image + "&version=1", base).then().statusCode(201);
    for (int k = 1; k < layers; k++) {
      String tip = adminGet("/images/" + image).jsonPath().getString("tip.checksum");
      Path tipFile = download(image, tip, dir);
      Path diff = dir.resolve("diff" + k + ".qcow2");
      Qemu.run(
              dir,
              "qemu-img",
              "create",
              "-q",
              "-f",
              "qcow2",
              "-F",
              "qcow2",
              "-b",
              tipFile.getFileName().toString(),
              diff.getFileName().toString())
          .assertOk();
      Qemu.io(diff, "write -P " + (0x20 + k) + " " + k + "M 1M").assertOk();
      post("/images/" + image + "/layers?parent=" + tip, diff).then().statusCode(201);
    }
  }

  private Path download(String image, String checksum, Path dir) throws IOException {
    Response response =
        given()
            .header("Authorization", ADMIN)
            .get(api + "/images/" + image + "/layers/" + checksum + "/content");
    response.then().statusCode(200);
    String disposition = response.header("Content-Disposition");
    String name =
        disposition.substring(disposition.indexOf("filename=\"") + 10, disposition.length() - 1);
    Path file = dir.resolve(name);
    try (InputStream in = response.asInputStream()) {
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
    }
    return file;
  }

  private static Path layerFile(String image, String fileName) {
    return DATA.resolve("images").resolve(image).resolve(fileName);
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      int b = raf.read();
      raf.seek(offset);
      raf.write(b ^ 0xff);
    }
  }

  private Response post(String path, Path file) {
    return given()
        .header("Authorization", ADMIN)
        .contentType("application/octet-stream")
        .body(file.toFile())
        .post(api + path);
  }

  private Response adminGet(String path) {
    Response response = given().header("Authorization", ADMIN).get(api + path);
    response.then().statusCode(200);
    return response;
  }
}
