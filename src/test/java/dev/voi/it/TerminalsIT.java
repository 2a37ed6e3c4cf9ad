package dev.voi.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.voi.chain.CheckInfo;
import dev.voi.chain.Checksum;
import dev.voi.platform.Tokens;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Terminals over HTTP against the real WAR on Payara Micro and PostgreSQL, with lineages published
 * through the images API from files made by the real qemu-img: registration and tokens, isolation,
 * every rule of SPEC 6, the patent's case, conditional polls, feedback, listings and the history.
 * Every test makes its own images and terminals, so the order does not matter.
 */
@ExtendWith(ArquillianExtension.class)
class TerminalsIT {

  static final String ADMIN = "Bearer it-admin-token";
  static final AtomicInteger UNIQUE = new AtomicInteger();
  static final SecureRandom RANDOM = new SecureRandom();
  static final Path WORK = Path.of("target/terminals-it").toAbsolutePath();

  @Deployment(testable = false)
  static WebArchive war() {
    return ShrinkWrap.createFromZipFile(WebArchive.class, new File("target/voi-update.war"));
  }

  @ArquillianResource URL base;

  String api;

  @BeforeEach
  void urls() {
    api = base.toString() + "api/v1";
    assertThat(base.getPath()).as("context path of the deployment").isNotEqualTo("/");
  }

  // ---------------------------------------------------------------- registration and tokens

  @Test
  void registrationShowsTheTokenOnceAndKeepsOnlyItsHash() throws Exception {
    String name = "pc-" + UNIQUE.incrementAndGet();
    Response created =
        given()
            .header("Authorization", ADMIN)
            .contentType(ContentType.JSON)
            .body(named(name))
            .post(api + "/terminals");
    created.then().statusCode(201).body("name", equalTo(name));
    long id = created.jsonPath().getLong("id");
    String token = created.jsonPath().getString("token");
    assertThat(created.header("Location")).endsWith("/api/v1/terminals/" + id);
    assertThat(token).startsWith("voit_").hasSizeGreaterThanOrEqualTo(5 + 43);

    given()
        .header("Authorization", "Bearer " + token)
        .get(api + "/terminals/" + id)
        .then()
        .statusCode(200)
        .body("id", equalTo((int) id))
        .body("name", equalTo(name))
        .body("token", nullValue());
    given()
        .header("Authorization", ADMIN)
        .get(api + "/terminals/" + id)
        .then()
        .statusCode(200)
        .body("token", nullValue());
    try (Connection db = database();
        PreparedStatement query =
            db.prepareStatement("SELECT token_hash FROM terminal WHERE id = ?")) {
      query.setLong(1, id);
      try (ResultSet row = query.executeQuery()) {
        assertThat(row.next()).isTrue();
        assertThat(row.getString(1)).isEqualTo(Tokens.hash(token)).doesNotContain(token);
      }
    }

    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(named(name))
        .post(api + "/terminals")
        .then()
        .statusCode(409)
        .contentType("application/problem+json");
    for (String bad : List.of("", " padded", "x".repeat(129), "line\nbreak")) {
      given()
          .header("Authorization", ADMIN)
          .contentType(ContentType.JSON)
          .body(named(bad))
          .post(api + "/terminals")
          .then()
          .statusCode(400)
          .body("detail", containsString("name"));
    }
    for (String bad : List.of("{\"name\": 5", "{\"name\": 5}", "[]", "")) {
      given()
          .header("Authorization", ADMIN)
          .contentType(ContentType.JSON)
          .body(bad)
          .post(api + "/terminals")
          .then()
          .statusCode(400)
          .contentType("application/problem+json");
    }
  }

  @Test
  void rotationAndDeletionStopTheOldTokenAtOnce() {
    Term terminal = register();
    // Warm every cache the token goes through.
    given()
        .header("Authorization", terminal.bearer())
        .get(terminalUrl(terminal))
        .then()
        .statusCode(200);

    String rotated =
        given()
            .header("Authorization", ADMIN)
            .post(terminalUrl(terminal) + "/token")
            .then()
            .statusCode(200)
            .extract()
            .path("token");
    given()
        .header("Authorization", terminal.bearer())
        .get(terminalUrl(terminal))
        .then()
        .statusCode(401);
    Term renewed = new Term(terminal.id(), rotated);
    given()
        .header("Authorization", renewed.bearer())
        .get(terminalUrl(renewed))
        .then()
        .statusCode(200);

    given().header("Authorization", ADMIN).delete(terminalUrl(renewed)).then().statusCode(204);
    given()
        .header("Authorization", renewed.bearer())
        .get(terminalUrl(renewed))
        .then()
        .statusCode(401);
    given().header("Authorization", ADMIN).get(terminalUrl(renewed)).then().statusCode(404);
    given().header("Authorization", ADMIN).delete(terminalUrl(renewed)).then().statusCode(404);
  }

