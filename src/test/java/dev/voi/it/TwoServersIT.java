package dev.voi.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.chain.Checksum;
import dev.voi.qcow2.Qemu;
import dev.voi.testing.FreshDatabase;
import dev.voi.testing.ServerProcess;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two real server instances ({@code bin/voi-server} processes) on one PostgreSQL database and one
 * data directory, as an operator runs them behind a load balancer (issue 6): their audit timers
 * both tick, and the audit lease makes one of them run each audit while the other's tick is
 * recorded as skipped; a lease whose holder died expires and is taken over; and one instance's
 * {@code voi.download.max.concurrent} turns a second download away with 503 (issue 4).
 *
 * <p>The database {@code <IT database>_two} ({@code voi_it_two} by default) and the directory
 * {@code target/two-servers} are this class's own; both servers' logs are left in that directory.
 * The tests share the two servers but not what they publish: each makes its own image, and none
 * relies on what another left, in either order.
 */
@ExtendWith(OpenApiValidation.class)
class TwoServersIT {

  static final Duration START = Duration.ofMinutes(8);
  static final String TOKEN = "two-servers-admin-token";
  static final String ADMIN = "Bearer " + TOKEN;

  /** {@code voi.audit.interval.minutes}: 12 s, so that the test sees several ticks. */
  static final String INTERVAL_MINUTES = "0.2";

  static final Duration INTERVAL = Duration.ofSeconds(12);

  /** What a tick needs since the last run's start to be due (Auditor.minimumGap: 9/10). */
  static final Duration MINIMUM_GAP = INTERVAL.minus(INTERVAL.dividedBy(10));

  /**
   * {@code voi.audit.sweep.mbps}: the 64 MiB layer takes about 22 s to sweep, longer than an
   * interval, so that every instance ticks while a run holds the lease.
   */
  static final String SWEEP_MBPS = "3";

  /**
   * The times of runs are their transactions' start on PostgreSQL (CURRENT_TIMESTAMP): a tick whose
   * transaction began a moment before a run's, and then waited for the lease row's lock, is stamped
   * a little before the run it was skipped for; a run is finished a moment before it releases.
   */
  static final Duration CLOCK_SLACK = Duration.ofSeconds(2);

  static final String DEAD_HOLDER = "999999@an-instance-that-died#0badf00d";

  static Path work;
  static String dbUrl;
  static ServerProcess a;
  static ServerProcess b;

  /** The runs' holder names of each instance ({@code pid@host}, without the lease nonce). */
  static String instanceA;

  static String instanceB;

  @BeforeAll
  static void startTwoServers() throws Exception {
    work = Files.createDirectories(Path.of("target/two-servers").toAbsolutePath());
    FreshDatabase.emptyDirectory(work);
    dbUrl = FreshDatabase.besideTheItDatabase("two");

    Map<String, String> common = new HashMap<>();
    common.put("VOI_DB_URL", dbUrl);
    common.put("VOI_DATA_DIR", work.resolve("voi-data").toString());
    common.put("VOI_ADMIN_TOKEN", TOKEN);
    common.put("VOI_AUDIT_INTERVAL_MINUTES", INTERVAL_MINUTES);
    common.put("VOI_AUDIT_SWEEP_MBPS", SWEEP_MBPS);
    List<Integer> ports = freePorts(18600, 18699, 2);
    Map<String, String> envA = new HashMap<>(common);
    envA.put("VOI_HTTP_PORT", ports.get(0).toString());
    envA.put("VOI_DOWNLOAD_MAX_CONCURRENT", "1");
    Map<String, String> envB = new HashMap<>(common);
    envB.put("VOI_HTTP_PORT", ports.get(1).toString());

    // Both at once, as a deployment starts them: they race for the migration and the identity.
    a = ServerProcess.start(Files.createDirectories(work.resolve("a")), envA);
    b = ServerProcess.start(Files.createDirectories(work.resolve("b")), envB);
    assertThat(a.awaitStarted(START)).as(a.output()).isTrue();
    assertThat(b.awaitStarted(START)).as(b.output()).isTrue();
  }

