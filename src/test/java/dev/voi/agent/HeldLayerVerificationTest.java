package dev.voi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.chain.Checksum;
import dev.voi.qcow2.Qemu;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: the agent checks what it holds. A damaged held layer (a flipped data byte, a
 * truncation: the stamp survives both) is not reported as held, so the server's answer downloads it
 * again; the damage goes to the server as FAILED feedback. Also: a download that fails verification
 * is fetched again in the next round.
 */
class HeldLayerVerificationTest {

  @TempDir(factory = ShmTempDir.class)
  Path root;

  Rig rig;
  Lineage lineage;
  Lineage.Layer base;
  Lineage.Layer diff1;
  Lineage.Layer diff2;

  @BeforeEach
  void start() throws IOException {
    rig = new Rig(root);
    lineage = rig.lineage;
    base = lineage.publishBase(1, "write -P 0x11 0 1M");
    diff1 = lineage.publishDiff(2, "write -P 0x22 1M 256k");
    diff2 = lineage.publishDiff(3, "write -P 0x33 2M 256k");
    assertThat(rig.sync()).isZero();
    rig.server.resetCounters();
    rig.server.feedback.clear();
    rig.server.reports.clear();
  }

  @AfterEach
  void stop() {
    rig.close();
  }

  @Test
  void theManifestRecordsSizeSha256AndIdentityOfEveryHeldFile() throws IOException {
    for (Lineage.Layer layer : List.of(base, diff1, diff2)) {
      Manifest.LayerFile file =
          rig.manifest().files().stream()
              .filter(f -> f.name().equals(layer.fileName()))
              .findFirst()
              .orElseThrow();
      Path local = rig.dir.resolve(layer.fileName());
      assertThat(file.integrity().size()).isEqualTo(layer.size());
      assertThat(file.integrity().sha256()).isEqualTo(layer.sha256());
      assertThat(file.integrity().verifiedAs()).isEqualTo(FileIdentity.of(local));
      assertThat(file.integrity().verifiedAs().inode()).isPositive();
    }
  }

  @Test
  void aFlippedDataByteInAHeldLayerIsFoundReportedAndRepaired() throws IOException {
    Path damaged = rig.dir.resolve(diff1.fileName());
    long offset = dataOffset(damaged);
    flipByte(damaged, offset);

    assertThat(rig.sync()).isZero();

    assertThat(rig.err()).contains(diff1.fileName() + ": damaged: its SHA-256 is");
    assertThat(rig.server.reports.get(0)).as("the list stops below the damage").hasSize(1);
    assertThat(rig.server.feedback.get(0).path("state").asText()).isEqualTo("FAILED");
    assertThat(rig.server.feedback.get(0).path("detail").asText())
        .contains("damaged layer file: " + diff1.fileName())
        .contains("SHA-256");
    assertThat(rig.server.feedbackStates()).endsWith("DONE");
    assertThat(rig.out()).contains("up to date after the update");
    assertThat(Checksum.sha256Of(damaged)).isEqualTo(diff1.sha256());
    Qemu.compare(rig.dir.resolve(diff2.fileName()), diff2.file()).assertOk();
    rig.assertAllChecksClean();
  }

  @Test
  void aTruncatedHeldLayerIsFoundByItsSizeAndRepaired() throws IOException {
    Path damaged = rig.dir.resolve(base.fileName());
    try (FileChannel channel = FileChannel.open(damaged, StandardOpenOption.WRITE)) {
      channel.truncate(base.size() / 2);
    }

    assertThat(rig.sync()).isZero();

    assertThat(rig.err())
        .contains(base.fileName() + ": damaged: its size is " + base.size() / 2 + " bytes");
    assertThat(rig.server.reports.get(0)).as("nothing below the damaged base").isEmpty();
    assertThat(rig.server.feedback.get(0).path("detail").asText()).contains("truncated");
    assertThat(Checksum.sha256Of(damaged)).isEqualTo(base.sha256());
    Qemu.compare(rig.dir.resolve(diff2.fileName()), diff2.file()).assertOk();
    rig.assertAllChecksClean();
  }