  // ---------------------------------------------------------------- isolation

  @Test
  void aTerminalReachesOnlyItsOwnResourcesAndAssignedImages() throws Exception {
    Lineage lineage = publish(1);
    Lineage other = publish(0);
    Term a = register();
    Term b = register();
    assign(a, lineage);
    assign(b, lineage);
    report(b, lineage, lineage.checksums()).then().statusCode(200);

    String bImage = terminalUrl(b) + "/images/" + lineage.name;
    given().header("Authorization", a.bearer()).get(terminalUrl(b)).then().statusCode(403);
    given()
        .header("Authorization", a.bearer())
        .contentType(ContentType.JSON)
        .body(body(nodes(lineage.checksums())))
        .put(bImage + "/chain")
        .then()
        .statusCode(403)
        .contentType("application/problem+json")
        .body("type", equalTo("urn:voi-update:problem:forbidden"));
    given().header("Authorization", a.bearer()).get(bImage + "/strategy").then().statusCode(403);
    given()
        .header("Authorization", a.bearer())
        .contentType(ContentType.JSON)
        .body("{\"state\":\"DONE\"}")
        .post(bImage + "/feedback")
        .then()
        .statusCode(403);
    // Ids that do not exist answer 403 too: they must not be told apart from others' ids.
    given()
        .header("Authorization", a.bearer())
        .get(api + "/terminals/999999999")
        .then()
        .statusCode(403);
    given()
        .header("Authorization", a.bearer())
        .get(api + "/terminals/nonsense")
        .then()
        .statusCode(403);
    given()
        .header("Authorization", a.bearer())
        .get(api + "/terminals/999999999/images/" + lineage.name + "/strategy")
        .then()
        .statusCode(403);

    // Administrator endpoints.
    given()
        .header("Authorization", a.bearer())
        .contentType(ContentType.JSON)
        .body(named("sneaky"))
        .post(api + "/terminals")
        .then()
        .statusCode(403);
    given().header("Authorization", a.bearer()).get(api + "/terminals").then().statusCode(403);
    given().header("Authorization", a.bearer()).get(api + "/images").then().statusCode(403);
    given()
        .header("Authorization", a.bearer())
        .post(terminalUrl(a) + "/token")
        .then()
        .statusCode(403);
    given().header("Authorization", a.bearer()).delete(terminalUrl(a)).then().statusCode(403);
    given()
        .header("Authorization", a.bearer())
        .get(terminalUrl(a) + "/history")
        .then()
        .statusCode(403);
    given()
        .header("Authorization", a.bearer())
        .put(terminalUrl(a) + "/images/" + other.name)
        .then()
        .statusCode(403);

    // Images: one not assigned is 403, one that does not exist 404.
    report(a, other, other.checksums()).then().statusCode(403);
    given()
        .header("Authorization", a.bearer())
        .get(terminalUrl(a) + "/images/" + other.name + "/strategy")
        .then()
        .statusCode(403);
    report(a, new Lineage("no-such-image-" + UNIQUE.incrementAndGet(), null), List.of())
        .then()
        .statusCode(404);

    // Layer downloads: the assigned image's layers only.
    given()
        .header("Authorization", a.bearer())
        .get(
            api
                + "/images/"
                + lineage.name
                + "/layers/"
                + lineage.layers.get(1).checksum
                + "/content")
        .then()
        .statusCode(200);
    given()
        .header("Authorization", a.bearer())
        .get(api + "/images/" + other.name + "/layers/" + other.layers.get(0).checksum + "/content")
        .then()
        .statusCode(403);

    // No token; and the administrator does not report for a terminal.
    given().get(bImage + "/strategy").then().statusCode(401);
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(body(nodes(lineage.checksums())))
        .put(bImage + "/chain")
        .then()
        .statusCode(403);
  }

  // ---------------------------------------------------------------- malformed reports