  @AfterAll
  static void stopBoth() throws Exception {
    CompletableFuture<Void> stopA = CompletableFuture.runAsync(() -> close(a));
    CompletableFuture<Void> stopB = CompletableFuture.runAsync(() -> close(b));
    stopA.join();
    stopB.join();
    if (a != null) {
      Files.writeString(work.resolve("a.log"), a.output());
    }
    if (b != null) {
      Files.writeString(work.resolve("b.log"), b.output());
    }
  }

  private static void close(ServerProcess server) {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void oneAuditAtATimeAcrossTwoInstancesADeadHoldersLeaseExpiresAndDownloadsAreLimited()
      throws Exception {
    String uuid = adminGet(a, "/server").getString("serverUuid");
    assertThat(adminGet(b, "/server").getString("serverUuid"))
        .as("one server, two instances")
        .isEqualTo(uuid);
    assertThat(a.output()).contains("Audits are scheduled every 12.0 s");
    assertThat(b.output()).contains("Audits are scheduled every 12.0 s");

    timersRunOneAuditPerIntervalBetweenThem();
    deadHoldersLeaseExpiresAndTheNextTriggerTakesIt();

    Layer big = publishBigBase();
    downloadsAboveTheLimitAnswer503UntilOneEnds(big);
    timersOfBothInstancesRunOneAuditAtATime(big);
  }

  /**
   * A token rotated, an image unassigned or a terminal deleted through one instance stops working
   * on the other within a housekeeping tick (5 s), although the other had it in its caches.
   */
  @Test
  void terminalChangesMadeOnOneInstanceReachTheOther() throws Exception {
    publishTinyImage("tiny");
    JsonPath registered = registerAndAssign("{\"name\": \"roams-between-instances\"}", "tiny");
    long id = registered.getLong("id");
    String first = "Bearer " + registered.getString("token");
    String strategy = "/terminals/" + id + "/images/tiny/strategy";
    // B learns the token and the assignment: authenticated, assigned, nothing reported yet.
    assertThat(status(b, first, "/terminals/" + id)).isEqualTo(200);
    assertThat(status(b, first, strategy)).isEqualTo(404);

    given()
        .header("Authorization", ADMIN)
        .delete(api(a, "/terminals/" + id + "/images/tiny"))
        .then()
        .statusCode(org.hamcrest.Matchers.lessThan(300));
    assertThat(statusWithin(b, first, strategy, 403)).as("unassigned on A, seen on B").isTrue();

    String second =
        "Bearer "
            + given()
                .header("Authorization", ADMIN)
                .post(api(a, "/terminals/" + id + "/token"))
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getString("token");
    assertThat(statusWithin(b, first, "/terminals/" + id, 401))
        .as("the token rotated on A stops working on B")
        .isTrue();
    assertThat(status(b, second, "/terminals/" + id)).isEqualTo(200);

    given()
        .header("Authorization", ADMIN)
        .delete(api(a, "/terminals/" + id))
        .then()
        .statusCode(org.hamcrest.Matchers.lessThan(300));
    assertThat(statusWithin(b, second, "/terminals/" + id, 401))
        .as("the terminal deleted on A is gone on B")
        .isTrue();
  }

  @Test
  void aRolloutPlanAndAGroupMoveMadeOnOneInstanceReachTheOther() throws Exception {
    publishTinyImage("staged");
    JsonPath registered =
        registerAndAssign("{\"name\": \"late-one\", \"group\": \"late\"}", "staged");
    long id = registered.getLong("id");
    String bearer = "Bearer " + registered.getString("token");
    String strategy = "/terminals/" + id + "/images/staged/strategy";
    given()
        .header("Authorization", bearer)
        .contentType("application/json")
        .body("{\"nodes\": []}")
        .put(api(b, "/terminals/" + id + "/images/staged/chain"))
        .then()
        .statusCode(200)
        .body("wave", org.hamcrest.Matchers.equalTo(0));

    given()
        .header("Authorization", ADMIN)
        .contentType("application/json")
        .body("{\"waves\": [[\"early\"]]}")
        .put(api(a, "/images/staged/rollout"))
        .then()
        .statusCode(200);
    assertThat(waveWithin(b, bearer, strategy, 1)).as("the plan put on A, seen on B").isTrue();

    given()
        .header("Authorization", ADMIN)
        .contentType("application/json")
        .body("{\"group\": \"early\"}")
        .put(api(a, "/terminals/" + id + "/group"))
        .then()
        .statusCode(200);
    assertThat(waveWithin(b, bearer, strategy, 0)).as("the group moved on A, seen on B").isTrue();
  }

  /** Whether the answer at {@code path} names wave {@code expected} within two ticks. */
  private static boolean waveWithin(ServerProcess server, String bearer, String path, int expected)
      throws InterruptedException {
    return within(
        server,
        bearer,
        path,
        answer -> answer.statusCode() == 200 && answer.jsonPath().getInt("wave") == expected);
  }

  /** A 1 MiB base published on A as image {@code name}. */
  private void publishTinyImage(String name) throws IOException {
    Path dir = Files.createDirectories(work.resolve(name));
    Qemu.img(dir, "create", "-q", "-f", "qcow2", name + ".qcow2", "1M").assertOk();
    Response image =
        given()
            .header("Authorization", ADMIN)
            .contentType("application/octet-stream")
            .body(dir.resolve(name + ".qcow2").toFile())
            .post(api(a, "/images?name=" + name));
    assertThat(image.statusCode()).as(image.asString()).isEqualTo(201);
  }

  /** A terminal registered on A with {@code registration}, assigned {@code image}. */
  private static JsonPath registerAndAssign(String registration, String image) {
    JsonPath registered =
        given()
            .header("Authorization", ADMIN)
            .contentType("application/json")
            .body(registration)
            .post(api(a, "/terminals"))
            .then()
            .statusCode(201)
            .extract()
            .jsonPath();
    given()
        .header("Authorization", ADMIN)
        .put(api(a, "/terminals/" + registered.getLong("id") + "/images/" + image))
        .then()
        .statusCode(org.hamcrest.Matchers.lessThan(300));
    return registered;
  }

  private static int status(ServerProcess server, String bearer, String path) {
    return given().header("Authorization", bearer).get(api(server, path)).statusCode();
  }

  /** Whether {@code path} answers {@code expected} within two housekeeping ticks. */
  private static boolean statusWithin(
      ServerProcess server, String bearer, String path, int expected) throws InterruptedException {
    return within(server, bearer, path, answer -> answer.statusCode() == expected);
  }

  /** Whether the answer at {@code path} satisfies {@code test} within two housekeeping ticks. */
  private static boolean within(
      ServerProcess server, String bearer, String path, Predicate<Response> test)
      throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(12);
    while (Instant.now().isBefore(deadline)) {
      if (test.test(given().header("Authorization", bearer).get(api(server, path)))) {
        return true;
      }
      Thread.sleep(250);
    }
    return false;
  }

