package dev.voi.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.File;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code /metrics} against the real WAR on Payara Micro and PostgreSQL: read before and after a
 * known sequence of uploads (qemu-img layers), reports, polls (200 and 304), feedback, layer
 * downloads and an audit that finds a damaged layer, and every counter moved by exactly what the
 * sequence did; the gauges computed from the database on the timer show the fleet and the tables as
 * they are. One test: the counters are the server's, and the sequence must be the only traffic.
 */
@ExtendWith(ArquillianExtension.class)
class MetricsIT extends TerminalsItSupport {

  static final Path DATA = Path.of(System.getProperty("voi.test.data.dir"));

  @Deployment(testable = false)
  static WebArchive war() {
    return ShrinkWrap.createFromZipFile(WebArchive.class, new File("target/voi-update.war"));
  }

  @Test
  void everySeriesMovesByExactlyWhatHappened() throws Exception {
    // Anonymous: /metrics answers, the API does not.
    given().get(api + "/server").then().statusCode(401);
    Metrics before = scrape();

    // Uploads: two new images, one diff (whose making downloads the base), one refused body.
    Lineage lineage = publish(1);
    Lineage damaged = publish(0);
    given()
        .header("Authorization", ADMIN)
        .contentType("application/octet-stream")
        .queryParam("name", "not-qcow2-" + UNIQUE.incrementAndGet())
        .queryParam("version", 1)
        .body(new byte[70_000])
        .post(api + "/images")
        .then()
        .statusCode(
            org.hamcrest.Matchers.both(org.hamcrest.Matchers.greaterThanOrEqualTo(400))
                .and(org.hamcrest.Matchers.lessThan(500)));

    // A terminal one layer behind: a report, four polls answered 200, two answered 304.
    Term terminal = register();
    assign(terminal, lineage);
    JsonPath behind = answer(report(terminal, lineage, lineage.checksums().subList(0, 1)));
    String strategy = behind.getString("strategy");
    String reason = behind.getString("reason");
    assertThat(strategy + "/" + reason).isEqualTo("INCREMENTAL/ONE_BEHIND");
    String etag = poll(terminal, lineage).header("ETag");
    poll(terminal, lineage).then().statusCode(200);
    poll(terminal, lineage).then().statusCode(200);
    conditionalPoll(terminal, lineage, etag).then().statusCode(304);
    conditionalPoll(terminal, lineage, etag).then().statusCode(304);
    conditionalPoll(terminal, lineage, "\"other\"").then().statusCode(200);

    // It downloads the diff (whole, then its first 100 bytes again) and says so.
    Layer diff = lineage.layers.get(1);
    String content = api + "/images/" + lineage.name + "/layers/" + diff.checksum() + "/content";
    byte[] whole =
        given()
            .header("Authorization", terminal.bearer())
            .get(content)
            .then()
            .statusCode(200)
            .extract()
            .asByteArray();
    assertThat(whole).hasSize((int) diff.size());
    given()
        .header("Authorization", terminal.bearer())
        .header("Range", "bytes=0-99")
        .get(content)
        .then()
        .statusCode(206);
    // The fleet gauge, counted from the database on the timer, sees it one layer behind.
    Map<String, String> oneBehind =
        Map.of("image", lineage.name, "strategy", strategy, "reason", reason);
    await(() -> scrape().value("voi_terminals", oneBehind) == 1 ? true : null);
    feedback(terminal, lineage, "{\"state\":\"DOWNLOADING\",\"progress\":50}");
    feedback(terminal, lineage, "{\"state\":\"DONE\"}");
    JsonPath current = answer(report(terminal, lineage, lineage.checksums()));
    assertThat(current.getString("strategy")).isEqualTo("STOP");
    assertThat(current.getString("reason")).isEqualTo("UP_TO_DATE");

    // An audit that finds the damaged image's base changed on disk.
    flipByte(
        DATA.resolve("images").resolve(damaged.name).resolve(damaged.layers.get(0).fileName()));
    JsonPath run = auditToTheEnd();
    assertThat(
            run.<Map<String, Object>>getList("findings").stream()
                .filter(f -> String.valueOf(f.get("file")).contains("/" + damaged.name + "/"))
                .map(f -> f.get("kind")))
        .containsExactly("SHA256_MISMATCH");

    Metrics after = scrape();

    // Polls and reports, by result, strategy and reason.
    assertThat(after.delta(before, "voi_polls_total", poll("200", strategy, reason))).isEqualTo(4);
    assertThat(after.delta(before, "voi_polls_total", poll("304", strategy, reason))).isEqualTo(2);
    assertThat(after.sum("voi_polls_total") - before.sum("voi_polls_total")).isEqualTo(6);
    assertThat(after.delta(before, "voi_reports_total", answer(strategy, reason))).isEqualTo(1);
    assertThat(after.delta(before, "voi_reports_total", answer("STOP", "UP_TO_DATE"))).isEqualTo(1);
    assertThat(after.sum("voi_reports_total") - before.sum("voi_reports_total")).isEqualTo(2);

    // Feedback by state.
    assertThat(after.delta(before, "voi_feedback_total", Map.of("state", "DOWNLOADING")))
        .isEqualTo(1);
    assertThat(after.delta(before, "voi_feedback_total", Map.of("state", "DONE"))).isEqualTo(1);
    assertThat(after.sum("voi_feedback_total") - before.sum("voi_feedback_total")).isEqualTo(2);

    // Downloads: the base (by the administrator, to build the diff), the diff, 100 bytes of it.
    assertThat(after.delta(before, "voi_downloads_total", Map.of())).isEqualTo(3);
    assertThat(after.delta(before, "voi_layer_bytes_served_total", Map.of()))
        .isEqualTo(lineage.layers.get(0).size() + diff.size() + 100);
    assertThat(await(() -> scrape().value("voi_downloads_in_progress", Map.of()) == 0 ? 1 : null))
        .isEqualTo(1);

    // Uploads by kind and result, and the publish time of each published one.
    assertThat(after.delta(before, "voi_uploads_total", upload("NEW_IMAGE", "published")))
        .isEqualTo(2);
    assertThat(after.delta(before, "voi_uploads_total", upload("DIFF", "published"))).isEqualTo(1);
    assertThat(after.delta(before, "voi_uploads_total", upload("NEW_IMAGE", "refused")))
        .isEqualTo(1);
    assertThat(after.delta(before, "voi_publish_seconds_count", Map.of("kind", "NEW_IMAGE")))
        .isEqualTo(2);
    assertThat(after.delta(before, "voi_publish_seconds_count", Map.of("kind", "DIFF")))
        .isEqualTo(1);
    double publishSeconds = after.delta(before, "voi_publish_seconds_sum", Map.of("kind", "DIFF"));
    assertThat(publishSeconds).isGreaterThan(0).isLessThan(60);

    // The audit: one more finished run, its findings by kind, its re-decided answers.
    Map<String, String> finished = Map.of("result", "finished");
    assertThat(after.delta(before, "voi_audits_total", finished)).isEqualTo(1);
    assertThat(after.delta(before, "voi_audit_duration_seconds_count", finished)).isEqualTo(1);
    assertThat(after.delta(before, "voi_audit_duration_seconds_sum", finished))
        .isGreaterThan(0)
        .isLessThan(120);
    Map<String, Long> kinds =
        run.<Map<String, Object>>getList("findings").stream()
            .collect(
                Collectors.groupingBy(
                    f -> (String) f.get("kind"), TreeMap::new, Collectors.counting()));
    assertThat(kinds).containsKey("SHA256_MISMATCH");
    for (Map.Entry<String, Long> kind : kinds.entrySet()) {
      assertThat(after.delta(before, "voi_audit_findings_total", Map.of("kind", kind.getKey())))
          .as(kind.getKey())
          .isEqualTo(kind.getValue().longValue());
    }
    assertThat(after.sum("voi_audit_findings_total") - before.sum("voi_audit_findings_total"))
        .isEqualTo(run.getList("findings").size());
    assertThat(after.delta(before, "voi_audit_terminals_redecided_total", Map.of()))
        .isEqualTo(run.getLong("terminals.decisions"))
        .isGreaterThanOrEqualTo(1);
    assertThat(after.delta(before, "voi_audit_answers_changed_total", Map.of()))
        .isEqualTo(run.getLong("terminals.changed"));

    // Gauges from the database (on the timer): the terminal is up to date now, and its former
    // series falls to 0 (and stays while the image exists); the tables' rows as counted there.
    Map<String, String> upToDate =
        Map.of("image", lineage.name, "strategy", "STOP", "reason", "UP_TO_DATE");
    long terminals = count("SELECT COUNT(*) FROM terminal");
    long layers = count("SELECT COUNT(*) FROM layer");
    Metrics gauges =
        await(
            () -> {
              Metrics now = scrape();
              return now.value("voi_terminals", upToDate) == 1
                      && now.has("voi_terminals", oneBehind)
                      && now.value("voi_terminals", oneBehind) == 0
                      && now.value("voi_database_rows", Map.of("table", "terminal")) == terminals
                      && now.value("voi_database_rows", Map.of("table", "layer")) == layers
                  ? now
                  : null;
            });
    assertThat(gauges.value("voi_database_bytes", Map.of())).isGreaterThan(0);

    // In-memory caches: this instance holds the one terminal's answer and token.
    poll(terminal, lineage).then().statusCode(200);
    Metrics caches = scrape();
    assertThat(caches.value("voi_cache_entries", Map.of("cache", "answers"))).isEqualTo(1);
    assertThat(caches.value("voi_cache_entries", Map.of("cache", "terminal-tokens"))).isEqualTo(1);
    assertThat(caches.value("voi_cache_entries", Map.of("cache", "chains"))).isGreaterThan(0);
    assertThat(caches.value("voi_cache_entries", Map.of("cache", "answer-bodies")))
        .isGreaterThan(0);
  }