  @Test
  void malformedReportsAre400AndChangeNothing() throws Exception {
    Lineage lineage = publish(1);
    Term terminal = register();
    assign(terminal, lineage);
    report(terminal, lineage, lineage.checksums()).then().statusCode(200);
    String before = rowsOf(terminal);

    String good = lineage.checksums().get(0);
    String tail = randomHex();
    Map<String, String> refused = new java.util.LinkedHashMap<>();
    refused.put(body("[" + node("g" + good.substring(1), tail) + "]"), "nodes[0].head");
    refused.put(body("[" + node(good.substring(1), tail) + "]"), "nodes[0].head");
    refused.put(body("[" + node(good, tail.substring(1)) + "]"), "nodes[0].tail");
    refused.put(body("[" + node(good.toUpperCase(), tail) + "]"), "nodes[0].head");
    refused.put(body("[{\"head\": 7, \"tail\": \"" + tail + "\"}]"), "nodes[0].head");
    refused.put(body("[[\"" + good + "\", \"" + tail + "\"]]"), "nodes[0]");
    refused.put("{\"nodes\": {}}", "nodes");
    refused.put("{\"nodes\": \"" + good + "\"}", "nodes");
    refused.put("{}", "nodes");
    refused.put("[]", "body");
    refused.put("{\"nodes\": [", "JSON");
    refused.put("", "body");
    List<String> held = new ArrayList<>();
    for (int k = 0; k < 4097; k++) {
      held.add(randomHex());
    }
    refused.put(body(nodes(held)), "4096");
    for (Map.Entry<String, String> bad : refused.entrySet()) {
      given()
          .header("Authorization", terminal.bearer())
          .contentType(ContentType.JSON)
          .body(bad.getKey())
          .put(chainUrl(terminal, lineage))
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body("detail", containsString(bad.getValue()));
    }
    // Over 1 MiB: refused before it is parsed (it is not even JSON after the first MiB).
    byte[] huge = new byte[(1 << 20) + 10];
    Arrays.fill(huge, (byte) ' ');
    given()
        .header("Authorization", terminal.bearer())
        .contentType(ContentType.JSON)
        .body(huge)
        .put(chainUrl(terminal, lineage))
        .then()
        .statusCode(413)
        .contentType("application/problem+json");
    assertThat(rowsOf(terminal)).as("nothing stored on error").isEqualTo(before);
  }

  // ---------------------------------------------------------------- SPEC 6 with real lineages

  @Test
  void upToDateOneBehindAndKBehindUnderBothPolicies() throws Exception {
    Lineage lineage = publish(3);
    List<String> c = lineage.checksums();
    Term terminal = register();
    assign(terminal, lineage);

    JsonPath upToDate = answer(report(terminal, lineage, c));
    assertThat(upToDate.getString("strategy")).isEqualTo("STOP");
    assertThat(upToDate.getString("reason")).isEqualTo("UP_TO_DATE");
    assertThat(upToDate.getString("policy")).isEqualTo("patent");
    assertThat(upToDate.getInt("moveCount")).isZero();
    assertThat(upToDate.getInt("keep")).isEqualTo(4);
    assertThat(upToDate.getList("downloads")).isEmpty();
    assertThat(upToDate.getLong("totalBytes")).isZero();
    assertThat(upToDate.getInt("tip.depth")).isEqualTo(3);
    assertThat(upToDate.getString("tip.checksum")).isEqualTo(c.get(3));
    assertThat(upToDate.getInt("pollAfterSeconds")).isEqualTo(60);
    assertThat(upToDate.getMap("$")).containsKey("divergedAt").containsEntry("divergedAt", null);

    JsonPath oneBehind = answer(report(terminal, lineage, c.subList(0, 3)));
    assertThat(oneBehind.getString("strategy")).isEqualTo("INCREMENTAL");
    assertThat(oneBehind.getString("reason")).isEqualTo("ONE_BEHIND");
    assertThat(oneBehind.getInt("moveCount")).isEqualTo(1);
    assertThat(oneBehind.getInt("keep")).isEqualTo(3);
    assertDownloads(oneBehind, lineage, 3);

    JsonPath behind = answer(report(terminal, lineage, c.subList(0, 1)));
    assertThat(behind.getString("strategy")).isEqualTo("FULL");
    assertThat(behind.getString("reason")).isEqualTo("BEHIND");
    assertThat(behind.getInt("moveCount")).isEqualTo(3);
    assertThat(behind.getInt("keep")).isEqualTo(1);
    assertDownloads(behind, lineage, 1, 2, 3);

    policy(lineage, "catch-up", 8);
    JsonPath caughtUp = answer(poll(terminal, lineage));
    assertThat(caughtUp.getString("policy")).isEqualTo("catch-up");
    assertThat(caughtUp.getString("strategy")).isEqualTo("INCREMENTAL");
    assertThat(caughtUp.getString("reason")).isEqualTo("BEHIND");
    assertThat(caughtUp.getInt("keep")).isEqualTo(1);
    assertDownloads(caughtUp, lineage, 1, 2, 3);
    JsonPath twoBehind = answer(report(terminal, lineage, c.subList(0, 2)));
    assertThat(twoBehind.getString("strategy")).isEqualTo("INCREMENTAL");
    assertThat(twoBehind.getInt("keep")).isEqualTo(2);
    assertDownloads(twoBehind, lineage, 2, 3);

    // Beyond maxIncrementalLayers the catch-up policy falls back to the patent's FULL.
    policy(lineage, "catch-up", 2);
    report(terminal, lineage, c.subList(0, 1));
    JsonPath tooFar = answer(poll(terminal, lineage));
    assertThat(tooFar.getString("strategy")).isEqualTo("FULL");
    assertThat(tooFar.getString("reason")).isEqualTo("BEHIND");
    assertThat(tooFar.getInt("keep")).isEqualTo(1);
    assertDownloads(tooFar, lineage, 1, 2, 3);
  }

