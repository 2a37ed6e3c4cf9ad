package dev.voi.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.File;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Groups, staged rollouts and maintenance windows (docs/design.md §11) against the real WAR on
 * Payara Micro and PostgreSQL, on lineages made by the real qemu-img. Every test makes its own
 * image, groups and terminals. The server's clock is adjustable in these deployments ({@code
 * voi.clock.adjustable}); the window test moves it and puts it back.
 */
@ExtendWith({ArquillianExtension.class, OpenApiValidation.class})
class RolloutsIT extends TerminalsItSupport {

  @Deployment(testable = false)
  static WebArchive war() {
    return ShrinkWrap.createFromZipFile(WebArchive.class, new File("target/voi-update.war"));
  }

  // ---------------------------------------------------------------- waves

  @Test
  void theCanaryGetsANewDiffFirstAndTheNextWaveAdvancesWhenTheCanaryHasIt() throws Exception {
    Lineage lineage = publish(1);
    String canary = group("canary");
    String lab = group("lab");
    List<Term> canaries = List.of(register(canary), register(canary));
    List<Term> labs = List.of(register(lab), register(lab), register(lab));
    for (Term terminal : concat(canaries, labs)) {
      assign(terminal, lineage);
      assertThat(answer(report(terminal, lineage, lineage.checksums())).getString("strategy"))
          .isEqualTo("STOP");
    }
    JsonPath plan =
        putPlan(
            lineage, "{\"waves\":[[\"" + canary + "\"],[\"" + lab + "\"]],\"successThreshold\":1}");
    assertThat(plan.getString("state")).isEqualTo("IDLE");
    assertThat(plan.getList("waves")).hasSize(3);
    assertThat(plan.getBoolean("waves[2].implicit")).isTrue();
    assertThat(plan.getList("waves[2].groups")).containsExactly("*");

    lineage.publishDiff();
    List<String> tip = lineage.checksums();
    List<String> previous = tip.subList(0, 2);

    JsonPath canaryAnswer = answer(poll(canaries.get(0), lineage));
    assertThat(canaryAnswer.getString("strategy")).isEqualTo("INCREMENTAL");
    assertThat(canaryAnswer.getInt("wave")).isZero();
    assertThat(canaryAnswer.getString("group")).isEqualTo(canary);
    assertThat(canaryAnswer.getString("tip.checksum")).isEqualTo(tip.get(2));
    JsonPath labAnswer = answer(poll(labs.get(0), lineage));
    assertThat(labAnswer.getString("strategy")).isEqualTo("STOP");
    assertThat(labAnswer.getString("reason")).isEqualTo("UP_TO_DATE");
    assertThat(labAnswer.getInt("wave")).isEqualTo(1);
    assertThat(labAnswer.getString("tip.checksum")).isEqualTo(previous.get(1));
    assertThat(labAnswer.getString("imageTip.checksum")).isEqualTo(tip.get(2));
    JsonPath rolling = getPlan(lineage);
    assertThat(rolling.getString("state")).isEqualTo("ROLLING");
    assertThat(rolling.getString("waves[0].releasedTip.checksum")).isEqualTo(tip.get(2));
    assertThat(rolling.getString("waves[1].releasedTip.checksum")).isEqualTo(previous.get(1));
    assertThat(rolling.getLong("waves[0].terminals")).isEqualTo(2);
    assertThat(rolling.getLong("waves[0].upToDate")).isZero();

    // One canary of two holds the tip: below the threshold of 1, the lab waits.
    report(canaries.get(0), lineage, tip).then().statusCode(200);
    Thread.sleep(1000); // the check after a report runs in the background
    assertThat(answer(poll(labs.get(1), lineage)).getString("strategy")).isEqualTo("STOP");
    assertThat(getPlan(lineage).getLong("waves[0].upToDate")).isEqualTo(1);

    // Both hold it: wave 0 is complete, wave 1 advances by itself.
    report(canaries.get(1), lineage, tip).then().statusCode(200);
    JsonPath advanced =
        await(
            () -> {
              JsonPath a = answer(poll(labs.get(2), lineage));
              return a.getString("strategy").equals("INCREMENTAL") ? a : null;
            });
    assertThat(advanced.getString("tip.checksum")).isEqualTo(tip.get(2));
    assertThat(advanced.getList("downloads.checksum")).containsExactly(tip.get(2));
    JsonPath after = getPlan(lineage);
    assertThat(after.getString("waves[1].releasedTip.checksum")).isEqualTo(tip.get(2));
    assertThat(after.getList("events.kind")).contains("advance");
    assertThat(after.getString("events.find { it.kind == 'advance' }.actor"))
        .isEqualTo("automatic");
    assertThat(history(labs.get(0)).getList("items.triggeredBy")).contains("advance");

    // The lab holds it too: the implicit last wave (nobody in it) follows, and all is IDLE.
    for (Term terminal : labs) {
      report(terminal, lineage, tip).then().statusCode(200);
    }
    await(() -> getPlan(lineage).getString("state").equals("IDLE") ? true : null);
  }

