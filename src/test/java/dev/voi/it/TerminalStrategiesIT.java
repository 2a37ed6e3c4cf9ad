package dev.voi.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import dev.voi.chain.CheckInfo;
import dev.voi.chain.Checksum;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Terminals over HTTP against the real WAR on Payara Micro and PostgreSQL (see {@link
 * TerminalsItSupport}): Chain reports and the strategies answered to them: malformed reports change
 * nothing, and every rule of the decision table on real lineages, the patent's case included.
 */
@ExtendWith({ArquillianExtension.class, OpenApiValidation.class})
class TerminalStrategiesIT extends TerminalsItSupport {

  @Deployment(testable = false)
  static WebArchive war() {
    return ShrinkWrap.createFromZipFile(WebArchive.class, new File("target/voi-update.war"));
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
    refused.put("{\"nodes\": " + "[".repeat(1001) + "]".repeat(1001) + "}", "nested deeper");
    refused.put("{\"nodes\": [], \"nodes\": []}", "appears twice");
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

  // ---------------------------------------------------------------- design §6 on real lineages

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
        .isEqualTo(lineage.layers.stream().mapToLong(l -> l.size()).sum());

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
    List<Long> heldVersions = lineage.layers.stream().map(l -> l.version()).toList();
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
                  layer.version(),
                  otherServer,
                  lineage.name,
                  parent,
                  Checksum.ofHex(layer.contentDigest()))
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
    assertThat(lineage.layers.stream().map(l -> l.version()).toList()).isEqualTo(heldVersions);
    JsonPath rebuilt = answer(poll(terminal, lineage));
    assertThat(rebuilt.getString("reason")).isEqualTo("DIVERGED");
    assertThat(rebuilt.getInt("divergedAt")).isZero();
    assertThat(rebuilt.getString("strategy")).isEqualTo("FULL");
    assertThat(rebuilt.getInt("keep")).isZero();
    assertDownloads(rebuilt, lineage, 0, 1, 2);
  }
}
