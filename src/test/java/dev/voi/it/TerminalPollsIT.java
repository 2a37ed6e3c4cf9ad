package dev.voi.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Terminals over HTTP against the real WAR on Payara Micro and PostgreSQL (see {@link
 * TerminalsItSupport}): Polls and what they are answered from: conditional polls and ETags, every
 * change in the very next poll, answers held in memory while the database is locked, changes made
 * by another instance.
 */
@ExtendWith({ArquillianExtension.class, OpenApiValidation.class})
class TerminalPollsIT extends TerminalsItSupport {

  @Deployment(testable = false)
  static WebArchive war() {
    return ShrinkWrap.createFromZipFile(WebArchive.class, new File("target/voi-update.war"));
  }

  // ---------------------------------------------------------------- polls, ETags, changes

  @Test
  void conditionalPollsAnswer304AndEveryChangeIsInTheVeryNextPoll() throws Exception {
    Lineage lineage = publish(1);
    Term terminal = register();
    assign(terminal, lineage);
    given()
        .header("Authorization", terminal.bearer())
        .get(strategyUrl(terminal, lineage))
        .then()
        .statusCode(404)
        .body("type", equalTo("urn:voi-update:problem:no-report"));

    Response reported = report(terminal, lineage, lineage.checksums());
    String etag = reported.header("ETag");
    assertThat(etag).matches("\"[0-9a-f]{32}\"");
    Response polled = poll(terminal, lineage);
    assertThat(polled.header("ETag")).isEqualTo(etag);
    assertThat(polled.asByteArray()).isEqualTo(reported.asByteArray());
    assertThat(polled.header("Cache-Control")).contains("no-cache");
    Response notModified = conditionalPoll(terminal, lineage, etag);
    assertThat(notModified.statusCode()).isEqualTo(304);
    assertThat(notModified.header("ETag")).isEqualTo(etag);
    assertThat(notModified.asByteArray()).isEmpty();
    assertThat(conditionalPoll(terminal, lineage, "\"other\", W/" + etag).statusCode())
        .isEqualTo(304);
    assertThat(conditionalPoll(terminal, lineage, "\"other\"").statusCode()).isEqualTo(200);

    // A publish: the next poll is ONE_BEHIND.
    lineage.publishDiff();
    Response afterPublish = conditionalPoll(terminal, lineage, etag);
    assertThat(afterPublish.statusCode()).isEqualTo(200);
    assertThat(afterPublish.jsonPath().getString("reason")).isEqualTo("ONE_BEHIND");
    String etag2 = afterPublish.header("ETag");
    assertThat(etag2).isNotEqualTo(etag);
    assertThat(conditionalPoll(terminal, lineage, etag2).statusCode()).isEqualTo(304);

    // A policy change is in the answer.
    policy(lineage, "catch-up", 8);
    Response afterPolicy = conditionalPoll(terminal, lineage, etag2);
    assertThat(afterPolicy.statusCode()).isEqualTo(200);
    assertThat(afterPolicy.jsonPath().getString("policy")).isEqualTo("catch-up");
    String etag3 = afterPolicy.header("ETag");

    // A retire brings the terminal up to date again.
    retire(lineage, 2);
    Response afterRetire = conditionalPoll(terminal, lineage, etag3);
    assertThat(afterRetire.statusCode()).isEqualTo(200);
    assertThat(afterRetire.jsonPath().getString("strategy")).isEqualTo("STOP");
    String etag4 = afterRetire.header("ETag");

    // A new report replaces the tag at once.
    Response again = report(terminal, lineage, List.of());
    assertThat(again.header("ETag")).isNotEqualTo(etag4);
    assertThat(conditionalPoll(terminal, lineage, etag4).statusCode()).isEqualTo(200);
    assertThat(conditionalPoll(terminal, lineage, again.header("ETag")).statusCode())
        .isEqualTo(304);

    // Unassigning the image: the tag no longer answers.
    given()
        .header("Authorization", ADMIN)
        .delete(terminalUrl(terminal) + "/images/" + lineage.name)
        .then()
        .statusCode(204);
    assertThat(conditionalPoll(terminal, lineage, again.header("ETag")).statusCode())
        .isEqualTo(403);
  }

