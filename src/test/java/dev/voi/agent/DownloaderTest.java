package dev.voi.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownloaderTest {

  @TempDir(factory = ShmTempDir.class)
  Path root;

  Rig rig;
  Lineage.Layer base;
  Answer.Download download;
  Path staging;

  @BeforeEach
  void publish() throws IOException {
    rig = new Rig(root);
    base = rig.lineage.publishBase(1, "write -P 0x11 0 1M", "write -P 0x22 2M 512k");
    download = downloadOf(base);
    staging = root.resolve("staging");
  }

  @AfterEach
  void stop() {
    rig.close();
  }

  static Answer.Download downloadOf(Lineage.Layer layer) {
    return new Answer.Download(
        layer.depth(),
        layer.version(),
        layer.checksum(),
        layer.fileName(),
        layer.size(),
        layer.sha256(),
        "/api/v1/images/" + Rig.IMAGE + "/layers/" + layer.checksum().hex() + "/content");
  }

  Path fetch(Downloader.Settings settings, Answer.Download what) {
    Console console = rig.console();
    ProgressMeter meter = new ProgressMeter(console, System::nanoTime, what.size(), p -> {});
    return new Downloader(rig.client(console), staging, settings, console).fetch(what, meter);
  }

  @Test
  void downloadsAndChecksTheSha256() throws IOException {
    Path file = fetch(Rig.RETRYING, download);

    assertThat(file).isEqualTo(staging.resolve(base.fileName()));
    assertThat(Files.readAllBytes(file)).isEqualTo(Files.readAllBytes(base.file()));
    assertThat(rig.server.contentRequests)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.range()).isNull();
              assertThat(r.status()).isEqualTo(200);
            });
    assertThat(rig.err()).contains("downloading " + base.fileName());
    assertThat(staging.resolve(base.fileName() + ".part")).doesNotExist();
  }

  @Test
  void anInterruptedDownloadKeepsItsBytesAndTheNextRunResumesWithRangeAndIfRange()
      throws IOException {
    rig.server.cutNextAfter = 100_000;
    assertThatThrownBy(() -> fetch(Rig.ONE_ATTEMPT, download))
        .isInstanceOfSatisfying(
            AgentException.class, e -> assertThat(e.failure()).isEqualTo(Failure.SERVER))
        .hasMessageContaining("interrupted at")
        .hasMessageContaining("run sync again to resume");
    Path part = Downloader.partFile(staging, base.fileName());
    long have = Files.size(part); // what reached the disk: at most what the server wrote
    assertThat(have).isPositive().isLessThanOrEqualTo(100_000);
    assertThat(rig.server.resetCounters()).isEqualTo(100_000);

    Path file = fetch(Rig.ONE_ATTEMPT, download);

    assertThat(Files.readAllBytes(file)).isEqualTo(Files.readAllBytes(base.file()));
    assertThat(rig.server.contentRequests)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.range()).isEqualTo("bytes=" + have + "-");
              assertThat(r.ifRange()).isEqualTo("\"" + base.sha256().hex() + "\"");
              assertThat(r.status()).isEqualTo(206);
            });
    assertThat(rig.server.contentBytesSent.get()).isEqualTo(base.size() - have);
    assertThat(rig.err()).contains("resuming at");
  }

  @Test
  void aBrokenConnectionIsResumedWithinTheSameRun() throws IOException {
    rig.server.cutNextAfter = 50_000;

    Path file = fetch(Rig.RETRYING, download);

    assertThat(Files.readAllBytes(file)).isEqualTo(Files.readAllBytes(base.file()));
    assertThat(rig.server.contentRequests).hasSize(2);
    assertThat(rig.server.contentRequests.get(1).range()).matches("bytes=\\d+-");
    long resumedAt =
        Long.parseLong(rig.server.contentRequests.get(1).range().replaceAll("\\D", ""));
    assertThat(resumedAt).isPositive().isLessThanOrEqualTo(50_000);
    assertThat(rig.server.contentRequests.get(1).bytesSent()).isEqualTo(base.size() - resumedAt);
  }

  @Test
  void whenTheEtagNoLongerMatchesTheServerSendsTheWholeFileAndItIsNotSpliced() throws IOException {
    rig.server.cutNextAfter = 100_000;
    assertThatThrownBy(() -> fetch(Rig.ONE_ATTEMPT, download)).isInstanceOf(AgentException.class);
    rig.server.resetCounters();
    rig.server.etagOverride = "\"something-else\"";

    Path file = fetch(Rig.ONE_ATTEMPT, download);

    assertThat(Files.readAllBytes(file)).isEqualTo(Files.readAllBytes(base.file()));
    assertThat(rig.server.contentRequests)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.range()).startsWith("bytes=").isNotEqualTo("bytes=0-");
              assertThat(r.status()).isEqualTo(200);
            });
    assertThat(rig.server.contentBytesSent.get()).isEqualTo(base.size());
  }

  @Test
  void aTamperedDownloadIsRejectedAndDiscarded() throws IOException {
    rig.server.tamper = true;

    assertThatThrownBy(() -> fetch(Rig.RETRYING, download))
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.exitCode()).isEqualTo(4))
        .hasMessageContaining("SHA-256 mismatch")
        .hasMessageContaining(base.sha256().hex());
    try (var files = Files.list(staging)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void aTamperedTailAfterAResumeIsRejectedToo() throws IOException {
    rig.server.cutNextAfter = 100_000;
    assertThatThrownBy(() -> fetch(Rig.ONE_ATTEMPT, download)).isInstanceOf(AgentException.class);
    rig.server.tamper = true;

    assertThatThrownBy(() -> fetch(Rig.ONE_ATTEMPT, download))
        .isInstanceOfSatisfying(
            AgentException.class, e -> assertThat(e.failure()).isEqualTo(Failure.VERIFICATION));
    assertThat(Downloader.partFile(staging, base.fileName())).doesNotExist();
  }

  @Test
  void aBusyServerIsAskedAgainAfterRetryAfter() throws IOException {
    rig.server.busyResponses = 1;

    Path file = fetch(Rig.RETRYING, download);

    assertThat(Files.readAllBytes(file)).isEqualTo(Files.readAllBytes(base.file()));
    assertThat(rig.server.contentRequests)
        .extracting(FakeServer.ContentRequest::status)
        .containsExactly(503, 200);
  }

  @Test
  void aQuarantinedLayerIsAServerErrorWithTheProblemText() {
    rig.lineage.setState(0, dev.voi.chain.LayerState.QUARANTINED);

    assertThatThrownBy(() -> fetch(Rig.RETRYING, download))
        .isInstanceOfSatisfying(
            AgentException.class, e -> assertThat(e.failure()).isEqualTo(Failure.SERVER))
        .hasMessageContaining("cannot download " + base.fileName() + ": server answered 410: Gone");
  }

  @Test
  void aSizeThatDiffersFromTheAnswerIsAVerificationFailure() {
    Answer.Download wrongSize =
        new Answer.Download(
            0, 1, base.checksum(), base.fileName(), base.size() + 1, base.sha256(), download.url());

    assertThatThrownBy(() -> fetch(Rig.RETRYING, wrongSize))
        .isInstanceOfSatisfying(
            AgentException.class, e -> assertThat(e.failure()).isEqualTo(Failure.VERIFICATION))
        .hasMessageContaining("the answer announced " + (base.size() + 1));
  }

  @Test
  void aDownloadUrlOnAnotherOriginIsRefused() {
    for (String url : List.of("http://example.invalid/x", "https://127.0.0.1:1/x")) {
      Answer.Download elsewhere =
          new Answer.Download(
              0, 1, base.checksum(), base.fileName(), base.size(), base.sha256(), url);
      assertThatThrownBy(() -> fetch(Rig.RETRYING, elsewhere))
          .isInstanceOfSatisfying(
              AgentException.class, e -> assertThat(e.failure()).isEqualTo(Failure.SERVER))
          .hasMessageContaining("refused");
    }
    assertThat(rig.server.contentRequests).isEmpty();
  }

  @Test
  void aStalledConnectionIsDroppedAndResumed() throws IOException {
    Downloader.Settings impatient =
        new Downloader.Settings(1, Duration.ofSeconds(1), Duration.ofMillis(10), 0);
    rig.server.stallNextAfter = 70_000;

    assertThatThrownBy(() -> fetch(impatient, download))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("no data for 1 s");
    assertThat(Files.size(Downloader.partFile(staging, base.fileName())))
        .isPositive()
        .isLessThanOrEqualTo(70_000);
  }
}
