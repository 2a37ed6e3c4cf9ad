package dev.voi.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.qcow2.Qemu;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the Terminal*IT classes share: the deployment's URL, terminals registered and assigned
 * through the API, and lineages published through the images API from files made by the real
 * qemu-img. Every test makes its own images and terminals, so neither the order of the tests nor
 * that of the classes matters.
 */
abstract class TerminalsItSupport {

  static final String ADMIN = "Bearer it-admin-token";
  static final AtomicInteger UNIQUE = new AtomicInteger();
  static final SecureRandom RANDOM = new SecureRandom();
  static final Path WORK = Path.of("target/terminals-it").toAbsolutePath();

  @ArquillianResource URL base;

  String api;

  @BeforeEach
  void urls() {
    base = Deployed.application(base);
    api = base.toString() + "api/v1";
  }

  // ---------------------------------------------------------------- helpers: terminals

  record Term(long id, String token) {
    String bearer() {
      return "Bearer " + token;
    }
  }

  Term register() {
    Response created =
        given()
            .header("Authorization", ADMIN)
            .contentType(ContentType.JSON)
            .body(named("terminal-" + UNIQUE.incrementAndGet()))
            .post(api + "/terminals");
    created.then().statusCode(201);
    return new Term(created.jsonPath().getLong("id"), created.jsonPath().getString("token"));
  }

  void assign(Term terminal, Lineage lineage) {
    given()
        .header("Authorization", ADMIN)
        .put(terminalUrl(terminal) + "/images/" + lineage.name)
        .then()
        .statusCode(201);
    given()
        .header("Authorization", ADMIN)
        .put(terminalUrl(terminal) + "/images/" + lineage.name)
        .then()
        .statusCode(200);
  }

  String terminalUrl(Term terminal) {
    return api + "/terminals/" + terminal.id();
  }

  String chainUrl(Term terminal, Lineage lineage) {
    return terminalUrl(terminal) + "/images/" + lineage.name + "/chain";
  }

  String strategyUrl(Term terminal, Lineage lineage) {
    return terminalUrl(terminal) + "/images/" + lineage.name + "/strategy";
  }

  /** Reports holding {@code held} (c_0..c_m), with a fresh random tail. */
  Response report(Term terminal, Lineage lineage, List<String> held) {
    return reportRaw(terminal, lineage, body(nodes(held)));
  }

  Response reportRaw(Term terminal, Lineage lineage, String body) {
    return given()
        .header("Authorization", terminal.bearer())
        .contentType(ContentType.JSON)
        .body(body)
        .put(chainUrl(terminal, lineage));
  }

  Response poll(Term terminal, Lineage lineage) {
    return given().header("Authorization", terminal.bearer()).get(strategyUrl(terminal, lineage));
  }

  Response conditionalPoll(Term terminal, Lineage lineage, String etag) {
    return given()
        .header("Authorization", terminal.bearer())
        .header("If-None-Match", etag)
        .get(strategyUrl(terminal, lineage));
  }

  static JsonPath answer(Response response) {
    response.then().statusCode(200).contentType(ContentType.JSON);
    return response.jsonPath();
  }