  @Test
  void anUnchangedIdentityIsTrustedButVerifyComputesEveryChecksum() throws IOException {
    // Damage that keeps the identity (size, times, inode as recorded) is invisible to the cheap
    // check by design; verify and sync --verify compute the SHA-256 regardless.
    Path damaged = rig.dir.resolve(diff2.fileName());
    FileIdentity before = FileIdentity.of(damaged);
    flipByte(damaged, dataOffset(damaged));
    Files.setLastModifiedTime(damaged, FileTime.from(before.mtimeNanos(), NANOS));
    recordIdentity(diff2.fileName(), FileIdentity.of(damaged));

    assertThat(rig.sync()).isZero();
    assertThat(rig.out()).contains("server: STOP").doesNotContain("after the update");

    assertThat(rig.cli("verify", "--image", Rig.IMAGE, "--dir", rig.dir.toString())).isEqualTo(4);
    assertThat(rig.out())
        .contains("ok       " + base.fileName())
        .contains("DAMAGED  " + diff2.fileName() + ": damaged: its SHA-256 is");
    assertThat(rig.err()).startsWith("voi-agent: error: 1 layer file is damaged");

    assertThat(rig.sync(new Sync.Options(false, null, Rig.RETRYING), true)).isZero();
    assertThat(rig.server.reports.get(1)).as("the --verify run reported 2 layers").hasSize(2);
    assertThat(rig.out()).contains("up to date after the update");
    assertThat(Checksum.sha256Of(damaged)).isEqualTo(diff2.sha256());

    assertThat(rig.cli("verify", "--image", Rig.IMAGE, "--dir", rig.dir.toString())).isZero();
    assertThat(rig.out()).contains("verified: 3 files");
  }

  @Test
  void aDownloadThatFailsVerificationIsFetchedAgainInTheNextRound() {
    Lineage.Layer diff3 = lineage.publishDiff(4, "write -P 0x44 3M 64k");
    rig.server.tamperNext.set(2);

    assertThat(rig.sync()).isZero();

    assertThat(rig.err())
        .contains(diff3.fileName() + ": SHA-256 mismatch")
        .contains("fetching it again in round 2 of 5")
        .contains("fetching it again in round 3 of 5");
    assertThat(rig.out()).contains("up to date after the update");
    assertThat(rig.server.contentBytesSent.get()).isEqualTo(3 * diff3.size());
    rig.assertAllChecksClean();
  }

  @Test
  void aDownloadThatFailsInEveryRoundEndsWithExit4AndTheDirectoryUnchanged() {
    lineage.publishDiff(4, "write -P 0x44 3M 64k");
    Map<String, String> before = rig.snapshot();
    rig.server.tamper = true;

    assertThat(rig.sync()).isEqualTo(4);

    assertThat(rig.failure.getMessage())
        .contains("SHA-256 mismatch")
        .contains("the last of " + Sync.MAX_ROUNDS + " rounds");
    assertThat(rig.server.reports).hasSize(Sync.MAX_ROUNDS);
    assertThat(rig.snapshot()).isEqualTo(before);
  }

  private static final java.util.concurrent.TimeUnit NANOS =
      java.util.concurrent.TimeUnit.NANOSECONDS;

  /** Rewrites the manifest's identity record of one file (to simulate identity-keeping damage). */
  private void recordIdentity(String name, FileIdentity identity) throws IOException {
    Manifest manifest = rig.manifest();
    manifest
        .withFiles(
            manifest.files().stream()
                .map(
                    f ->
                        f.name().equals(name)
                            ? f.withIntegrity(
                                new Manifest.Integrity(
                                    f.integrity().size(), f.integrity().sha256(), identity))
                            : f)
                .toList())
        .write(rig.dir);
  }

  /** An offset inside the guest data of a small qcow2 layer: past the header and tables. */
  private static long dataOffset(Path file) throws IOException {
    return Files.size(file) - 1000;
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
      raw.seek(offset);
      int b = raw.read();
      raw.seek(offset);
      raw.write(b ^ 0xff);
    }
  }
}
