package dev.voi.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.voi.chain.Checksum;
import dev.voi.qcow2.Qemu;
import dev.voi.testing.FreshDatabase;
import dev.voi.testing.ServerProcess;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Storage and database faults against one server started by {@code bin/voi-server} (docs/design.md
 * §16): its database is reached through a relay the test cuts and restores, as when PostgreSQL
 * stops and starts again, and its data directory is a small tmpfs that an upload fills.
 */
@ExtendWith(OpenApiValidation.class)
class FaultsIT {

  static final Duration START = Duration.ofMinutes(8);
  static final String TOKEN = "faults-admin-token";
  static final String ADMIN = "Bearer " + TOKEN;

  /** The fleet that polls while the database is away. */
  static final int TERMINALS = 1_000;

  /** Requests in flight at once from the test's terminals. */
  static final int PARALLEL = 16;

  /** How often the server writes last-seen moments and reads other instances' changes. */
  static final Duration HOUSEKEEPING_TICK = Duration.ofSeconds(5);

  /** The data directory's size when it is a tmpfs. */
  static final long DATA_BYTES = 32L << 20;

  static Path work;
  static Path data;
  static boolean dataOnTmpfs;
  static String dbUrl;
  static TcpCut database;
  static ServerProcess server;
  static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    work = Files.createDirectories(Path.of("target/faults").toAbsolutePath());
    FreshDatabase.emptyDirectory(work);
    // Outside target/: a mount left by a killed run must not make the next "mvn clean" fail.
    Path system = Path.of("/tmp");
    data =
        Files.isDirectory(system)
            ? Files.createTempDirectory(system, "voi-faults-data-")
            : Files.createTempDirectory("voi-faults-data-");
    dataOnTmpfs =
        run("mount", "-t", "tmpfs", "-o", "size=" + DATA_BYTES, "tmpfs", data.toString()) == 0;
    dbUrl = FreshDatabase.besideTheItDatabase("faults");
    URI direct = URI.create(dbUrl.substring("jdbc:".length()));
    database = new TcpCut(direct.getPort() < 0 ? 5432 : direct.getPort());
    String relayed = dbUrl.replaceFirst("//[^/]+/", "//127.0.0.1:" + database.port() + "/");