  JsonPath list(Map<String, String> query) {
    return given()
        .header("Authorization", ADMIN)
        .queryParams(query)
        .get(api + "/terminals")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  JsonPath history(Term terminal) {
    return given()
        .header("Authorization", ADMIN)
        .get(terminalUrl(terminal) + "/history")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  /** {"name": "…"}, escaped. */
  static String named(String name) {
    StringBuilder json = new StringBuilder("{\"name\":\"");
    for (char c : name.toCharArray()) {
      if (c < 0x20 || c == '"' || c == '\\') {
        json.append(String.format("\\u%04x", (int) c));
      } else {
        json.append(c);
      }
    }
    return json.append("\"}").toString();
  }

  static String nodes(List<String> held) {
    StringBuilder json = new StringBuilder("[");
    for (int k = 0; k < held.size(); k++) {
      String tail = k + 1 < held.size() ? held.get(k + 1) : randomHex();
      json.append(k == 0 ? "" : ",").append(node(held.get(k), tail));
    }
    return json.append("]").toString();
  }

  static String node(String head, String tail) {
    return "{\"head\":\"" + head + "\",\"tail\":\"" + tail + "\"}";
  }

  static String body(String nodes) {
    return "{\"nodes\":" + nodes + "}";
  }

  static String randomHex() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** What the terminal's rows hold: the assignment and its answer history. */
  String rowsOf(Term terminal) throws SQLException {
    StringBuilder rows = new StringBuilder();
    try (Connection db = database();
        PreparedStatement assignments =
            db.prepareStatement(
                "SELECT id, encode(reported_nodes, 'hex'), reported_at, strategy, reason,"
                    + " answer_hash, version FROM assignment WHERE terminal_id = ? ORDER BY id");
        PreparedStatement changes =
            db.prepareStatement(
                "SELECT id, answer_hash FROM answer_change WHERE terminal_id = ? ORDER BY id")) {
      for (PreparedStatement query : List.of(assignments, changes)) {
        query.setLong(1, terminal.id());
        try (ResultSet row = query.executeQuery()) {
          int columns = row.getMetaData().getColumnCount();
          while (row.next()) {
            for (int i = 1; i <= columns; i++) {
              rows.append(row.getString(i)).append('|');
            }
            rows.append('\n');
          }
        }
      }
    }
    return rows.toString();
  }

  static Connection database() throws SQLException {
    return DriverManager.getConnection(System.getProperty("voi.test.db.url"));
  }

  /** Tries until the supplier gives a non-null value, for up to 20 seconds. */
  static <T> T await(ThrowingSupplier<T> attempt) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      T value = attempt.get();
      if (value != null) {
        return value;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached within 20 seconds");
      }
      Thread.sleep(250);
    }
  }

  interface ThrowingSupplier<T> {
    T get() throws Exception;
  }

  // ---------------------------------------------------------------- helpers: lineages

  /** A published layer as the images API shows it. */
  record Layer(
      int depth,
      long version,
      String checksum,
      String fileName,
      long size,
      String sha256,
      String contentDigest) {

    static Layer of(JsonPath json, String at) {
      String prefix = at.isEmpty() ? "" : at + ".";
      return new Layer(
          json.getInt(prefix + "depth"),
          json.getLong(prefix + "version"),
          json.getString(prefix + "checksum"),
          json.getString(prefix + "fileName"),
          json.getLong(prefix + "size"),
          json.getString(prefix + "sha256"),
          json.getString(prefix + "contentDigest"));
    }
  }

  /** An image published through the API from qemu-img files; {@code layers} is its chain. */
  final class Lineage {
    final String name;
    final Path dir;
    final List<Layer> layers = new ArrayList<>();
    int files;

    Lineage(String name, Path dir) {
      this.name = name;
      this.dir = dir;
    }

    List<String> checksums() {
      return layers.stream().map(Layer::checksum).toList();
    }

    void publishBase() throws IOException {
      Path base = newBase();
      Response created =
          given()
              .header("Authorization", ADMIN)
              .contentType("application/octet-stream")
              .queryParam("name", name)
              .queryParam("version", 1)
              .body(Files.readAllBytes(base))
              .post(api + "/images");
      created.then().statusCode(201);
      layers.add(Layer.of(created.jsonPath(), "layers[0]"));
    }

    /** A diff on the current tip, built the way an administrator builds it: on the download. */
    void publishDiff() throws IOException {
      Layer tip = layers.get(layers.size() - 1);
      download(tip);
      Path diff = dir.resolve("upload-" + ++files + ".qcow2");
      qemu(
          "qemu-img",
          "create",
          "-q",
          "-f",
          "qcow2",
          "-F",
          "qcow2",
          "-b",
          tip.fileName(),
          diff.getFileName().toString());
      qemu(
          "qemu-io",
          "-c",
          "write -P " + (files % 200 + 1) + " 0 64k",
          diff.getFileName().toString());
      Response published =
          given()
              .header("Authorization", ADMIN)
              .contentType("application/octet-stream")
              .queryParam("parent", tip.checksum())
              .body(Files.readAllBytes(diff))
              .post(api + "/images/" + name + "/layers");
      published.then().statusCode(201);
      layers.add(Layer.of(published.jsonPath(), ""));
    }