  @Test
  void emptyBrokenAndARandomTailEqualToAHeadAreFull() throws Exception {
    Lineage lineage = publish(2);
    List<String> c = lineage.checksums();
    Term terminal = register();
    assign(terminal, lineage);

    JsonPath empty = answer(report(terminal, lineage, List.of()));
    assertThat(empty.getString("strategy")).isEqualTo("FULL");
    assertThat(empty.getString("reason")).isEqualTo("NO_LOCAL_CHAIN");
    assertThat(empty.getInt("keep")).isZero();
    assertThat(empty.getMap("$")).containsEntry("moveCount", null);
    assertDownloads(empty, lineage, 0, 1, 2);
    assertThat(empty.getLong("totalBytes"))
        .isEqualTo(lineage.layers.stream().mapToLong(l -> l.size).sum());

    // Node 0's tail does not point at node 1's head.
    String brokenLinks =
        "[" + node(c.get(0), randomHex()) + "," + node(c.get(1), randomHex()) + "]";
    JsonPath broken = answer(reportRaw(terminal, lineage, body(brokenLinks)));
    assertThat(broken.getString("strategy")).isEqualTo("FULL");
    assertThat(broken.getString("reason")).isEqualTo("BROKEN_CHAIN");
    assertThat(broken.getInt("divergedAt")).isZero();
    assertThat(broken.getInt("keep")).isZero();
    assertDownloads(broken, lineage, 0, 1, 2);

    // The "random" tail of the last node equals a head of the list.
    String tailIsAHead = "[" + node(c.get(0), c.get(1)) + "," + node(c.get(1), c.get(0)) + "]";
    JsonPath replay = answer(reportRaw(terminal, lineage, body(tailIsAHead)));
    assertThat(replay.getString("reason")).isEqualTo("BROKEN_CHAIN");
    assertThat(replay.getInt("divergedAt")).isEqualTo(1);
    assertThat(replay.getString("strategy")).isEqualTo("FULL");

    // ... or a checksum of the server's chain.
    String tailIsTheTip = "[" + node(c.get(0), c.get(1)) + "," + node(c.get(1), c.get(2)) + "]";
    JsonPath forged = answer(reportRaw(terminal, lineage, body(tailIsTheTip)));
    assertThat(forged.getString("reason")).isEqualTo("BROKEN_CHAIN");
    assertThat(forged.getInt("divergedAt")).isEqualTo(1);
  }

  @Test
  void aTerminalAheadOfARetiredTipIsToldSoByTheNextPoll() throws Exception {
    Lineage lineage = publish(3);
    List<String> held = lineage.checksums();
    Term terminal = register();
    assign(terminal, lineage);
    assertThat(answer(report(terminal, lineage, held)).getString("strategy")).isEqualTo("STOP");

    retire(lineage, 3);
    JsonPath ahead = answer(poll(terminal, lineage));
    assertThat(ahead.getString("reason")).isEqualTo("AHEAD");
    assertThat(ahead.getString("strategy")).isEqualTo("FULL");
    assertThat(ahead.getInt("keep")).isEqualTo(1);
    assertThat(ahead.getInt("tip.depth")).isEqualTo(2);
    assertDownloads(ahead, lineage, 1, 2);

    policy(lineage, "catch-up", 8);
    JsonPath dropRetired = answer(poll(terminal, lineage));
    assertThat(dropRetired.getString("reason")).isEqualTo("AHEAD");
    assertThat(dropRetired.getString("strategy")).isEqualTo("INCREMENTAL");
    assertThat(dropRetired.getInt("keep")).isEqualTo(3);
    assertThat(dropRetired.getList("downloads")).isEmpty();
  }