  @Test
  void failuresBeyondTheErrorThresholdHaltTheRolloutAndAnAdvanceByHandResumesIt() throws Exception {
    Lineage lineage = publish(0);
    String canary = group("canary");
    String lab = group("lab");
    List<Term> canaries = List.of(register(canary), register(canary), register(canary));
    Term labTerminal = register(lab);
    for (Term terminal : concat(canaries, List.of(labTerminal))) {
      assign(terminal, lineage);
      report(terminal, lineage, lineage.checksums()).then().statusCode(200);
    }
    putPlan(lineage, "{\"waves\":[[\"" + canary + "\"]],\"errorThreshold\":0.2}");
    lineage.publishDiff();
    feedback(canaries.get(0), lineage, "{\"state\":\"FAILED\",\"detail\":\"disk full\"}");
    JsonPath halted = await(() -> state(lineage, "HALTED"));
    assertThat(halted.getString("events.find { it.kind == 'halt' }.detail"))
        .contains("1 of 3 terminals sent FAILED");

    // Halted: even a complete canary wave does not advance.
    for (Term terminal : canaries) {
      report(terminal, lineage, lineage.checksums()).then().statusCode(200);
    }
    Thread.sleep(1000);
    assertThat(answer(poll(labTerminal, lineage)).getString("strategy")).isEqualTo("STOP");
    assertThat(getPlan(lineage).getString("state")).isEqualTo("HALTED");

    JsonPath resumed = advance(lineage).then().statusCode(200).extract().jsonPath();
    assertThat(resumed.getString("state")).isNotEqualTo("HALTED");
    assertThat(resumed.getString("waves[1].releasedTip.checksum"))
        .isEqualTo(lineage.checksums().get(1));
    assertThat(answer(poll(labTerminal, lineage)).getString("strategy")).isEqualTo("INCREMENTAL");
    given()
        .header("Authorization", ADMIN)
        .post(rolloutUrl(lineage) + "/advance")
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("type", equalTo("urn:voi-update:problem:nothing-to-advance"));
    given()
        .header("Authorization", ADMIN)
        .post(rolloutUrl(lineage) + "/halt")
        .then()
        .statusCode(200)
        .body("state", equalTo("HALTED"));
  }

  @Test
  void retiringTheTipMovesTheWavesThatReleasedItBack() throws Exception {
    Lineage lineage = publish(1);
    String canary = group("canary");
    Term early = register(canary);
    Term late = register(group("lab"));
    for (Term terminal : List.of(early, late)) {
      assign(terminal, lineage);
      report(terminal, lineage, lineage.checksums()).then().statusCode(200);
    }
    putPlan(lineage, "{\"waves\":[[\"" + canary + "\"]],\"autoAdvance\":false}");
    lineage.publishDiff();
    List<String> tip = lineage.checksums();
    advance(lineage).then().statusCode(200);
    assertThat(getPlan(lineage).getString("state")).isEqualTo("IDLE");
    assertThat(answer(poll(late, lineage)).getString("strategy")).isEqualTo("INCREMENTAL");

    retire(lineage, 2);

    JsonPath moved = getPlan(lineage);
    assertThat(moved.getList("waves.releasedTip.checksum")).containsOnly(tip.get(1));
    assertThat(moved.getList("events.kind")).contains("retire");
    assertThat(answer(poll(late, lineage)).getString("strategy")).isEqualTo("STOP");
  }