    Map<String, String> env = new HashMap<>();
    env.put("VOI_DB_URL", relayed);
    env.put("VOI_DATA_DIR", data.toString());
    env.put("VOI_ADMIN_TOKEN", TOKEN);
    server = ServerProcess.start(work, env);
    assertThat(server.awaitStarted(START)).as(server.output()).isTrue();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
      Files.writeString(work.resolve("server.log"), server.output());
    }
    if (database != null) {
      database.close();
    }
    if (dataOnTmpfs) {
      run("umount", data.toString());
    }
    FreshDatabase.emptyDirectory(data);
    Files.deleteIfExists(data);
  }

  // ------------------------------------------------------------------------ the database away

  @Test
  void pollsAnswerFromMemoryWhileTheDatabaseIsAwayWritesAnswer503AndNothingIsLost()
      throws Exception {
    publish("fleet", qcow2("fleet.qcow2", 1 << 20, 1), 201);
    List<Term> fleet = inParallel(TERMINALS, i -> enrol("fleet", "faults-" + i));
    Term first = fleet.get(0);
    Term second = fleet.get(1);
    assertThat(feedback(first, "fleet", "DOWNLOADING", 40).statusCode()).isEqualTo(202);
    // A fleet in its steady state: each has polled since the last change, and the housekeeping
    // ticks after the enrolments have passed; then every terminal polls twice.
    Thread.sleep(HOUSEKEEPING_TICK.multipliedBy(2).toMillis());
    for (int round = 0; round < 2; round++) {
      assertThat(
              inParallel(
                  TERMINALS, i -> poll(fleet.get(i), "fleet", fleet.get(i).etag()).statusCode()))
          .containsOnly(304);
    }

    database.cut();
    Instant cutAt = Instant.now();
    Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    long began = System.nanoTime();
    List<Integer> conditional =
        inParallel(TERMINALS, i -> poll(fleet.get(i), "fleet", fleet.get(i).etag()).statusCode());
    List<HttpResponse<String>> fresh =
        inParallel(TERMINALS, i -> poll(fleet.get(i), "fleet", null));
    double pollSeconds = (System.nanoTime() - began) / 1e9;
    conditional.forEach(s -> statuses.merge(s, 1, Integer::sum));
    fresh.forEach(r -> statuses.merge(r.statusCode(), 1, Integer::sum));
    System.out.printf(
        "MEASURE %d conditional and %d fresh polls without a database in %.2f s: %s%n",
        TERMINALS, TERMINALS, pollSeconds, new TreeMap<>(statuses));
    assertThat(conditional).as("conditional polls").containsOnly(304);
    for (int i = 0; i < TERMINALS; i++) {
      assertThat(fresh.get(i).statusCode()).as("a fresh poll").isEqualTo(200);
      assertThat(fresh.get(i).headers().firstValue("ETag")).contains(fleet.get(i).etag());
    }

    // Not ready (a load balancer may take the instance out), but alive: a restart would lose
    // the answers it still serves.
    assertThat(given().get(server.baseUrl() + "/health/ready").statusCode()).isEqualTo(503);
    assertThat(given().get(server.baseUrl() + "/health/live").statusCode()).isEqualTo(200);

    // Whatever needs the database says so, with Retry-After; none is a 500.
    assertUnavailable(feedback(second, "fleet", "DONE", null));
    assertUnavailable(report(second, "fleet"));
    assertUnavailable(
        given()
            .header("Authorization", ADMIN)
            .contentType(ContentType.JSON)
            .body("{\"name\":\"during-the-outage\"}")
            .post(api("/terminals")));
    assertUnavailable(given().header("Authorization", ADMIN).get(api("/terminals")));
    Snapshot before = Snapshot.of(data);
    assertUnavailable(publish("outage", qcow2("outage.qcow2", 256 << 10, 2), 503));
    assertThat(Snapshot.of(data))
        .as("an upload refused for the database keeps nothing")
        .isEqualTo(before);

    database.restore();
    long restored = System.nanoTime();
    Response accepted = feedback(second, "fleet", "DONE", null);
    while (accepted.statusCode() == 503 && System.nanoTime() - restored < 60e9) {
      Thread.sleep(250);
      accepted = feedback(second, "fleet", "DONE", null);
    }
    double recovery = (System.nanoTime() - restored) / 1e9;
    System.out.printf(
        "MEASURE writes accepted again %.2f s after the database returned%n", recovery);
    assertThat(accepted.statusCode()).as(accepted.asString()).isEqualTo(202);
    assertThat(recovery).as("seconds until writes are accepted again").isLessThan(15);

    // Nothing accepted is lost: the feedback before the outage, the one after, and the moments
    // terminals were seen while the database was away (written by the next housekeeping ticks).
    assertThat(feedbackStates(first)).containsExactly("DOWNLOADING");
    assertThat(feedbackStates(second)).containsExactly("DONE");
    Term last = fleet.get(TERMINALS - 1);
    Instant written = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      written = lastSeenInDatabase(last.id());
      if (written != null && !written.isBefore(cutAt.minusSeconds(1))) {
        break;
      }
      Thread.sleep(500);
    }
    assertThat(written)
        .as("last seen, as stored")
        .isNotNull()
        .isAfterOrEqualTo(cutAt.minusSeconds(1));
    assertThat(report(second, "fleet").statusCode()).isEqualTo(200);
    publish("after-outage", qcow2("after.qcow2", 1 << 20, 3), 201);
  }

  // ------------------------------------------------------------------------ storage

  @Test
  void aDataDirectoryThatFillsDuringAnUploadAnswers507AndKeepsNothing() throws Exception {
    assumeTrue(dataOnTmpfs, "mounting a small tmpfs needs root");
    Path large = qcow2("large.qcow2", 40 << 20, 4);
    Snapshot before = Snapshot.of(data);
    long free = Files.getFileStore(data).getUsableSpace();
    assertThat(Files.size(large)).as("larger than the room left").isGreaterThan(free);

    // Chunked: no Content-Length, so the room runs out while the body arrives.
    String head = chunkedUpload("/images?name=filled", large);
    assertThat(head).startsWith("HTTP/1.1 507");
    assertThat(head.toLowerCase()).contains("content-type: application/problem+json");
    assertThat(Snapshot.of(data)).as("nothing left in the data directory").isEqualTo(before);
    assertThat(Files.getFileStore(data).getUsableSpace()).isEqualTo(free);
    given().header("Authorization", ADMIN).get(api("/images/filled")).then().statusCode(404);
    publish("fits", qcow2("fits.qcow2", 1 << 20, 5), 201);
  }

  @Test
  void aLayerFileDeletedOrReplacedWhileDownloadedIsNeverServedWrong() throws Exception {
    JsonPath published = publish("downloads", qcow2("downloads.qcow2", 8 << 20, 6), 201).jsonPath();
    String checksum = published.getString("layers[0].checksum");
    String sha256 = published.getString("layers[0].sha256");
    long size = published.getLong("layers[0].size");
    Path file = data.resolve("images/downloads").resolve(published.getString("layers[0].fileName"));
    byte[] original = Files.readAllBytes(file);
    String content = "/images/downloads/layers/" + checksum + "/content";

    // Deleted while a download is under way: that download still delivers the published file.
    try (Socket socket = new Socket("127.0.0.1", URI.create(server.baseUrl()).getPort())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /api/v1"
                  + content
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
                  + ADMIN
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String head = RawHttp.readHead(in);
      assertThat(head).startsWith("HTTP/1.1 200");
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] start = in.readNBytes(1 << 20);
      digest.update(start);
      Files.delete(file);
      byte[] buffer = new byte[1 << 16];
      long total = start.length;
      int read;
      while ((read = in.read(buffer)) >= 0) {
        digest.update(buffer, 0, read);
        total += read;
      }
      assertThat(total).as("bytes of the download under way").isEqualTo(size);
      assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(sha256);
    }
    assertGone(content, "not in the data directory");

    // Put back short (a disk that lost its tail): refused, never a short body under the ETag.
    Files.write(file, Arrays.copyOf(original, 1 << 20));
    assertGone(content, "is not the published one");
    // A directory where the file was (unreadable as a file).
    Files.delete(file);
    Files.createDirectory(file);
    assertGone(content, "not in the data directory");
    Files.delete(file);

    Files.write(file, original);
    HttpResponse<InputStream> again =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(api(content))).header("Authorization", ADMIN).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(again.statusCode()).isEqualTo(200);
    try (InputStream body = again.body()) {
      assertThat(Checksum.sha256Of(body).hex()).isEqualTo(sha256);
    }
  }

  // ------------------------------------------------------------------------ helpers

  record Term(long id, String token, String etag) {
    String bearer() {
      return "Bearer " + token;
    }
  }

  /** Registers a terminal, assigns the image, reports an empty disk and polls once. */
  private static Term enrol(String image, String name) throws Exception {
    HttpResponse<String> registered =
        send(
            HttpRequest.newBuilder(URI.create(api("/terminals")))
                .header("Authorization", ADMIN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}")));
    assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
    JsonPath json = new JsonPath(registered.body());
    long id = json.getLong("id");
    String token = json.getString("token");
    String terminal = api("/terminals/" + id + "/images/" + image);
    HttpResponse<String> assigned =
        send(
            HttpRequest.newBuilder(URI.create(terminal))
                .header("Authorization", ADMIN)
                .PUT(HttpRequest.BodyPublishers.noBody()));
    assertThat(assigned.statusCode()).as(assigned.body()).isEqualTo(201);
    HttpResponse<String> reported =
        send(
            HttpRequest.newBuilder(URI.create(terminal + "/chain"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"nodes\":[]}")));
    assertThat(reported.statusCode()).as(reported.body()).isEqualTo(200);
    HttpResponse<String> polled = poll(new Term(id, token, null), image, null);
    assertThat(polled.statusCode()).isEqualTo(200);
    return new Term(id, token, polled.headers().firstValue("ETag").orElseThrow());
  }

  private static HttpResponse<String> poll(Term terminal, String image, String etag)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create(api("/terminals/" + terminal.id() + "/images/" + image + "/strategy")))
            .header("Authorization", terminal.bearer());
    if (etag != null) {
      request.header("If-None-Match", etag);
    }
    return send(request);
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HTTP.send(
        request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Response feedback(Term terminal, String image, String state, Integer progress) {
    return given()
        .header("Authorization", terminal.bearer())
        .contentType(ContentType.JSON)
        .body(
            "{\"state\":\""
                + state
                + "\""
                + (progress == null ? "" : ",\"progress\":" + progress)
                + "}")
        .post(api("/terminals/" + terminal.id() + "/images/" + image + "/feedback"));
  }

  private static Response report(Term terminal, String image) {
    return given()
        .header("Authorization", terminal.bearer())
        .contentType(ContentType.JSON)
        .body("{\"nodes\":[]}")
        .put(api("/terminals/" + terminal.id() + "/images/" + image + "/chain"));
  }

  private static List<String> feedbackStates(Term terminal) {
    return given()
        .header("Authorization", ADMIN)
        .get(api("/terminals/" + terminal.id() + "/feedback"))
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList("items.state", String.class);
  }

  private static void assertUnavailable(Response response) {
    assertThat(response.statusCode()).as(response.asString()).isEqualTo(503);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.jsonPath().getString("type"))
        .isEqualTo("urn:voi-update:problem:database-unavailable");
    assertThat(response.header("Retry-After")).isNotBlank();
  }

  private static void assertGone(String content, String detail) throws Exception {
    // Not through RestAssured: a server that sent a short body under the published length would
    // leave it waiting for ever; this fails in 30 s instead.
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(api(content)))
                .header("Authorization", ADMIN)
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(410);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
    JsonPath problem = new JsonPath(response.body());
    assertThat(problem.getString("type")).isEqualTo("urn:voi-update:problem:layer-file-missing");
    assertThat(problem.getString("detail")).contains(detail);
  }

  private static Response publish(String image, Path file, int expected) throws IOException {
    Response response =
        given()
            .header("Authorization", ADMIN)
            .contentType("application/octet-stream")
            .body(Files.readAllBytes(file))
            .post(api("/images?name=" + image));
    assertThat(response.statusCode()).as(response.asString()).isEqualTo(expected);
    return response;
  }

  /** A qcow2 file of {@code dataBytes} random bytes (seeded), made by qemu-img. */
  private static Path qcow2(String name, int dataBytes, long seed) throws IOException {
    Path dir = Files.createDirectories(work.resolve("fixtures"));
    Path raw = dir.resolve(name + ".raw");
    byte[] bytes = new byte[dataBytes];
    new Random(seed).nextBytes(bytes);
    Files.write(raw, bytes);
    Qemu.img(dir, "convert", "-f", "raw", "-O", "qcow2", raw.getFileName().toString(), name)
        .assertOk();
    Files.delete(raw);
    return dir.resolve(name);
  }

  /** Sends {@code file} chunked on a raw socket while reading; gives back the answer's head. */
  private static String chunkedUpload(String path, Path file) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", URI.create(server.baseUrl()).getPort())) {
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /api/v1"
                  + path
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
                  + ADMIN
                  + "\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      CompletableFuture<Void> sending =
          CompletableFuture.runAsync(
              () -> {
                byte[] chunk = new byte[1 << 16];
                try (InputStream in = Files.newInputStream(file)) {
                  int read;
                  while ((read = in.readNBytes(chunk, 0, chunk.length)) > 0) {
                    out.write(
                        (Integer.toHexString(read) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk, 0, read);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                  }
                  out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                } catch (IOException closed) {
                  // the server answered and closed before the whole body was sent
                }
              });
      String head = RawHttp.readHead(socket.getInputStream());
      sending.get(60, TimeUnit.SECONDS);
      return head;
    }
  }

  private static Instant lastSeenInDatabase(long terminal) throws Exception {
    try (Connection connection = DriverManager.getConnection(dbUrl);
        PreparedStatement select =
            connection.prepareStatement("SELECT last_seen FROM terminal WHERE id = ?")) {
      select.setLong(1, terminal);
      try (ResultSet row = select.executeQuery()) {
        assertThat(row.next()).isTrue();
        Timestamp at = row.getTimestamp(1);
        return at == null ? null : at.toInstant();
      }
    }
  }

  /** Runs {@code task(0..count-1)}, {@link #PARALLEL} at a time, and gives back the results. */
  private static <T> List<T> inParallel(int count, Task<T> task) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(PARALLEL);
    try {
      List<CompletableFuture<T>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int index = i;
        futures.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return task.run(index);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                },
                threads));
      }
      List<T> results = new ArrayList<>();
      for (CompletableFuture<T> future : futures) {
        results.add(future.get(5, TimeUnit.MINUTES));
      }
      return results;
    } finally {
      threads.shutdownNow();
    }
  }

  @FunctionalInterface
  interface Task<T> {
    T run(int index) throws Exception;
  }

  private static String api(String path) {
    return server.baseUrl() + "/api/v1" + path;
  }

  private static int run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getInputStream().readAllBytes();
    return process.waitFor(60, TimeUnit.SECONDS) ? process.exitValue() : -1;
  }

  /** The files under the data directory with their sizes. */
  record Snapshot(Map<String, Long> files) {
    static Snapshot of(Path root) throws IOException {
      Map<String, Long> files = new TreeMap<>();
      try (Stream<Path> paths = Files.walk(root)) {
        for (Path path : paths.filter(Files::isRegularFile).toList()) {
          files.put(root.relativize(path).toString(), Files.size(path));
        }
      }
      return new Snapshot(files);
    }
  }
}
