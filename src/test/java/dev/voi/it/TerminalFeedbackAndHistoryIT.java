package dev.voi.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.io.File;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Terminals over HTTP against the real WAR on Payara Micro and PostgreSQL (see {@link
 * TerminalsItSupport}): Feedback, the terminal list (last seen, answers, filters, pages) and each
 * terminal's history of answers.
 */
@ExtendWith({ArquillianExtension.class, OpenApiValidation.class})
class TerminalFeedbackAndHistoryIT extends TerminalsItSupport {

  @Deployment(testable = false)
  static WebArchive war() {
    return ShrinkWrap.createFromZipFile(WebArchive.class, new File("target/voi-update.war"));
  }

  // ---------------------------------------------------------------- feedback, listing, history

  @Test
  void feedbackIsAcceptedAndKept() throws Exception {
    Lineage lineage = publish(0);
    Term terminal = register();
    assign(terminal, lineage);
    String url = terminalUrl(terminal) + "/images/" + lineage.name + "/feedback";
    given()
        .header("Authorization", terminal.bearer())
        .contentType(ContentType.JSON)
        .body("{\"state\":\"DOWNLOADING\",\"progress\":40,\"detail\":\"layer 1 of 2\"}")
        .post(url)
        .then()
        .statusCode(202);
    given()
        .header("Authorization", terminal.bearer())
        .contentType(ContentType.JSON)
        .body("{\"state\":\"DONE\"}")
        .post(url)
        .then()
        .statusCode(202);
    for (String bad :
        List.of(
            "{\"state\":\"done\"}",
            "{\"state\":\"DONE\",\"progress\":101}",
            "{\"progress\":5}",
            "{\"state\":\"DONE\",\"detail\":7}",
            "{\"state\":\"DONE\",\"detail\":\"a\\u0000b\"}",
            "{\"state\":\"DONE\",\"state\":\"FAILED\"}",
            "{\"state\":\"DONE\",\"progress\":" + "[".repeat(1001) + "]".repeat(1001) + "}",
            "nope")) {
      given()
          .header("Authorization", terminal.bearer())
          .contentType(ContentType.JSON)
          .body(bad)
          .post(url)
          .then()
          .statusCode(400)
          .contentType("application/problem+json");
    }
    JsonPath kept =
        given()
            .header("Authorization", ADMIN)
            .get(terminalUrl(terminal) + "/feedback")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(kept.getList("items")).hasSize(2);
    assertThat(kept.getString("items[0].state")).isEqualTo("DONE");
    assertThat(kept.getString("items[1].state")).isEqualTo("DOWNLOADING");
    assertThat(kept.getInt("items[1].progress")).isEqualTo(40);
    assertThat(kept.getString("items[1].detail")).isEqualTo("layer 1 of 2");
    assertThat(kept.getString("items[1].image")).isEqualTo(lineage.name);
  }

  @Test
  void theListShowsLastSeenAndAnswersFiltersAndPages() throws Exception {
    Lineage lineage = publish(1);
    Term full = register();
    Term stop = register();
    Term silent = register();
    for (Term t : List.of(full, stop, silent)) {
      assign(t, lineage);
    }
    report(full, lineage, List.of());
    report(stop, lineage, lineage.checksums());

    JsonPath page =
        given()
            .header("Authorization", ADMIN)
            .queryParam("image", lineage.name)
            .get(api + "/terminals")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(page.getList("items.id", Long.class))
        .containsExactly(full.id(), stop.id(), silent.id());
    assertThat(page.getString("next")).isNull();
    assertThat(page.getString("items[0].images[0].image")).isEqualTo(lineage.name);
    assertThat(page.getString("items[0].images[0].strategy")).isEqualTo("FULL");
    assertThat(page.getString("items[0].images[0].reason")).isEqualTo("NO_LOCAL_CHAIN");
    assertThat(page.getString("items[0].lastSeen")).isNotNull();
    assertThat(page.getString("items[1].images[0].strategy")).isEqualTo("STOP");
    assertThat(page.getString("items[2].images[0].strategy")).isNull();
    assertThat(page.getString("items[2].lastSeen")).isNull();

    assertThat(
            list(Map.of("image", lineage.name, "strategy", "FULL")).getList("items.id", Long.class))
        .containsExactly(full.id());
    assertThat(
            list(Map.of("image", lineage.name, "reason", "UP_TO_DATE"))
                .getList("items.id", Long.class))
        .containsExactly(stop.id());
    assertThat(list(Map.of("image", "no-such-image")).getList("items")).isEmpty();

    JsonPath first = list(Map.of("image", lineage.name, "limit", "2"));
    assertThat(first.getList("items.id", Long.class)).containsExactly(full.id(), stop.id());
    JsonPath second =
        list(Map.of("image", lineage.name, "limit", "2", "cursor", first.getString("next")));
    assertThat(second.getList("items.id", Long.class)).containsExactly(silent.id());
    assertThat(second.getString("next")).isNull();

    given()
        .header("Authorization", ADMIN)
        .queryParam("strategy", "SOMETIMES")
        .get(api + "/terminals")
        .then()
        .statusCode(400)
        .body("detail", containsString("strategy"));
    given()
        .header("Authorization", ADMIN)
        .queryParam("cursor", "x")
        .get(api + "/terminals")
        .then()
        .statusCode(400);

    // "Last seen" reaches the database in a batch, within seconds.
    String written =
        await(
            () -> {
              try (Connection db = database();
                  PreparedStatement query =
                      db.prepareStatement("SELECT last_seen FROM terminal WHERE id = ?")) {
                query.setLong(1, stop.id());
                try (ResultSet row = query.executeQuery()) {
                  row.next();
                  return row.getString(1);
                }
              }
            });
    assertThat(written).isNotNull();
  }