  /**
   * With no layers (or only the other test's tiny one) a run takes milliseconds, so the lease is
   * free whenever a tick comes: what keeps the two instances' timers from making two audits per
   * interval is that a tick is due only a whole interval (less a tenth) after the last run of any
   * instance. Waits for two timer runs in a row with no run between them: in the 12 s between them
   * the other instance ticked too, and did nothing.
   */
  private void timersRunOneAuditPerIntervalBetweenThem() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (true) {
      List<Run> ran = oldestFirst(runs(a));
      for (int i = 1; i < ran.size(); i++) {
        Run first = ran.get(i - 1);
        Run second = ran.get(i);
        if (first.trigger().equals("timer")
            && second.trigger().equals("timer")
            && first.state().equals("FINISHED")
            && second.state().equals("FINISHED")) {
          assertThat(Duration.between(first.startedAt(), second.startedAt()))
              .as("timer runs %s and %s", first, second)
              .isGreaterThanOrEqualTo(MINIMUM_GAP)
              .isLessThan(INTERVAL.plus(INTERVAL));
          return;
        }
      }
      assertThat(System.nanoTime()).as("two timer runs in a row: " + ran).isLessThan(deadline);
      Thread.sleep(250);
    }
  }

  /** The runs that ran (not the skipped ticks), oldest first. */
  private static List<Run> oldestFirst(List<Run> newestFirst) {
    List<Run> ran =
        new ArrayList<>(newestFirst.stream().filter(r -> !r.state().equals("SKIPPED")).toList());
    Collections.reverse(ran);
    return ran;
  }

  /**
   * A holder that died leaves its lease and its RUNNING run behind: while the lease lives a request
   * answers 409 with that run's location, once it expired the next trigger takes it, the dead run
   * turns FAILED and the new one runs to its end.
   */
  private void deadHoldersLeaseExpiresAndTheNextTriggerTakesIt() throws Exception {
    Planted dead = plantDeadHoldersLease(Duration.ofSeconds(6));

    Response busy = given().header("Authorization", ADMIN).post(api(b, "/audits"));
    assertThat(busy.statusCode()).as(busy.asString()).isEqualTo(409);
    assertThat(busy.contentType()).startsWith("application/problem+json");
    assertThat(busy.header("Location")).isEqualTo(api(b, "/audits/" + dead.runId()));

    JsonPath started = postUntilAccepted(b, Duration.ofSeconds(60));
    long runId = started.getLong("id");
    instanceB = instance(started.getString("holder"));
    assertThat(Instant.parse(started.getString("startedAt")))
        .as("the lease was not taken before it expired")
        .isAfterOrEqualTo(dead.expiresAt());

    JsonPath deadRun = adminGet(a, "/audits/" + dead.runId());
    assertThat(deadRun.getString("state")).isEqualTo("FAILED");
    assertThat(deadRun.getString("detail")).contains("its audit lease expired");
    assertThat(Instant.parse(deadRun.getString("finishedAt"))).isAfterOrEqualTo(dead.expiresAt());

    JsonPath finished = awaitRun(a, runId, run -> !run.getString("state").equals("RUNNING"));
    assertThat(finished.getString("state")).isEqualTo("FINISHED");
    assertThat(finished.getString("trigger")).isEqualTo("api");

    instanceA = instance(postUntilAccepted(a, Duration.ofSeconds(60)).getString("holder"));
    assertThat(instanceA).as("the runs name the instance that ran them").isNotEqualTo(instanceB);
  }

  /**
   * With {@code voi.download.max.concurrent=1} on instance A, a download held open (the client
   * reads nothing, so the server blocks on the socket) makes the next one answer 503; once it is
   * closed, the next one downloads the whole layer.
   */
  private void downloadsAboveTheLimitAnswer503UntilOneEnds(Layer big) throws Exception {
    String path = "/api/v1/images/big/layers/" + big.checksum() + "/content";
    URI uri = URI.create(a.baseUrl());
    try (Socket held = new Socket(uri.getHost(), uri.getPort())) {
      held.setReceiveBufferSize(64 * 1024);
      OutputStream out = held.getOutputStream();
      out.write(
          ("GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + ADMIN + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String head = RawHttp.readHead(held.getInputStream());
      assertThat(head).startsWith("HTTP/1.1 200");

      Response refused = given().header("Authorization", ADMIN).get(a.baseUrl() + path);
      assertThat(refused.statusCode()).as(refused.asString()).isEqualTo(503);
      assertThat(refused.header("Retry-After")).isEqualTo("10");
      assertThat(refused.contentType()).startsWith("application/problem+json");
      assertThat(refused.jsonPath().getString("type")).endsWith("too-many-downloads");

      // The limit is the instance's own: the other one serves at the same time.
      assertThat(sha256OfDownload(b, path)).contains(big.sha256());
    }

    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Optional<String> sha256 = sha256OfDownload(a, path);
    while (sha256.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200);
      sha256 = sha256OfDownload(a, path);
    }
    assertThat(sha256).as("a download once the held one was closed").contains(big.sha256());
  }

  /**
   * Both instances' timers tick every 12 s; a run of the big layer takes about 22 s. Waits for a
   * timer run that swept the big layer to finish, while checking that a tick of the other instance
   * during it was recorded as skipped and that a request to the other instance answered 409 with
   * the run's location. Then checks the whole history: runs never overlap, a timer run starts only
   * a minimum gap after the last run of any instance, and every skipped tick names the run that
   * held the lease at that moment.
   */
  private void timersOfBothInstancesRunOneAuditAtATime(Layer big) throws Exception {
    long publishedAfter = latestRunId();
    Long conflictChecked = null;
    Run timerRun = null;
    Run skippedByTheOther = null;
    int samples = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      ServerProcess reader = samples++ % 2 == 0 ? a : b;
      List<Run> runs = runs(reader);
      List<Run> running = runs.stream().filter(r -> r.state().equals("RUNNING")).toList();
      assertThat(running)
          .as("runs RUNNING at once, read from " + reader.baseUrl())
          .hasSizeLessThan(2);

      if (conflictChecked == null && !running.isEmpty() && running.get(0).id() > publishedAfter) {
        Run run = running.get(0);
        ServerProcess other = instance(run.holder()).equals(instanceA) ? b : a;
        Response busy = given().header("Authorization", ADMIN).post(api(other, "/audits"));
        assertThat(busy.statusCode()).as(busy.asString()).isEqualTo(409);
        assertThat(busy.contentType()).startsWith("application/problem+json");
        assertThat(busy.header("Location")).isEqualTo(api(other, "/audits/" + run.id()));
        conflictChecked = run.id();
      }
      Map<Long, Run> byId = new HashMap<>();
      runs.forEach(r -> byId.put(r.id(), r));
      timerRun =
          runs.stream()
              .filter(r -> r.id() > publishedAfter && r.trigger().equals("timer"))
              .filter(r -> r.state().equals("FINISHED") && r.bytesChecked() >= big.size())
              .findFirst()
              .orElse(null);
      skippedByTheOther =
          runs.stream()
              .filter(r -> r.state().equals("SKIPPED") && r.heldBy() != null)
              .filter(r -> byId.containsKey(r.heldBy()) && r.heldBy() > publishedAfter)
              .filter(r -> !instance(r.holder()).equals(instance(byId.get(r.heldBy()).holder())))
              .findFirst()
              .orElse(null);
      if (conflictChecked != null && timerRun != null && skippedByTheOther != null) {
        break;
      }
      Thread.sleep(250);
    }
    assertThat(conflictChecked).as("a run of the big layer was seen RUNNING").isNotNull();
    assertThat(timerRun)
        .as("a timer run that swept the big layer finished: " + runs(a))
        .isNotNull();
    assertThat(skippedByTheOther)
        .as("a tick of the other instance was skipped while a run held the lease: " + runs(a))
        .isNotNull();

    long finishedId = timerRun.id();
    List<Run> history = runs(b);
    assertThat(runs(a).stream().filter(r -> r.id() <= finishedId).map(Run::holder))
        .as("both instances read the same runs")
        .containsExactlyElementsOf(
            history.stream().filter(r -> r.id() <= finishedId).map(Run::holder).toList());
    Run finished = history.stream().filter(r -> r.id() == finishedId).findFirst().orElseThrow();
    assertThat(finished.state()).isEqualTo("FINISHED");
    assertThat(finished.layersChecked())
        .as("every layer row, this test's and any other test's")
        .isEqualTo(layerRows());
    assertThat(finished.findings()).isZero();

    Set<String> instances = new HashSet<>();
    for (Run run : history) {
      if (!run.holder().equals(DEAD_HOLDER)) {
        instances.add(instance(run.holder()));
      }
    }
    assertThat(instances).as("the runs and skips name both instances, no other").hasSize(2);
    assertThat(instances).containsExactlyInAnyOrder(instanceA, instanceB);

    List<Run> oldestFirst = oldestFirst(history);
    for (int i = 1; i < oldestFirst.size(); i++) {
      Run before = oldestFirst.get(i - 1);
      Run run = oldestFirst.get(i);
      assertThat(before.finishedAt()).as("%s ended before %s started", before, run).isNotNull();
      assertThat(run.startedAt())
          .as("%s started after %s ended", run, before)
          .isAfterOrEqualTo(before.finishedAt().minus(CLOCK_SLACK));
      if (run.trigger().equals("timer")) {
        assertThat(Duration.between(before.startedAt(), run.startedAt()))
            .as("a timer run starts a whole interval (less slack) after the last run: %s", run)
            .isGreaterThanOrEqualTo(MINIMUM_GAP);
      }
    }
    List<Run> skipped = history.stream().filter(r -> r.state().equals("SKIPPED")).toList();
    assertThat(skipped).isNotEmpty();
    Map<Long, Run> byId = new HashMap<>();
    history.forEach(r -> byId.put(r.id(), r));
    for (Run skip : skipped) {
      assertThat(skip.trigger()).as("only timer ticks are skipped: %s", skip).isEqualTo("timer");
      assertThat(skip.finishedAt()).isEqualTo(skip.startedAt());
      if (skip.heldBy() != null) {
        Run holder = byId.get(skip.heldBy());
        assertThat(holder).as("the run that %s names", skip).isNotNull();
        assertThat(holder.covers(skip.startedAt()))
            .as("%s was skipped while %s held the lease", skip, holder)
            .isTrue();
      }
    }
  }

  // ------------------------------------------------------------------------- the lease

  record Planted(long runId, Instant expiresAt) {}

  /**
   * Writes what a holder that died leaves behind: its RUNNING run and its lease, due to expire
   * {@code ttl} from now (database clock). Waits for the lease to be free first, as a run would.
   */
  private static Planted plantDeadHoldersLease(Duration ttl) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    try (Connection c = DriverManager.getConnection(dbUrl)) {
      c.setAutoCommit(false);
      while (System.nanoTime() < deadline) {
        long runId;
        try (PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO audit_run (trigger_kind, state, holder, started_at)"
                    + " VALUES ('api', 'RUNNING', ?, CURRENT_TIMESTAMP) RETURNING id")) {
          insert.setString(1, DEAD_HOLDER);
          try (ResultSet row = insert.executeQuery()) {
            row.next();
            runId = row.getLong(1);
          }
        }
        try (PreparedStatement take =
            c.prepareStatement(
                "UPDATE audit_lease SET holder = ?, run_id = ?,"
                    + " expires_at = CURRENT_TIMESTAMP + CAST(? AS INTERVAL)"
                    + " WHERE id = 1 AND (holder IS NULL OR expires_at < CURRENT_TIMESTAMP)"
                    + " RETURNING expires_at")) {
          take.setString(1, DEAD_HOLDER);
          take.setLong(2, runId);
          take.setString(3, ttl.toMillis() + " milliseconds");
          try (ResultSet row = take.executeQuery()) {
            if (row.next()) {
              Instant expiresAt = row.getObject(1, OffsetDateTime.class).toInstant();
              c.commit();
              return new Planted(runId, expiresAt);
            }
          }
        }
        c.rollback();
        Thread.sleep(100);
      }
    }
    throw new AssertionError("the audit lease was never free");
  }

  /** The layers an audit sweeps: every row, in every state (no test deletes one). */
  private static int layerRows() throws SQLException {
    try (Connection c = DriverManager.getConnection(dbUrl);
        PreparedStatement count = c.prepareStatement("SELECT COUNT(*) FROM layer");
        ResultSet row = count.executeQuery()) {
      row.next();
      return row.getInt(1);
    }
  }

  private static long latestRunId() throws SQLException {
    try (Connection c = DriverManager.getConnection(dbUrl);
        PreparedStatement max = c.prepareStatement("SELECT COALESCE(MAX(id), 0) FROM audit_run");
        ResultSet row = max.executeQuery()) {
      row.next();
      return row.getLong(1);
    }
  }

  /** {@code POST /api/v1/audits} until it answers 202 (409 while a timer run holds the lease). */
  private static JsonPath postUntilAccepted(ServerProcess server, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Response response = given().header("Authorization", ADMIN).post(api(server, "/audits"));
      if (response.statusCode() == 202) {
        assertThat(response.header("Location"))
            .isEqualTo(api(server, "/audits/" + response.jsonPath().getLong("id")));
        return response.jsonPath();
      }
      assertThat(response.statusCode()).as(response.asString()).isEqualTo(409);
      assertThat(System.nanoTime()).as("no audit started in " + timeout).isLessThan(deadline);
      Thread.sleep(250);
    }
  }

  private static JsonPath awaitRun(ServerProcess server, long id, Predicate<JsonPath> done)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      JsonPath run = adminGet(server, "/audits/" + id);
      if (done.test(run)) {
        return run;
      }
      assertThat(System.nanoTime()).as("run %d: %s", id, run.prettify()).isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  /** One line of {@code GET /api/v1/audits}. */
  record Run(
      long id,
      String trigger,
      String state,
      String holder,
      Instant startedAt,
      Instant finishedAt,
      String detail,
      int layersChecked,
      long bytesChecked,
      int findings) {

    /** The run a SKIPPED tick names as the lease's holder ("run N held the audit lease"). */
    Long heldBy() {
      if (detail == null || !detail.startsWith("run ")) {
        return null;
      }
      return Long.parseLong(detail.substring(4, detail.indexOf(' ', 4)));
    }

    /** Whether {@code at} lies within the run (give or take {@link #CLOCK_SLACK}). */
    boolean covers(Instant at) {
      return !at.isBefore(startedAt.minus(CLOCK_SLACK))
          && (finishedAt == null || !at.isAfter(finishedAt.plus(CLOCK_SLACK)));
    }
  }

  private static List<Run> runs(ServerProcess server) {
    JsonPath page = adminGet(server, "/audits?limit=1000");
    assertThat(page.getString("next")).as("every run on one page").isNull();
    List<Map<String, Object>> items = page.getList("items");
    List<Run> runs = new ArrayList<>();
    for (Map<String, Object> item : items) {
      @SuppressWarnings("unchecked")
      Map<String, Object> sweep = (Map<String, Object>) item.get("sweep");
      String finishedAt = (String) item.get("finishedAt");
      runs.add(
          new Run(
              ((Number) item.get("id")).longValue(),
              (String) item.get("trigger"),
              (String) item.get("state"),
              (String) item.get("holder"),
              Instant.parse((String) item.get("startedAt")),
              finishedAt == null ? null : Instant.parse(finishedAt),
              (String) item.get("detail"),
              ((Number) sweep.get("layersChecked")).intValue(),
              ((Number) sweep.get("bytesChecked")).longValue(),
              ((Number) sweep.get("findings")).intValue()));
    }
    return runs;
  }

  /** A holder is {@code pid@host#nonce}; the instance is {@code pid@host}. */
  private static String instance(String holder) {
    return holder.substring(0, holder.lastIndexOf('#'));
  }

  // ------------------------------------------------------------------------- the big layer

  record Layer(String checksum, String sha256, long size) {}

  /** A qcow2 base holding 64 MiB of random data, published through instance A. */
  private static Layer publishBigBase() throws IOException {
    Path dir = Files.createDirectories(work.resolve("fixtures"));
    byte[] data = new byte[64 << 20];
    new Random(6).nextBytes(data);
    Files.write(dir.resolve("big.raw"), data);
    Qemu.img(dir, "convert", "-f", "raw", "-O", "qcow2", "big.raw", "big.qcow2").assertOk();
    Response published =
        given()
            .header("Authorization", ADMIN)
            .contentType("application/octet-stream")
            .body(dir.resolve("big.qcow2").toFile())
            .post(api(a, "/images?name=big&version=1"));
    assertThat(published.statusCode()).as(published.asString()).isEqualTo(201);
    JsonPath layer = published.jsonPath();
    Layer big =
        new Layer(
            layer.getString("layers[0].checksum"),
            layer.getString("layers[0].sha256"),
            layer.getLong("layers[0].size"));
    assertThat(big.size()).isGreaterThan(64L << 20);
    return big;
  }

  /** The SHA-256 of a whole download, or empty when the server answered 503. */
  private static Optional<String> sha256OfDownload(ServerProcess server, String path)
      throws IOException, InterruptedException {
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<InputStream> response =
        client.send(
            HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .header("Authorization", ADMIN)
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      if (response.statusCode() == 503) {
        return Optional.empty();
      }
      assertThat(response.statusCode()).isEqualTo(200);
      return Optional.of(Checksum.sha256Of(body).hex());
    }
  }

  // ------------------------------------------------------------------------- helpers

  private static String api(ServerProcess server, String path) {
    return server.baseUrl() + "/api/v1" + path;
  }

  private static JsonPath adminGet(ServerProcess server, String path) {
    Response response = given().header("Authorization", ADMIN).get(api(server, path));
    assertThat(response.statusCode()).as(path + ": " + response.asString()).isEqualTo(200);
    return response.jsonPath();
  }

  private static List<Integer> freePorts(int first, int last, int count) {
    List<Integer> ports = new ArrayList<>();
    for (int port = first; port <= last && ports.size() < count; port++) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress("0.0.0.0", port));
        ports.add(port);
      } catch (IOException taken) {
        // try the next one
      }
    }
    assertThat(ports).as("free ports in %d-%d", first, last).hasSize(count);
    return ports;
  }
}