  @Test
  void aNewBaseReachesTheCanaryAsFullWhileLaterWavesKeepTheOldLineageAndCanDownloadIt()
      throws Exception {
    Lineage lineage = publish(1);
    List<String> old = lineage.checksums();
    List<Layer> oldLayers = List.copyOf(lineage.layers);
    String canary = group("canary");
    Term early = register(canary);
    Term late = register(group("lab"));
    Term behind = register(group("lab2"));
    for (Term terminal : List.of(early, late)) {
      assign(terminal, lineage);
      report(terminal, lineage, old).then().statusCode(200);
    }
    assign(behind, lineage);
    report(behind, lineage, old.subList(0, 1)).then().statusCode(200);
    putPlan(lineage, "{\"waves\":[[\"" + canary + "\"]],\"autoAdvance\":false}");

    lineage.rebuild(); // a new base and one diff on it: the old chain retires

    JsonPath full = answer(poll(early, lineage));
    assertThat(full.getString("strategy")).isEqualTo("FULL");
    assertThat(full.getList("downloads.checksum")).containsExactlyElementsOf(lineage.checksums());
    assertThat(answer(poll(late, lineage)).getString("strategy")).isEqualTo("STOP");
    JsonPath catchUp = answer(poll(behind, lineage));
    assertThat(catchUp.getString("strategy")).isEqualTo("INCREMENTAL");
    assertThat(catchUp.getString("tip.checksum")).isEqualTo(old.get(1));
    assertThat(catchUp.getString("imageTip.checksum")).isEqualTo(lineage.checksums().get(1));
    // The retired layer of the old lineage is still in wave 1's target chain: downloadable.
    Response content =
        given()
            .header("Authorization", behind.bearer())
            .get(base + catchUp.getString("downloads[0].url").substring(1));
    content.then().statusCode(200);
    assertThat(content.asByteArray().length).isEqualTo(oldLayers.get(1).size());

    // Removing the plan judges everybody against the current tip again.
    given().header("Authorization", ADMIN).delete(rolloutUrl(lineage)).then().statusCode(204);
    assertThat(answer(poll(late, lineage)).getString("strategy")).isEqualTo("FULL");
    given().header("Authorization", ADMIN).get(rolloutUrl(lineage)).then().statusCode(404);
  }

  @Test
  void anAuditAdvancesAWaveWhoseThresholdIsMetAndRecordsIt() throws Exception {
    Lineage lineage = publish(0);
    String ghost = group("ghost"); // no terminal is in it: a wave with none is complete
    Term terminal = register(group("lab"));
    assign(terminal, lineage);
    report(terminal, lineage, lineage.checksums()).then().statusCode(200);
    putPlan(lineage, "{\"waves\":[[\"" + ghost + "\"]]}");
    lineage.publishDiff();
    assertThat(answer(poll(terminal, lineage)).getString("strategy")).isEqualTo("STOP");

    JsonPath run = auditToTheEnd();

    assertThat(run.getList("rollouts", String.class))
        .anySatisfy(line -> assertThat(line).contains("advanced " + lineage.name + " wave 1"));
    assertThat(answer(poll(terminal, lineage)).getString("strategy")).isEqualTo("INCREMENTAL");
    assertThat(getPlan(lineage).getString("events.find { it.kind == 'advance' }.actor"))
        .startsWith("audit ");
  }

  // ---------------------------------------------------------------- groups