    /**
     * The template is rebuilt: a new base of new content and as many diffs as before, with the same
     * version numbers as before.
     */
    void rebuild() throws IOException {
      int diffs = layers.size() - 1;
      Path base = newBase();
      Response created =
          given()
              .header("Authorization", ADMIN)
              .contentType("application/octet-stream")
              .queryParam("version", layers.get(0).version())
              .body(Files.readAllBytes(base))
              .post(api + "/images/" + name + "/base");
      created.then().statusCode(201);
      layers.clear();
      layers.add(Layer.of(created.jsonPath(), ""));
      for (int k = 0; k < diffs; k++) {
        publishDiff();
      }
    }

    private Path newBase() {
      Path base = dir.resolve("base-" + ++files + ".qcow2");
      qemu("qemu-img", "create", "-q", "-f", "qcow2", base.getFileName().toString(), "64M");
      qemu(
          "qemu-io",
          "-c",
          "write -P " + (files % 200 + 1) + " 0 64k",
          base.getFileName().toString());
      return base;
    }

    private void download(Layer layer) throws IOException {
      byte[] file =
          given()
              .header("Authorization", ADMIN)
              .get(api + "/images/" + name + "/layers/" + layer.checksum() + "/content")
              .then()
              .statusCode(200)
              .extract()
              .asByteArray();
      Files.write(dir.resolve(layer.fileName()), file);
    }

    private void qemu(String... command) {
      Qemu.run(dir, command).assertOk();
    }
  }

  /** A new image: a base and {@code diffs} diffs on it. */
  Lineage publish(int diffs) throws IOException {
    String name = "img-" + UNIQUE.incrementAndGet();
    Path dir = Files.createDirectories(WORK.resolve(name + "-" + System.nanoTime()));
    Lineage lineage = new Lineage(name, dir);
    lineage.publishBase();
    for (int k = 0; k < diffs; k++) {
      lineage.publishDiff();
    }
    return lineage;
  }

  void policy(Lineage lineage, String policy, int maxIncrementalLayers) {
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(
            "{\"policy\":\"" + policy + "\",\"maxIncrementalLayers\":" + maxIncrementalLayers + "}")
        .put(api + "/images/" + lineage.name + "/policy")
        .then()
        .statusCode(200);
  }

  void retire(Lineage lineage, int depth) {
    given()
        .header("Authorization", ADMIN)
        .delete(api + "/images/" + lineage.name + "/layers/" + depth)
        .then()
        .statusCode(200);
    lineage.layers.remove(depth);
  }

  /** The answer's downloads are exactly the chain's layers at these depths, as published. */
  static void assertDownloads(JsonPath answer, Lineage lineage, int... depths) {
    List<Map<String, Object>> downloads = answer.getList("downloads");
    assertThat(downloads).hasSize(depths.length);
    long total = 0;
    for (int i = 0; i < depths.length; i++) {
      Layer layer = lineage.layers.get(depths[i]);
      String at = "downloads[" + i + "].";
      assertThat(answer.getInt(at + "depth")).isEqualTo(layer.depth());
      assertThat(answer.getLong(at + "version")).isEqualTo(layer.version());
      assertThat(answer.getString(at + "checksum")).isEqualTo(layer.checksum());
      assertThat(answer.getString(at + "fileName")).isEqualTo(layer.fileName());
      assertThat(answer.getLong(at + "size")).isEqualTo(layer.size());
      assertThat(answer.getString(at + "sha256")).isEqualTo(layer.sha256());
      assertThat(answer.getString(at + "url"))
          .isEqualTo("/api/v1/images/" + lineage.name + "/layers/" + layer.checksum() + "/content");
      total += layer.size();
    }
    assertThat(answer.getLong("totalBytes")).isEqualTo(total);
  }
}
