package dev.voi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.chain.Checksum;
import dev.voi.chain.LayerState;
import dev.voi.chain.Policy;
import dev.voi.qcow2.Qcow2Header;
import dev.voi.qcow2.Qemu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A terminal's life against the test double of the server, on real qcow2 files: every sync ends in
 * STOP (or WAIT) with the directory holding exactly the server's chain, or fails leaving the
 * directory as it was.
 */
class SyncTest {

  @TempDir(factory = ShmTempDir.class)
  Path root;

  Rig rig;
  Lineage lineage;

  @BeforeEach
  void start() throws IOException {
    rig = new Rig(root);
    lineage = rig.lineage;
  }

  @AfterEach
  void stop() {
    rig.close();
  }

  /** The directory holds exactly the server's chain, by manifest, files and guest content. */
  void assertHoldsServerChain() {
    List<Lineage.Layer> chain = lineage.chain();
    Manifest manifest = rig.manifest();
    assertThat(manifest.checksums())
        .containsExactlyElementsOf(chain.stream().map(Lineage.Layer::checksum).toList());
    Lineage.Layer tip = chain.get(chain.size() - 1);
    assertThat(manifest.tip().orElseThrow().name()).isEqualTo(tip.fileName());
    Qemu.compare(rig.dir.resolve(tip.fileName()), tip.file()).assertOk();
    rig.assertAllChecksClean();
    assertThat(rig.dir.resolve(ImageDirectory.STAGING)).doesNotExist();
  }