  @Test
  void groupsAreSetAtRegistrationChangedListedAndFiltered() throws Exception {
    Lineage lineage = publish(1);
    String canary = group("canary");
    String lab = group("lab");
    Term terminal = register(lab);
    Term plain = register();
    assign(terminal, lineage);
    report(terminal, lineage, lineage.checksums().subList(0, 1)).then().statusCode(200);
    putPlan(lineage, "{\"waves\":[[\"" + canary + "\"],[\"" + lab + "\"]],\"autoAdvance\":false}");
    lineage.publishDiff();
    JsonPath before = answer(poll(terminal, lineage));
    assertThat(before.getInt("wave")).isEqualTo(1);
    assertThat(before.getString("tip.checksum")).isEqualTo(lineage.checksums().get(1));

    JsonPath moved =
        given()
            .header("Authorization", ADMIN)
            .contentType(ContentType.JSON)
            .body("{\"group\":\"" + canary + "\"}")
            .put(terminalUrl(terminal) + "/group")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(moved.getString("group")).isEqualTo(canary);
    assertThat(moved.getInt("images[0].wave")).isZero();
    JsonPath after = answer(poll(terminal, lineage));
    assertThat(after.getInt("wave")).isZero();
    assertThat(after.getString("tip.checksum")).isEqualTo(lineage.checksums().get(2));
    assertThat(after.getString("strategy")).isEqualTo("FULL");
    assertThat(history(terminal).getList("items.triggeredBy")).contains("group");

    assertThat(list(Map.of("group", canary)).getList("items.id", Long.class))
        .containsExactly(terminal.id());
    assertThat(list(Map.of("group", lab)).getList("items")).isEmpty();
    assertThat(
            given()
                .header("Authorization", ADMIN)
                .get(terminalUrl(plain))
                .then()
                .statusCode(200)
                .extract()
                .path("group")
                .toString())
        .isEqualTo("default");
    JsonPath groups =
        given()
            .header("Authorization", ADMIN)
            .get(api + "/groups")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(groups.getInt("items.find { it.name == '" + canary + "' }.terminals")).isEqualTo(1);
    assertThat(groups.getList("items.name")).contains("default").doesNotContain(lab);
  }

  @Test
  void aTerminalMovedIntoAWaveIsDecidedAgainWhenThatWaveAdvances() throws Exception {
    Lineage lineage = publish(1);
    String canary = group("canary");
    String lab = group("lab");
    Term terminal = register(canary);
    Term stayed = register(canary);
    for (Term t : List.of(terminal, stayed)) {
      assign(t, lineage);
      report(t, lineage, lineage.checksums().subList(0, 1)).then().statusCode(200);
    }
    putPlan(lineage, "{\"waves\":[[\"" + canary + "\"],[\"" + lab + "\"]],\"autoAdvance\":false}");
    lineage.publishDiff();
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body("{\"group\":\"" + lab + "\"}")
        .put(terminalUrl(terminal) + "/group")
        .then()
        .statusCode(200)
        .body("images[0].wave", equalTo(1));

    // The advance re-decides the rows of the lab's terminals only, found by the group their
    // assignments carry: the moved terminal's stored answer changes, the canary's does not.
    advance(lineage).then().statusCode(200);
    List<String> triggers =
        await(
            () -> {
              List<String> t = history(terminal).getList("items.triggeredBy");
              return t.contains("advance") ? t : null;
            });
    assertThat(triggers).contains("group");
    assertThat(history(stayed).getList("items.triggeredBy", String.class))
        .doesNotContain("advance");
    JsonPath answer = answer(poll(terminal, lineage));
    assertThat(answer.getInt("wave")).isEqualTo(1);
    assertThat(answer.getString("tip.checksum")).isEqualTo(lineage.checksums().get(2));
  }