  // ---------------------------------------------------------------- helpers

  private static Map<String, String> poll(String result, String strategy, String reason) {
    return Map.of("result", result, "strategy", strategy, "reason", reason);
  }

  private static Map<String, String> answer(String strategy, String reason) {
    return Map.of("strategy", strategy, "reason", reason);
  }

  private static Map<String, String> upload(String kind, String result) {
    return Map.of("kind", kind, "result", result);
  }

  private void feedback(Term terminal, Lineage lineage, String body) {
    given()
        .header("Authorization", terminal.bearer())
        .contentType(ContentType.JSON)
        .body(body)
        .post(terminalUrl(terminal) + "/images/" + lineage.name + "/feedback")
        .then()
        .statusCode(202);
  }

  /** The metrics, read without a token, in Prometheus text format. */
  private Metrics scrape() {
    Response response = given().get(base.getProtocol() + "://" + base.getAuthority() + "/metrics");
    response.then().statusCode(200);
    assertThat(response.contentType()).startsWith("text/plain");
    return Metrics.parse(response.asString());
  }

  private static long count(String sql) throws Exception {
    try (Connection db = database();
        Statement statement = db.createStatement();
        ResultSet row = statement.executeQuery(sql)) {
      row.next();
      return row.getLong(1);
    }
  }