  @Test
  void theHistoryKeepsEveryChangeWithItsTriggerAndOnlyChanges() throws Exception {
    Lineage lineage = publish(1);
    Term terminal = register();
    assign(terminal, lineage);
    report(terminal, lineage, lineage.checksums());
    report(terminal, lineage, lineage.checksums()); // a new random tail: the same answer
    assertThat(history(terminal).getList("items")).hasSize(1);

    lineage.publishDiff();
    poll(terminal, lineage);
    JsonPath history =
        await(
            () -> {
              JsonPath h = history(terminal);
              return h.getList("items").size() == 2 ? h : null;
            });
    assertThat(history.getString("items[0].triggeredBy")).isEqualTo("publish");
    assertThat(history.getString("items[0].strategy")).isEqualTo("INCREMENTAL");
    assertThat(history.getString("items[0].reason")).isEqualTo("ONE_BEHIND");
    assertThat(history.getInt("items[0].moveCount")).isEqualTo(1);
    assertThat(history.getInt("items[0].downloads")).isEqualTo(1);
    assertThat(history.getLong("items[0].totalBytes")).isEqualTo(lineage.layers.get(2).size());
    assertThat(history.getInt("items[0].reportedLayers")).isEqualTo(2);
    assertThat(history.getString("items[0].reportedTip")).isEqualTo(lineage.checksums().get(1));
    assertThat(history.getInt("items[0].tip.depth")).isEqualTo(2);
    assertThat(history.getString("items[1].triggeredBy")).isEqualTo("report");
    assertThat(history.getString("items[1].strategy")).isEqualTo("STOP");
    assertThat(history.getString("items[1].image")).isEqualTo(lineage.name);
    // The fleet's stored answers are brought up to date without any poll, too.
    Term idle = register();
    assign(idle, lineage);
    report(idle, lineage, lineage.checksums());
    lineage.publishDiff();
    String stored =
        await(
            () -> {
              String strategy =
                  list(Map.of("image", lineage.name, "reason", "ONE_BEHIND"))
                          .getList("items.id", Long.class)
                          .contains(idle.id())
                      ? "ONE_BEHIND"
                      : null;
              return strategy;
            });
    assertThat(stored).isEqualTo("ONE_BEHIND");

    // Rows older than the retention (90 days by default) are pruned within seconds.
    try (Connection db = database();
        Statement insert = db.createStatement()) {
      insert.executeUpdate(
          "INSERT INTO answer_change (terminal_id, image_id, decided_at, triggered_by, strategy,"
              + " reason, policy, keep_layers, download_count, total_bytes, reported_layers,"
              + " image_revision, answer_hash) SELECT terminal_id, image_id, now() - interval"
              + " '400 days', 'report', 'STOP', 'UP_TO_DATE', 'patent', 1, 0, 0, 1, 0, answer_hash"
              + " FROM answer_change WHERE terminal_id = "
              + terminal.id()
              + " ORDER BY id LIMIT 1");
    }
    await(
        () -> {
          try (Connection db = database();
              Statement count = db.createStatement();
              ResultSet row =
                  count.executeQuery(
                      "SELECT COUNT(*) FROM answer_change WHERE decided_at < now() - interval"
                          + " '300 days'")) {
            row.next();
            return row.getLong(1) == 0 ? true : null;
          }
        });
  }
}