  @Test
  void badGroupsPlansAndWindowsAreRefusedWithProblems() throws Exception {
    Lineage lineage = publish(0);
    for (String body :
        List.of(
            "{\"name\":\"" + "t-" + UNIQUE.incrementAndGet() + "\",\"group\":\"bad group\"}",
            "{\"name\":\"" + "t-" + UNIQUE.incrementAndGet() + "\",\"group\":7}")) {
      given()
          .header("Authorization", ADMIN)
          .contentType(ContentType.JSON)
          .body(body)
          .post(api + "/terminals")
          .then()
          .statusCode(400)
          .contentType("application/problem+json");
    }
    for (String plan :
        List.of(
            "{\"waves\":[]}",
            "{\"waves\":[[\"*\"],[\"a\"]]}",
            "{\"waves\":[[\"a\"],[\"a\"]]}",
            "{\"waves\":[[\"a\"]],\"successThreshold\":1.5}",
            "{\"waves\":[[\"a\"]],\"autoAdvance\":\"yes\"}",
            "{\"waves\":[[\"a\"]],\"extra\":1}",
            "{\"waves\":[\"a\"]}")) {
      given()
          .header("Authorization", ADMIN)
          .contentType(ContentType.JSON)
          .body(plan)
          .put(rolloutUrl(lineage))
          .then()
          .statusCode(400)
          .contentType("application/problem+json");
    }
    given().header("Authorization", ADMIN).get(rolloutUrl(lineage)).then().statusCode(404);
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body("{\"waves\":[[\"a\"]]}")
        .put(api + "/images/no-such-image-" + UNIQUE.incrementAndGet() + "/rollout")
        .then()
        .statusCode(404);
    for (String windows :
        List.of(
            "{\"zone\":\"Mars/Olympus\",\"windows\":[]}",
            "{\"windows\":[{\"days\":[\"MON\"],\"from\":\"25:00\",\"to\":\"06:00\"}]}",
            "{\"windows\":[{\"days\":[\"FUNDAY\"],\"from\":\"22:00\",\"to\":\"06:00\"}]}",
            "{\"windows\":[{\"days\":[],\"from\":\"22:00\",\"to\":\"06:00\"}]}",
            "{\"zone\":\"UTC\"}")) {
      given()
          .header("Authorization", ADMIN)
          .contentType(ContentType.JSON)
          .body(windows)
          .put(api + "/groups/" + group("w"))
          .then()
          .statusCode(400)
          .contentType("application/problem+json");
    }
    Term terminal = register(group("t"));
    given().header("Authorization", terminal.bearer()).get(api + "/groups").then().statusCode(403);
  }

  // ---------------------------------------------------------------- windows

  @Test
  void outsideItsWindowAGroupWaitsUntilTheWindowOpensAndEmptyTerminalsDoNot() throws Exception {
    Lineage lineage = publish(1);
    String night = group("night");
    Term behind = register(night);
    Term empty = register(night);
    for (Term terminal : List.of(behind, empty)) {
      assign(terminal, lineage);
    }
    report(behind, lineage, lineage.checksums().subList(0, 1)).then().statusCode(200);
    report(empty, lineage, List.of()).then().statusCode(200);

    // A window two hours from now, an hour long, in Shanghai (whatever day that is).
    Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
    Instant opens = now.plus(2, ChronoUnit.HOURS);
    ZoneId shanghai = ZoneId.of("Asia/Shanghai");
    ZonedDateTime local = opens.atZone(shanghai);
    DateTimeFormatter hhmm = DateTimeFormatter.ofPattern("HH:mm");
    String day = local.getDayOfWeek().name().substring(0, 3).toUpperCase(Locale.ROOT);
    setClock(now);
    try {
      JsonPath group =
          given()
              .header("Authorization", ADMIN)
              .contentType(ContentType.JSON)
              .body(
                  "{\"zone\":\"Asia/Shanghai\",\"windows\":[{\"days\":[\""
                      + day
                      + "\"],\"from\":\""
                      + hhmm.format(local)
                      + "\",\"to\":\""
                      + hhmm.format(local.plusHours(1))
                      + "\"}]}")
              .put(api + "/groups/" + night)
              .then()
              .statusCode(200)
              .extract()
              .jsonPath();
      assertThat(group.getBoolean("openNow")).isFalse();
      assertThat(group.getString("nextChange")).isEqualTo(opens.toString());

      Response waiting = poll(behind, lineage);
      JsonPath wait = answer(waiting);
      assertThat(wait.getString("strategy")).isEqualTo("WAIT");
      assertThat(wait.getString("reason")).isEqualTo("OUTSIDE_WINDOW");
      assertThat(wait.getString("windowOpensAt")).isEqualTo(opens.toString());
      assertThat(wait.getInt("keep")).isEqualTo(1);
      assertThat(wait.getList("downloads")).isEmpty();
      assertThat(conditionalPoll(behind, lineage, waiting.header("ETag")).statusCode())
          .isEqualTo(304);
      JsonPath rebuild = answer(poll(empty, lineage));
      assertThat(rebuild.getString("reason")).isEqualTo("NO_LOCAL_CHAIN");
      assertThat(rebuild.getString("strategy")).isEqualTo("FULL");
      assertThat(rebuild.getString("windowOpensAt")).isNull();

      // The window opens: the cached answer is not served across that instant.
      setClock(opens);
      Response opened = conditionalPoll(behind, lineage, waiting.header("ETag"));
      assertThat(opened.statusCode()).isEqualTo(200);
      JsonPath go = answer(opened);
      assertThat(go.getString("strategy")).isEqualTo("INCREMENTAL");
      assertThat(go.getString("windowOpensAt")).isNull();
      given()
          .header("Authorization", behind.bearer())
          .get(base + go.getString("downloads[0].url").substring(1))
          .then()
          .statusCode(200);
      assertThat(history(behind).getList("items.triggeredBy")).contains("window opened");

      // An hour later it closes again.
      setClock(opens.plus(1, ChronoUnit.HOURS));
      assertThat(
              answer(conditionalPoll(behind, lineage, opened.header("ETag"))).getString("reason"))
          .isEqualTo("OUTSIDE_WINDOW");
    } finally {
      setClock(Instant.now());
    }
  }