  /**
   * The 304 path does not touch the database, nor does a poll whose answer is held in memory: polls
   * keep answering while the terminal, assignment, image and layer tables are locked.
   */
  @Test
  void pollsAnswerWithoutTheDatabase() throws Exception {
    Lineage lineage = publish(1);
    Term terminal = register();
    assign(terminal, lineage);
    String etag = report(terminal, lineage, lineage.checksums()).header("ETag");
    assertThat(conditionalPoll(terminal, lineage, etag).statusCode()).isEqualTo(304);

    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest conditional =
        HttpRequest.newBuilder(URI.create(strategyUrl(terminal, lineage)))
            .header("Authorization", terminal.bearer())
            .header("If-None-Match", etag)
            .timeout(Duration.ofSeconds(5))
            .build();
    HttpRequest unconditional =
        HttpRequest.newBuilder(URI.create(strategyUrl(terminal, lineage)))
            .header("Authorization", terminal.bearer())
            .timeout(Duration.ofSeconds(5))
            .build();
    try (Connection db = database()) {
      db.setAutoCommit(false);
      try (Statement lock = db.createStatement()) {
        lock.execute(
            "LOCK TABLE terminal, assignment, image, layer, answer_change IN ACCESS EXCLUSIVE"
                + " MODE");
        for (int i = 0; i < 50; i++) {
          HttpResponse<Void> answer =
              http.send(conditional, HttpResponse.BodyHandlers.discarding());
          assertThat(answer.statusCode()).isEqualTo(304);
          // Without If-None-Match the answer comes from memory too.
          HttpResponse<String> fresh =
              http.send(unconditional, HttpResponse.BodyHandlers.ofString());
          assertThat(fresh.statusCode()).isEqualTo(200);
          assertThat(fresh.headers().firstValue("ETag")).hasValue(etag);
          assertThat(fresh.body()).contains("\"strategy\":\"STOP\"");
        }
      } finally {
        db.rollback();
      }
    }
  }

  /**
   * A quarantine (or any change) made by another server instance fires no event here: the periodic
   * look at the image revisions notices it within seconds. The answer is WAIT.
   */
  @Test
  void aChangeMadeElsewhereIsNoticedAndAQuarantinedDownloadMeansWait() throws Exception {
    Lineage lineage = publish(2);
    Term terminal = register();
    assign(terminal, lineage);
    String etag = report(terminal, lineage, lineage.checksums().subList(0, 2)).header("ETag");
    try (Connection db = database();
        PreparedStatement quarantine =
            db.prepareStatement("UPDATE layer SET state = 'QUARANTINED' WHERE checksum = ?");
        PreparedStatement revise =
            db.prepareStatement("UPDATE image SET revision = revision + 1 WHERE name = ?")) {
      quarantine.setString(1, lineage.layers.get(2).checksum());
      quarantine.executeUpdate();
      revise.setString(1, lineage.name);
      revise.executeUpdate();
    }
    JsonPath waiting =
        await(
            () -> {
              Response poll = conditionalPoll(terminal, lineage, etag);
              return poll.statusCode() == 200 ? poll.jsonPath() : null;
            });
    assertThat(waiting.getString("strategy")).isEqualTo("WAIT");
    assertThat(waiting.getString("reason")).isEqualTo("LAYER_QUARANTINED");
    assertThat(waiting.getList("downloads")).isEmpty();
    assertThat(waiting.getInt("keep")).isEqualTo(2);
    JsonPath history = history(terminal);
    assertThat(history.getString("items[0].strategy")).isEqualTo("WAIT");
    assertThat(history.getString("items[0].triggeredBy")).isEqualTo("lineage");
  }
}