  @Test
  void divergedAtJKeepsTheVerifiedBaseUnderThePatentAndThePrefixUnderCatchUp() throws Exception {
    Lineage lineage = publish(3);
    List<String> c = lineage.checksums();
    Term terminal = register();
    assign(terminal, lineage);
    List<String> foreign = new ArrayList<>(c.subList(0, 2));
    foreign.add(randomHex());
    JsonPath patent = answer(report(terminal, lineage, foreign));
    assertThat(patent.getString("reason")).isEqualTo("DIVERGED");
    assertThat(patent.getInt("divergedAt")).isEqualTo(2);
    assertThat(patent.getString("strategy")).isEqualTo("FULL");
    assertThat(patent.getInt("keep")).isEqualTo(1);
    assertDownloads(patent, lineage, 1, 2, 3);

    policy(lineage, "catch-up", 8);
    JsonPath catchUp = answer(poll(terminal, lineage));
    assertThat(catchUp.getString("strategy")).isEqualTo("FULL");
    assertThat(catchUp.getInt("keep")).isEqualTo(2);
    assertDownloads(catchUp, lineage, 2, 3);
  }

  /**
   * Paragraph [0004] of the patent: the same version numbers with different content. A
   * version-number comparison says STOP; the checksum chain says FULL.
   */
  @Test
  void thePatentsCaseSameVersionNumbersDifferentContentIsFull() throws Exception {
    Lineage lineage = publish(2);
    List<String> held = lineage.checksums();
    List<Long> heldVersions = lineage.layers.stream().map(l -> l.version).toList();
    Term terminal = register();
    assign(terminal, lineage);
    assertThat(answer(report(terminal, lineage, held)).getString("strategy")).isEqualTo("STOP");

    // 1. Another server with an image of the same name, the same versions and even the very same
    //    files: every checksum differs because the server UUID is part of it.
    UUID otherServer = UUID.randomUUID();
    List<String> elsewhere = new ArrayList<>();
    Checksum parent = null;
    for (Layer layer : lineage.layers) {
      parent =
          new CheckInfo(
                  layer.version,
                  otherServer,
                  lineage.name,
                  parent,
                  Checksum.ofHex(layer.contentDigest))
              .checksum();
      elsewhere.add(parent.hex());
    }
    JsonPath foreign = answer(report(terminal, lineage, elsewhere));
    assertThat(foreign.getLong("tip.version")).isEqualTo(heldVersions.get(2));
    assertThat(foreign.getString("reason")).isEqualTo("DIVERGED");
    assertThat(foreign.getInt("divergedAt")).isZero();
    assertThat(foreign.getString("strategy")).isEqualTo("FULL");
    assertThat(foreign.getInt("keep")).isZero();
    assertDownloads(foreign, lineage, 0, 1, 2);

    // 2. The template is rebuilt: a new base and diff with the same version numbers.
    report(terminal, lineage, held).then().statusCode(200);
    lineage.rebuild();
    assertThat(lineage.layers.stream().map(l -> l.version).toList()).isEqualTo(heldVersions);
    JsonPath rebuilt = answer(poll(terminal, lineage));
    assertThat(rebuilt.getString("reason")).isEqualTo("DIVERGED");
    assertThat(rebuilt.getInt("divergedAt")).isZero();
    assertThat(rebuilt.getString("strategy")).isEqualTo("FULL");
    assertThat(rebuilt.getInt("keep")).isZero();
    assertDownloads(rebuilt, lineage, 0, 1, 2);
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
      quarantine.setString(1, lineage.layers.get(2).checksum);
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
    assertThat(history.getLong("items[0].totalBytes")).isEqualTo(lineage.layers.get(2).size);
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
      try {
        Process process =
            new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
      } catch (IOException e) {
        throw new AssertionError("cannot run " + command[0], e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
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