  // ---------------------------------------------------------------- helpers

  static String group(String prefix) {
    return prefix + "-" + UNIQUE.incrementAndGet();
  }

  Term register(String group) {
    Response created =
        given()
            .header("Authorization", ADMIN)
            .contentType(ContentType.JSON)
            .body(
                "{\"name\":\"terminal-"
                    + UNIQUE.incrementAndGet()
                    + "\",\"group\":\""
                    + group
                    + "\"}")
            .post(api + "/terminals");
    created.then().statusCode(201).body("group", equalTo(group));
    return new Term(created.jsonPath().getLong("id"), created.jsonPath().getString("token"));
  }

  String rolloutUrl(Lineage lineage) {
    return api + "/images/" + lineage.name + "/rollout";
  }

  JsonPath putPlan(Lineage lineage, String plan) {
    return given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(plan)
        .put(rolloutUrl(lineage))
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  JsonPath getPlan(Lineage lineage) {
    return given()
        .header("Authorization", ADMIN)
        .get(rolloutUrl(lineage))
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  JsonPath state(Lineage lineage, String state) {
    JsonPath plan = getPlan(lineage);
    return plan.getString("state").equals(state) ? plan : null;
  }

  Response advance(Lineage lineage) {
    return given().header("Authorization", ADMIN).post(rolloutUrl(lineage) + "/advance");
  }

  void feedback(Term terminal, Lineage lineage, String body) {
    given()
        .header("Authorization", terminal.bearer())
        .contentType(ContentType.JSON)
        .body(body)
        .post(terminalUrl(terminal) + "/images/" + lineage.name + "/feedback")
        .then()
        .statusCode(202);
  }

  void setClock(Instant now) {
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body("{\"now\":\"" + now + "\"}")
        .put(api + "/server/clock")
        .then()
        .statusCode(200);
  }

  JsonPath auditToTheEnd() throws Exception {
    Response started =
        await(
            () -> {
              Response answer = given().header("Authorization", ADMIN).post(api + "/audits");
              return answer.statusCode() == 202 ? answer : null;
            });
    String location = started.header("Location");
    return await(
        () -> {
          JsonPath run =
              given()
                  .header("Authorization", ADMIN)
                  .get(location)
                  .then()
                  .statusCode(200)
                  .extract()
                  .jsonPath();
          return run.getString("state").equals("RUNNING") ? null : run;
        });
  }

  static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