  private static void flipByte(Path file) throws Exception {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      long offset = Files.size(file) - 1000;
      raf.seek(offset);
      int b = raf.read();
      raf.seek(offset);
      raf.write(b ^ 0xff);
    }
  }

  /** Starts an audit (after any running one) and waits for its end. */
  private JsonPath auditToTheEnd() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      Response started = given().header("Authorization", ADMIN).post(api + "/audits");
      if (started.statusCode() == 202) {
        String location = started.header("Location");
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
            assertThat(run.getString("state")).as(run.prettify()).isEqualTo("FINISHED");
            return run;
          }
          assertThat(System.nanoTime()).as("the audit ends").isLessThan(deadline);
          Thread.sleep(100);
        }
      }
      started.then().statusCode(409);
      assertThat(System.nanoTime()).as("an audit could start").isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  /** One scrape: every sample by name and labels ({@code mp_scope} left out). */
  record Metrics(Map<String, Map<Map<String, String>, Double>> samples) {

    private static final Pattern SAMPLE =
        Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+\\d+)?$");
    private static final Pattern LABEL =
        Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    static Metrics parse(String text) {
      Map<String, Map<Map<String, String>, Double>> samples = new TreeMap<>();
      for (String line : text.split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        Matcher sample = SAMPLE.matcher(line.trim());
        assertThat(sample.matches()).as("a Prometheus sample: %s", line).isTrue();
        Map<String, String> labels = new TreeMap<>();
        if (sample.group(2) != null) {
          Matcher label = LABEL.matcher(sample.group(2));
          while (label.find()) {
            labels.put(label.group(1), label.group(2));
          }
        }
        labels.remove("mp_scope");
        samples
            .computeIfAbsent(sample.group(1), name -> new java.util.HashMap<>())
            .put(Map.copyOf(labels), Double.parseDouble(sample.group(3)));
      }
      return new Metrics(samples);
    }

    boolean has(String name, Map<String, String> labels) {
      return samples.getOrDefault(name, Map.of()).containsKey(labels);
    }

    /** The sample's value, 0 when the series does not exist (yet). */
    double value(String name, Map<String, String> labels) {
      return samples.getOrDefault(name, Map.of()).getOrDefault(labels, 0.0);
    }

    double sum(String name) {
      return samples.getOrDefault(name, Map.of()).values().stream().mapToDouble(d -> d).sum();
    }

    /** This scrape's value less {@code before}'s; the series must exist. */
    double delta(Metrics before, String name, Map<String, String> labels) {
      assertThat(has(name, labels)).as("%s%s in %s", name, labels, samples.keySet()).isTrue();
      return value(name, labels) - before.value(name, labels);
    }
  }
}
