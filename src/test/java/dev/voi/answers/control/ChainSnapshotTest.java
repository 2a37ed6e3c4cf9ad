package dev.voi.answers.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.answers.entity.StrategyAnswer;
import dev.voi.chain.ChainNode;
import dev.voi.chain.CheckInfo;
import dev.voi.chain.Checksum;
import dev.voi.chain.LayerState;
import dev.voi.chain.Policy;
import dev.voi.chain.Reason;
import dev.voi.chain.ServerLayer;
import dev.voi.chain.Strategy;
import dev.voi.chain.rollout.MaintenanceWindows;
import dev.voi.chain.rollout.RolloutPlan;
import dev.voi.images.boundary.LayerView;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ChainSnapshotTest {

  static final UUID SERVER = UUID.fromString("3f1c6a52-7d0e-4b8e-9a41-2c5d8e9f0a17");
  static final String IMAGE = "win10-lab";

  /** A Monday, 18:00 in Shanghai. */
  static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

  /** c_0..c_{count-1}, layer k of version k + 1. */
  static List<Checksum> lineage(int count) {
    List<Checksum> checksums = new ArrayList<>();
    Checksum parent = null;
    for (int k = 0; k < count; k++) {
      parent = new CheckInfo(k + 1, SERVER, IMAGE, parent, Checksum.sha256("c" + k)).checksum();
      checksums.add(parent);
    }
    return checksums;
  }

  static ChainSnapshot snapshot(List<Checksum> checksums, Policy policy) {
    List<ChainSnapshot.LayerFile> layers = new ArrayList<>();
    for (int k = 0; k < checksums.size(); k++) {
      Checksum c = checksums.get(k);
      layers.add(
          new ChainSnapshot.LayerFile(
              new ServerLayer(k, k + 1, c, 1000L * (k + 1), LayerState.PUBLISHED),
              IMAGE + "-000" + k + "-" + c.shortHex() + ".qcow2",
              Checksum.sha256("file" + k).hex()));
    }
    return new ChainSnapshot(1, IMAGE, policy, 8, 5, layers, "publish");
  }

  /**
   * The image staged: wave 0 ("canary") has released the tip, the implicit last wave the layer
   * below it; group "lab" has a window Monday 22:00 to 06:00 in Shanghai.
   */
  static ChainSnapshot staged(List<Checksum> checksums) {
    ChainSnapshot current = snapshot(checksums, Policy.PATENT);
    List<ChainSnapshot.LayerFile> all = current.layers();
    ChainSnapshot.Staging staging =
        new ChainSnapshot.Staging(
            new RolloutPlan(List.of(List.of("canary")), 0.9, 0.1, true),
            List.of(all, all.subList(0, all.size() - 1)));
    MaintenanceWindows monday =
        new MaintenanceWindows(
            ZoneId.of("Asia/Shanghai"),
            List.of(
                new MaintenanceWindows.Window(
                    Set.of(DayOfWeek.MONDAY), LocalTime.of(22, 0), LocalTime.of(6, 0))));
    return new ChainSnapshot(
        1, IMAGE, Policy.PATENT, 8, 5, all, staging, Map.of("lab", monday), "advance");
  }

  @Test
  void aTerminalIsJudgedAgainstItsWavesReleasedTip() {
    List<Checksum> chain = lineage(4);
    ChainSnapshot staged = staged(chain);
    List<ChainNode> three = report(chain.subList(0, 3));
    StrategyAnswer canary = staged.answerFor(three, 60, "canary", NOW).answer();
    assertThat(canary.wave()).isZero();
    assertThat(canary.strategy()).isEqualTo(Strategy.INCREMENTAL);
    assertThat(canary.tip().depth()).isEqualTo(3);
    StrategyAnswer later = staged.answerFor(three, 60, "hall", NOW).answer();
    assertThat(later.wave()).as("an unnamed group: the implicit last wave").isEqualTo(1);
    assertThat(later.group()).isEqualTo("hall");
    assertThat(later.strategy()).isEqualTo(Strategy.STOP);
    assertThat(later.reason()).isEqualTo(Reason.UP_TO_DATE);
    assertThat(later.tip()).isEqualTo(new StrategyAnswer.Tip(2, 3, chain.get(2).hex()));
    assertThat(later.imageTip())
        .as("the image's newest layer, next to the target tip")
        .isEqualTo(new StrategyAnswer.Tip(3, 4, chain.get(3).hex()));
    assertThat(staged.answerFor(report(chain), 60, "hall", NOW).answer().reason())
        .as("a terminal of a later wave that holds the newer tip is ahead of its wave")
        .isEqualTo(Reason.AHEAD);
  }

  @Test
  void aClosedWindowHoldsDownloadsBackUntilItOpensAndTheAnswerSaysWhen() {
    List<Checksum> chain = lineage(4);
    ChainSnapshot staged = staged(chain);
    List<ChainNode> two = report(chain.subList(0, 2));
    ChainSnapshot.Judged closed = staged.answerFor(two, 60, "lab", NOW);
    assertThat(closed.answer().strategy()).isEqualTo(Strategy.WAIT);
    assertThat(closed.answer().reason()).isEqualTo(Reason.OUTSIDE_WINDOW);
    assertThat(closed.answer().keep()).as("what it verifiably holds").isEqualTo(2);
    assertThat(closed.answer().downloads()).isEmpty();
    assertThat(closed.answer().totalBytes()).isZero();
    assertThat(closed.answer().moveCount()).isEqualTo(1);
    Instant opens = Instant.parse("2026-12-07T14:00:00Z"); // Monday 22:00 in Shanghai
    assertThat(closed.answer().windowOpensAt()).isEqualTo(opens.toString());
    assertThat(closed.validUntil()).isEqualTo(opens);
    assertThat(closed.holdsAt(opens.minusMillis(1))).isTrue();
    assertThat(closed.holdsAt(opens)).isFalse();

    ChainSnapshot.Judged open = staged.answerFor(two, 60, "lab", opens);
    assertThat(open.answer().strategy()).isEqualTo(Strategy.INCREMENTAL);
    assertThat(open.answer().windowOpensAt()).isNull();
    assertThat(open.answer().downloads()).hasSize(1);
    assertThat(open.validUntil())
        .as("Tuesday 06:00 in Shanghai, when the window closes")
        .isEqualTo(Instant.parse("2026-12-07T22:00:00Z"));
    assertThat(closed.answer().fingerprint()).isNotEqualTo(open.answer().fingerprint());
  }

  @Test
  void emptyAndBrokenTerminalsAndAnswersWithoutDownloadsIgnoreWindows() {
    List<Checksum> chain = lineage(4);
    ChainSnapshot staged = staged(chain);
    ChainSnapshot.Judged empty = staged.answerFor(List.of(), 60, "lab", NOW);
    assertThat(empty.answer().reason()).isEqualTo(Reason.NO_LOCAL_CHAIN);
    assertThat(empty.answer().strategy()).isEqualTo(Strategy.FULL);
    assertThat(empty.validUntil()).isNull();
    List<ChainNode> broken = new ArrayList<>(report(chain.subList(0, 3)));
    broken.set(0, new ChainNode(chain.get(0), Checksum.sha256("not the next head")));
    ChainSnapshot.Judged brokenAnswer = staged.answerFor(broken, 60, "lab", NOW);
    assertThat(brokenAnswer.answer().reason()).isEqualTo(Reason.BROKEN_CHAIN);
    assertThat(brokenAnswer.answer().strategy()).isEqualTo(Strategy.FULL);
    ChainSnapshot.Judged upToDate = staged.answerFor(report(chain.subList(0, 3)), 60, "lab", NOW);
    assertThat(upToDate.answer().strategy()).isEqualTo(Strategy.STOP);
    assertThat(upToDate.validUntil()).as("no window edge changes a STOP").isNull();
  }

  /** What a terminal holding {@code held} reports, with a fixed "random" tail. */
  static List<ChainNode> report(List<Checksum> held) {
    List<ChainNode> nodes = new ArrayList<>();
    for (int k = 0; k < held.size(); k++) {
      Checksum tail = k + 1 < held.size() ? held.get(k + 1) : Checksum.sha256("random");
      nodes.add(new ChainNode(held.get(k), tail));
    }
    return nodes;
  }

  @Test
  void oneBehindDownloadsTheTipWithItsFileNameDigestAndUrl() {
    List<Checksum> chain = lineage(4);
    StrategyAnswer answer =
        snapshot(chain, Policy.PATENT)
            .answerFor(report(chain.subList(0, 3)), 60, "default", NOW)
            .answer();
    assertThat(answer.strategy()).isEqualTo(Strategy.INCREMENTAL);
    assertThat(answer.reason()).isEqualTo(Reason.ONE_BEHIND);
    assertThat(answer.keep()).isEqualTo(3);
    assertThat(answer.moveCount()).isEqualTo(1);
    assertThat(answer.tip()).isEqualTo(new StrategyAnswer.Tip(3, 4, chain.get(3).hex()));
    assertThat(answer.downloads())
        .containsExactly(
            new StrategyAnswer.Download(
                3,
                4,
                chain.get(3).hex(),
                IMAGE + "-0003-" + chain.get(3).shortHex() + ".qcow2",
                4000,
                Checksum.sha256("file3").hex(),
                "/api/v1/images/" + IMAGE + "/layers/" + chain.get(3).hex() + "/content"));
    assertThat(answer.totalBytes()).isEqualTo(4000);
    assertThat(answer.pollAfterSeconds()).isEqualTo(60);
  }

  @Test
  void theJsonIsSpec9sInOrderWithNullsWritten() {
    List<Checksum> chain = lineage(2);
    StrategyAnswer answer =
        snapshot(chain, Policy.PATENT).answerFor(report(chain), 60, "default", NOW).answer();
    String json = new String(AnswerJson.represent(answer).body(), StandardCharsets.UTF_8);
    assertThat(json)
        .startsWith(
            "{\"image\":\"win10-lab\",\"group\":\"default\",\"wave\":0,\"strategy\":\"STOP\","
                + "\"reason\":\"UP_TO_DATE\",\"policy\":\"patent\",\"moveCount\":0,"
                + "\"divergedAt\":null,\"keep\":2,"
                + "\"tip\":{\"depth\":1,\"version\":2,\"checksum\":\""
                + chain.get(1).hex()
                + "\"},\"imageTip\":{\"depth\":1,\"version\":2,\"checksum\":\""
                + chain.get(1).hex()
                + "\"},\"windowOpensAt\":null,\"downloads\":[],\"totalBytes\":0,"
                + "\"pollAfterSeconds\":60}");
  }

  @Test
  void theEtagIsStrongAndFollowsTheBytes() {
    List<Checksum> chain = lineage(3);
    ChainSnapshot snapshot = snapshot(chain, Policy.PATENT);
    AnswerJson.Representation a =
        AnswerJson.represent(snapshot.answerFor(report(chain), 60, "default", NOW).answer());
    AnswerJson.Representation again =
        AnswerJson.represent(snapshot.answerFor(report(chain), 60, "default", NOW).answer());
    AnswerJson.Representation otherPoll =
        AnswerJson.represent(snapshot.answerFor(report(chain), 30, "default", NOW).answer());
    assertThat(a.etag()).matches("\"[0-9a-f]{32}\"");
    assertThat(again).isEqualTo(a);
    assertThat(otherPoll.etag()).isNotEqualTo(a.etag());
  }

  @Test
  void theFingerprintIgnoresOnlyThePollInterval() {
    List<Checksum> chain = lineage(3);
    ChainSnapshot snapshot = snapshot(chain, Policy.PATENT);
    StrategyAnswer upToDate = snapshot.answerFor(report(chain), 60, "default", NOW).answer();
    assertThat(snapshot.answerFor(report(chain), 5, "default", NOW).answer().fingerprint())
        .isEqualTo(upToDate.fingerprint());
    assertThat(
            snapshot
                .answerFor(report(chain.subList(0, 2)), 60, "default", NOW)
                .answer()
                .fingerprint())
        .isNotEqualTo(upToDate.fingerprint());
    assertThat(
            snapshot(chain, Policy.CATCH_UP)
                .answerFor(report(chain), 60, "default", NOW)
                .answer()
                .fingerprint())
        .as("the policy is part of the answer")
        .isNotEqualTo(upToDate.fingerprint());
  }

  @Test
  void aNewRandomTailDoesNotChangeTheAnswer() {
    List<Checksum> chain = lineage(3);
    ChainSnapshot snapshot = snapshot(chain, Policy.PATENT);
    List<ChainNode> first = report(chain);
    List<ChainNode> second = new ArrayList<>(first);
    second.set(2, new ChainNode(chain.get(2), Checksum.sha256("another random tail")));
    assertThat(snapshot.answerFor(second, 60, "default", NOW).answer())
        .isEqualTo(snapshot.answerFor(first, 60, "default", NOW).answer());
  }

  @Test
  void ifNoneMatchComparesWeaklyAndAcceptsLists() {
    String tag = "\"0123456789abcdef0123456789abcdef\"";
    assertThat(AnswerJson.matches(tag, tag)).isTrue();
    assertThat(AnswerJson.matches("W/" + tag, tag)).isTrue();
    assertThat(AnswerJson.matches("\"x\", " + tag, tag)).isTrue();
    assertThat(AnswerJson.matches("*", tag)).isTrue();
    assertThat(AnswerJson.matches("\"x\"", tag)).isFalse();
    assertThat(AnswerJson.matches(null, tag)).isFalse();
    assertThat(AnswerJson.matches(tag.replace("\"", ""), tag)).isFalse();
  }

  @Test
  void downloadsPointAtTheImagesComponentsContentRoute() {
    String checksum = lineage(1).get(0).hex();
    assertThat(ChainSnapshot.contentUrl(IMAGE, checksum))
        .isEqualTo(LayerView.contentUrl(IMAGE, checksum))
        .isEqualTo("/api/v1/images/win10-lab/layers/" + checksum + "/content");
  }
}