  /** The integrity record a downloaded layer must have: the server's size and SHA-256. */
  Manifest.Integrity integrity(Lineage.Layer layer) {
    try {
      Path file = rig.dir.resolve(layer.fileName());
      assertThat(Checksum.sha256Of(file)).isEqualTo(Checksum.sha256Of(layer.file()));
      return new Manifest.Integrity(
          Files.size(layer.file()), Checksum.sha256Of(layer.file()), FileIdentity.of(file));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  List<String> fileNames(Lineage.Layer... layers) {
    return java.util.Arrays.stream(layers).map(Lineage.Layer::fileName).sorted().toList();
  }

  @Test
  void anEmptyDirectoryGetsEverythingThenStop() {
    Lineage.Layer base = lineage.publishBase(1, "write -P 0x11 0 1M");
    Lineage.Layer diff = lineage.publishDiff(2, "write -P 0x22 1M 256k");

    assertThat(rig.sync()).isZero();

    assertThat(rig.out()).contains("server: FULL (NO_LOCAL_CHAIN").contains("up to date after");
    assertThat(rig.qcow2Files()).isEqualTo(fileNames(base, diff));
    assertHoldsServerChain();
    assertThat(rig.manifest().files())
        .containsExactly(
            new Manifest.LayerFile(base.fileName(), 0, 0, integrity(base)),
            new Manifest.LayerFile(diff.fileName(), 1, 1, integrity(diff)));
    assertThat(rig.server.reports).hasSize(2);
    assertThat(rig.server.reports.get(1)).hasSize(2);
    assertThat(rig.server.strategyStatuses).containsExactly(304);
    assertThat(rig.server.contentBytesSent.get()).isEqualTo(base.size() + diff.size());
    List<String> states = rig.server.feedbackStates();
    assertThat(states.get(0)).isEqualTo("DOWNLOADING");
    assertThat(states).endsWith("APPLYING", "DONE");
  }

  @Test
  void aNewDiffIsIncrementalAndOnlyItCrossesTheWire() {
    lineage.publishBase(1, "write -P 0x11 0 1M");
    lineage.publishDiff(2, "write -P 0x22 1M 256k");
    assertThat(rig.sync()).isZero();
    rig.server.resetCounters();

    Lineage.Layer diff2 = lineage.publishDiff(3, "write -P 0x33 2M 128k");
    assertThat(rig.sync()).isZero();

    assertThat(rig.out()).contains("server: INCREMENTAL (ONE_BEHIND");
    assertThat(rig.server.contentBytesSent.get()).isEqualTo(diff2.size());
    assertThat(rig.server.contentRequests)
        .singleElement()
        .satisfies(r -> assertThat(r.checksum()).isEqualTo(diff2.checksum().hex()));
    assertHoldsServerChain();
  }

  @Test
  void threeNewDiffsAreFullUnderThePatentKeepingTheBase() {
    Lineage.Layer base = lineage.publishBase(1, "write -P 0x11 0 1M");
    lineage.publishDiff(2, "write -P 0x22 1M 64k");
    assertThat(rig.sync()).isZero();
    rig.server.resetCounters();
    lineage.publishDiff(3, "write -P 0x33 1M 64k");
    lineage.publishDiff(4, "write -P 0x44 2M 64k");
    lineage.publishDiff(5, "write -P 0x55 3M 64k");

    assertThat(rig.sync()).isZero();

    assertThat(rig.out()).contains("server: FULL (BEHIND, policy patent): keep 1");
    long expected = lineage.chain().stream().skip(1).mapToLong(Lineage.Layer::size).sum();
    assertThat(rig.server.contentBytesSent.get()).isEqualTo(expected);
    assertThat(rig.server.contentRequests)
        .noneMatch(r -> r.checksum().equals(base.checksum().hex()));
    assertHoldsServerChain();
    assertThat(rig.qcow2Files()).hasSize(5);
  }

  @Test
  void threeNewDiffsAreIncrementalUnderCatchUp() {
    lineage.publishBase(1, "write -P 0x11 0 1M");
    lineage.publishDiff(2, "write -P 0x22 1M 64k");
    assertThat(rig.sync()).isZero();
    rig.server.resetCounters();
    rig.server.policy = Policy.CATCH_UP;
    lineage.publishDiff(3, "write -P 0x33 1M 64k");
    lineage.publishDiff(4, "write -P 0x44 2M 64k");
    lineage.publishDiff(5, "write -P 0x55 3M 64k");

    assertThat(rig.sync()).isZero();

    assertThat(rig.out()).contains("server: INCREMENTAL (BEHIND, policy catch-up): keep 2");
    long expected = lineage.chain().stream().skip(2).mapToLong(Lineage.Layer::size).sum();
    assertThat(rig.server.contentBytesSent.get()).isEqualTo(expected);
    assertHoldsServerChain();
  }

  @Test
  void anImageRebuiltWithTheSameVersionNumbersIsDivergedAndReplaced() {
    Lineage.Layer oldBase = lineage.publishBase(1, "write -P 0x11 0 1M");
    Lineage.Layer oldDiff = lineage.publishDiff(2, "write -P 0x22 1M 64k");
    assertThat(rig.sync()).isZero();
    rig.server.resetCounters();

    Lineage.Layer newBase = lineage.publishBase(1, "write -P 0x66 0 1M");
    Lineage.Layer newDiff = lineage.publishDiff(2, "write -P 0x77 1M 64k");
    assertThat(newBase.checksum()).isNotEqualTo(oldBase.checksum());

    assertThat(rig.sync()).isZero();

    assertThat(rig.out()).contains("server: FULL (DIVERGED, policy patent, diverged at depth 0)");
    assertThat(rig.server.contentBytesSent.get()).isEqualTo(newBase.size() + newDiff.size());
    assertThat(rig.qcow2Files()).isEqualTo(fileNames(newBase, newDiff));
    assertThat(rig.dir.resolve(oldDiff.fileName())).doesNotExist();
    assertHoldsServerChain();
  }

  @Test
  void aTamperedDownloadIsRejectedAndTheDirectoryIsUnchanged() {
    lineage.publishBase(1, "write -P 0x11 0 1M");
    assertThat(rig.sync()).isZero();
    lineage.publishDiff(2, "write -P 0x22 1M 64k");
    Map<String, String> before = rig.snapshot();
    rig.server.tamper = true;

    assertThat(rig.sync()).isEqualTo(4);

    assertThat(rig.failure.getMessage()).contains("SHA-256 mismatch");
    assertThat(rig.snapshot()).isEqualTo(before);
    assertThat(rig.server.feedbackStates()).contains("FAILED");
    assertThat(rig.server.feedback.get(rig.server.feedback.size() - 1).path("detail").asText())
        .contains("SHA-256 mismatch");

    rig.server.tamper = false;
    assertThat(rig.sync()).isZero();
    assertHoldsServerChain();
  }

  @Test
  void aLayerWithTheWrongStampIsRejected() throws IOException {
    lineage.publishBase(1, "write -P 0x11 0 1M");
    lineage.publishDiff(2, "write -P 0x22 1M 64k");
    // The server's file carries another layer's stamp (a mix-up on the server): SHA-256 matches
    // the answer, the stamp does not.
    lineage.restamp(1, new dev.voi.chain.StampRecord(Checksum.sha256("other"), 2, 1));

    assertThat(rig.sync()).isEqualTo(4);

    assertThat(rig.failure.getMessage()).contains("the stamp is depth 1 version 2");
    assertThat(rig.qcow2Files()).isEmpty();
  }

  @Test
  void anInterruptedDownloadLeavesTheDirectoryUnchangedAndTheNextRunResumes() throws IOException {
    lineage.publishBase(1, "write -P 0x11 0 1M");
    assertThat(rig.sync()).isZero();
    Lineage.Layer diff = lineage.publishDiff(2, "write -P 0x22 1M 1M");
    Map<String, String> before = rig.snapshot();
    rig.server.resetCounters();
    rig.server.cutNextAfter = diff.size() / 2;

    assertThat(rig.sync(Rig.ONE_ATTEMPT, false, null)).isEqualTo(3);

    assertThat(rig.snapshot()).isEqualTo(before);
    assertThat(rig.server.resetCounters()).isEqualTo(diff.size() / 2);
    // What reached the disk before the connection broke (at most what the server wrote).
    long have =
        Files.size(Downloader.partFile(rig.dir.resolve(ImageDirectory.STAGING), diff.fileName()));
    assertThat(have).isPositive().isLessThanOrEqualTo(diff.size() / 2);

    assertThat(rig.sync(Rig.ONE_ATTEMPT, false, null)).isZero();

    assertThat(rig.server.contentBytesSent.get()).isEqualTo(diff.size() - have);
    assertThat(rig.server.contentRequests.get(0).range()).isEqualTo("bytes=" + have + "-");
    assertHoldsServerChain();
  }

  @Test
  void aPublishDuringTheDownloadRestartsTheRoundAndNothingHalfWayIsApplied() {
    lineage.publishBase(1, "write -P 0x11 0 1M");
    assertThat(rig.sync()).isZero();
    Lineage.Layer diff1 = lineage.publishDiff(2, "write -P 0x22 1M 64k");
    rig.server.resetCounters();
    AtomicBoolean published = new AtomicBoolean();
    rig.server.onContentRequest =
        checksum -> {
          if (published.compareAndSet(false, true)) {
            lineage.publishDiff(3, "write -P 0x33 2M 64k");
          }
        };

    assertThat(rig.sync()).isZero();

    assertThat(rig.server.strategyStatuses).containsExactly(200, 304);
    assertThat(rig.err()).contains("answer changed while downloading");
    assertThat(rig.server.contentRequests)
        .filteredOn(r -> r.checksum().equals(diff1.checksum().hex()))
        .hasSize(1);
    assertHoldsServerChain();
    assertThat(rig.manifest().layers()).hasSize(3);
  }

  @Test
  void withoutAnEtagTheAnswersAreCompared() {
    lineage.publishBase(1, "write -P 0x11 0 1M");
    rig.server.answerEtags = false;

    assertThat(rig.sync()).isZero();

    assertThat(rig.server.strategyStatuses).containsExactly(200);
    assertHoldsServerChain();
  }

  @Test
  void aQuarantinedLayerMeansWaitAndNothingChanges() {
    lineage.publishBase(1, "write -P 0x11 0 1M");
    assertThat(rig.sync()).isZero();
    lineage.publishDiff(2, "write -P 0x22 1M 64k");
    lineage.setState(1, LayerState.QUARANTINED);
    Map<String, String> before = rig.snapshot();
    rig.server.resetCounters();

    assertThat(rig.sync()).isZero();

    assertThat(rig.out())
        .contains("server: WAIT (LAYER_QUARANTINED")
        .contains("poll again in 60 s");
    assertThat(rig.snapshot()).isEqualTo(before);
    assertThat(rig.server.contentRequests).isEmpty();
  }

  @Test
  void outsideTheMaintenanceWindowItWaitsSaysWhenTheWindowOpensAndChangesNothing() {
    lineage.publishBase(1, "write -P 0x11 0 1M");
    assertThat(rig.sync()).isZero();
    lineage.publishDiff(2, "write -P 0x22 1M 64k");
    rig.server.windowOpensAt = "2026-12-07T14:00:00Z";
    Map<String, String> before = rig.snapshot();
    rig.server.resetCounters();

    assertThat(rig.sync()).isZero();

    assertThat(rig.out())
        .contains("server: WAIT (OUTSIDE_WINDOW")
        .contains("outside the maintenance window; it opens at 2026-12-07T14:00:00Z");
    assertThat(rig.snapshot()).isEqualTo(before);
    assertThat(rig.server.contentRequests).isEmpty();

    rig.server.windowOpensAt = null; // the window opened
    assertThat(rig.sync()).isZero();
    assertHoldsServerChain();
  }

  @Test
  void theBootOverlaySitsOnTheTipAndIsNeverReported() throws IOException {
    lineage.publishBase(1, "write -P 0x11 0 1M");
    Lineage.Layer diff = lineage.publishDiff(2, "write -P 0x22 1M 64k");

    assertThat(rig.sync(Rig.RETRYING, false, "boot.qcow2")).isZero();

    Path overlay = rig.dir.resolve("boot.qcow2");
    assertThat(Qcow2Header.read(overlay).backingFile()).contains(diff.fileName());
    Qemu.io(overlay, "write -P 0x99 3M 64k").assertOk();
    assertThat(rig.server.reports.get(1)).hasSize(2);
    assertThat(rig.manifest().fileNames()).doesNotContain("boot.qcow2");

    Lineage.Layer diff2 = lineage.publishDiff(3, "write -P 0x33 2M 64k");
    assertThat(rig.sync(Rig.RETRYING, false, "boot.qcow2")).isZero();

    assertThat(Qcow2Header.read(overlay).backingFile()).contains(diff2.fileName());
    Qemu.compare(overlay, diff2.file()).assertOk();
    assertHoldsServerChain();
  }

  @Test
  void aBootOverlayNamedLikeALayerIsRefused() {
    Lineage.Layer base = lineage.publishBase(1, "write -P 0x11 0 1M");
    assertThat(rig.sync()).isZero();
    Map<String, String> before = rig.snapshot();

    assertThat(rig.sync(Rig.RETRYING, false, base.fileName())).isEqualTo(1);

    assertThat(rig.failure.getMessage()).contains("is a layer file of the chain");
    assertThat(rig.snapshot()).isEqualTo(before);
  }

  @Test
  void aDirectoryFilledByHandIsAdoptedFromTheStamps() throws IOException {
    Lineage.Layer base = lineage.publishBase(1, "write -P 0x11 0 1M");
    Lineage.Layer diff = lineage.publishDiff(2, "write -P 0x22 1M 64k");
    Files.createDirectories(rig.dir);
    Files.copy(base.file(), rig.dir.resolve(base.fileName()));
    Files.copy(diff.file(), rig.dir.resolve(diff.fileName()));

    assertThat(rig.sync()).isZero();

    assertThat(rig.out()).contains("server: STOP (UP_TO_DATE");
    assertThat(rig.server.contentRequests).isEmpty();
    assertThat(rig.err()).contains("wrote the manifest from the stamps of 2 files");
    assertHoldsServerChain();
  }

  @Test
  void retiredLayersAreDroppedWhenTheServerIsBehind() {
    lineage.publishBase(1, "write -P 0x11 0 1M");
    Lineage.Layer diff = lineage.publishDiff(2, "write -P 0x22 1M 64k");
    Lineage.Layer retired = lineage.publishDiff(3, "write -P 0x33 2M 64k");
    assertThat(rig.sync()).isZero();
    lineage.retireTip();
    rig.server.policy = Policy.CATCH_UP;
    rig.server.resetCounters();

    assertThat(rig.sync()).isZero();

    assertThat(rig.out()).contains("server: INCREMENTAL (AHEAD");
    assertThat(rig.server.contentRequests).isEmpty();
    assertThat(rig.dir.resolve(retired.fileName())).doesNotExist();
    assertThat(rig.manifest().tip().orElseThrow().name()).isEqualTo(diff.fileName());
    assertHoldsServerChain();
  }

  @Test
  void flattenMergesTheChainAndLaterUpdatesStillApply() throws IOException {
    Lineage.Layer base = lineage.publishBase(1, "write -P 0x11 0 1M");
    lineage.publishDiff(2, "write -P 0x22 1M 64k");
    Lineage.Layer diff2 = lineage.publishDiff(3, "write -P 0x33 512k 64k");

    assertThat(rig.sync(Rig.RETRYING, true, "boot.qcow2")).isZero();

    assertThat(rig.qcow2Files()).containsExactly("boot.qcow2", diff2.fileName());
    Manifest manifest = rig.manifest();
    assertThat(manifest.files())
        .extracting(Manifest.LayerFile::name, Manifest.LayerFile::from, Manifest.LayerFile::to)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(diff2.fileName(), 0, 2));
    assertThat(manifest.files().get(0).integrity().sha256())
        .isEqualTo(Checksum.sha256Of(rig.dir.resolve(diff2.fileName())));
    assertThat(manifest.checksums()).hasSize(3);
    assertThat(Qcow2Header.read(rig.dir.resolve(diff2.fileName())).hasBackingFile()).isFalse();
    Qemu.compare(rig.dir.resolve(diff2.fileName()), diff2.file()).assertOk();
    Qemu.compare(rig.dir.resolve("boot.qcow2"), diff2.file()).assertOk();
    rig.assertAllChecksClean();

    // Reported from the manifest, the merged file still stands for three layers: STOP.
    rig.server.resetCounters();
    assertThat(rig.sync()).isZero();
    assertThat(rig.out()).contains("server: STOP (UP_TO_DATE");
    assertThat(rig.server.reports.get(0)).hasSize(3);

    // A new diff goes on top of the merged file.
    Lineage.Layer diff3 = lineage.publishDiff(4, "write -P 0x44 2M 64k");
    assertThat(rig.sync(Rig.RETRYING, false, "boot.qcow2")).isZero();
    assertThat(rig.out()).contains("server: INCREMENTAL (ONE_BEHIND");
    assertThat(rig.server.contentBytesSent.get()).isEqualTo(diff3.size());
    assertHoldsServerChain();
    Qemu.compare(rig.dir.resolve("boot.qcow2"), diff3.file()).assertOk();

    // Two more: under the patent FULL keeps only the base, which the merged file holds as a
    // whole, so the agent asks again reporting nothing and downloads everything.
    lineage.publishDiff(5, "write -P 0x55 3M 64k");
    lineage.publishDiff(6, "write -P 0x66 3M 64k");
    rig.server.resetCounters();
    assertThat(rig.sync(Rig.RETRYING, false, "boot.qcow2")).isZero();
    assertThat(rig.err()).contains("merges layers 0..2 and goes as a whole");
    assertThat(rig.server.reports.get(1)).isEmpty();
    assertThat(rig.server.contentRequests)
        .anyMatch(r -> r.checksum().equals(base.checksum().hex()));
    assertHoldsServerChain();
    assertThat(rig.manifest().files()).allMatch(f -> !f.isMerged());
    assertThat(rig.qcow2Files()).hasSize(lineage.chain().size() + 1);
  }

  @Test
  void anotherAgentInTheSameDirectoryIsRefused() throws IOException {
    lineage.publishBase(1, "write -P 0x11 0 1M");
    Files.createDirectories(rig.dir);
    try (var channel =
            java.nio.channels.FileChannel.open(
                rig.dir.resolve(Sync.LOCK_FILE),
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
        var lock = channel.lock()) {
      assertThat(lock.isValid()).isTrue();
      assertThat(rig.sync()).isEqualTo(5);
      assertThat(rig.failure.getMessage()).contains("another voi-agent is working in");
    }
  }
}
