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
import dev.voi.images.boundary.LayerView;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ChainSnapshotTest {

  static final UUID SERVER = UUID.fromString("3f1c6a52-7d0e-4b8e-9a41-2c5d8e9f0a17");
  static final String IMAGE = "win10-lab";

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
        snapshot(chain, Policy.PATENT).answerFor(report(chain.subList(0, 3)), 60);
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
    StrategyAnswer answer = snapshot(chain, Policy.PATENT).answerFor(report(chain), 60);
    String json = new String(AnswerJson.represent(answer).body(), StandardCharsets.UTF_8);
    assertThat(json)
        .startsWith(
            "{\"image\":\"win10-lab\",\"strategy\":\"STOP\",\"reason\":\"UP_TO_DATE\","
                + "\"policy\":\"patent\",\"moveCount\":0,\"divergedAt\":null,\"keep\":2,"
                + "\"tip\":{\"depth\":1,\"version\":2,\"checksum\":\""
                + chain.get(1).hex()
                + "\"},\"downloads\":[],\"totalBytes\":0,\"pollAfterSeconds\":60}");
  }

  @Test
  void theEtagIsStrongAndFollowsTheBytes() {
    List<Checksum> chain = lineage(3);
    ChainSnapshot snapshot = snapshot(chain, Policy.PATENT);
    AnswerJson.Representation a = AnswerJson.represent(snapshot.answerFor(report(chain), 60));
    AnswerJson.Representation again = AnswerJson.represent(snapshot.answerFor(report(chain), 60));
    AnswerJson.Representation otherPoll =
        AnswerJson.represent(snapshot.answerFor(report(chain), 30));
    assertThat(a.etag()).matches("\"[0-9a-f]{32}\"");
    assertThat(again).isEqualTo(a);
    assertThat(otherPoll.etag()).isNotEqualTo(a.etag());
  }

  @Test
  void theFingerprintIgnoresOnlyThePollInterval() {
    List<Checksum> chain = lineage(3);
    ChainSnapshot snapshot = snapshot(chain, Policy.PATENT);
    StrategyAnswer upToDate = snapshot.answerFor(report(chain), 60);
    assertThat(snapshot.answerFor(report(chain), 5).fingerprint())
        .isEqualTo(upToDate.fingerprint());
    assertThat(snapshot.answerFor(report(chain.subList(0, 2)), 60).fingerprint())
        .isNotEqualTo(upToDate.fingerprint());
    assertThat(snapshot(chain, Policy.CATCH_UP).answerFor(report(chain), 60).fingerprint())
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
    assertThat(snapshot.answerFor(second, 60)).isEqualTo(snapshot.answerFor(first, 60));
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
