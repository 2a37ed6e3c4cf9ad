package dev.voi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.chain.Checksum;
import dev.voi.qcow2.Qcow2Header;
import dev.voi.qcow2.Qemu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: a DIR the agent cannot recognise is refused (and nothing is reported), and the boot
 * overlay is safe: never replaced while a QEMU process holds it, replaced only when the tip moved
 * (the old one kept as NAME.prev until the next successful sync), and never silently left on an old
 * chain.
 */
class DirectoryAndOverlayTest {

  static final String OVERLAY = "boot.qcow2";

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

  Sync.Options plain() {
    return new Sync.Options(false, null, Rig.RETRYING);
  }

  Sync.Options withOverlay() {
    return new Sync.Options(false, OVERLAY, Rig.RETRYING);
  }

  @Test
  void aMissingDirIsRefusedUnlessInitAndNothingIsReported() {
    lineage.publishBase(1, "write -P 0x11 0 1M");

    assertThat(rig.sync(plain(), false)).isEqualTo(1);
    assertThat(rig.failure.getMessage())
        .contains("--dir: " + rig.dir + " does not exist (a typo?)")
        .contains("run sync with --init");
    assertThat(rig.dir).doesNotExist();

    assertThat(rig.cli(rig.serverArgs("status"))).isEqualTo(1);
    assertThat(rig.err().lines())
        .singleElement()
        .satisfies(l -> assertThat(l).startsWith("voi-agent: error: --dir: "));
    assertThat(rig.server.reports).as("a typo never reaches the server").isEmpty();
    assertThat(rig.server.feedback).isEmpty();

    assertThat(rig.cli(rig.serverArgs("sync", "--init"))).isZero();
    assertThat(rig.manifest().checksums()).hasSize(1);
  }

  @Test
  void aNonEmptyDirWithoutManifestIsRefusedUnlessInit() throws IOException {
    Lineage.Layer base = lineage.publishBase(1, "write -P 0x11 0 1M");
    Files.createDirectories(rig.dir);
    Files.writeString(rig.dir.resolve("notes.txt"), "someone's files\n");

    assertThat(rig.cli(rig.serverArgs("status"))).isEqualTo(1);
    assertThat(rig.err()).contains("holds files but no voi-manifest.json");
    assertThat(rig.cli(rig.serverArgs("sync"))).isEqualTo(1);
    assertThat(rig.cli("verify", "--image", Rig.IMAGE, "--dir", rig.dir.toString())).isEqualTo(1);
    assertThat(rig.server.reports).isEmpty();
    assertThat(rig.qcow2Files()).isEmpty();

    Files.copy(base.file(), rig.dir.resolve(base.fileName()));
    assertThat(rig.cli(rig.serverArgs("sync", "--init"))).isZero();
    assertThat(rig.out()).contains("server: STOP (UP_TO_DATE");
    assertThat(rig.manifest().files().get(0).integrity().sha256()).isEqualTo(base.sha256());
  }

  @Test
  void anEmptyDirOrAnUnfinishedFirstSyncNeedsNoInit() throws IOException {
    lineage.publishBase(1, "write -P 0x11 0 1M");
    Files.createDirectories(rig.dir.resolve(ImageDirectory.STAGING));
    Files.writeString(rig.dir.resolve(Sync.LOCK_FILE), "");

    assertThat(rig.sync(plain(), false)).isZero();
    assertThat(rig.out()).contains("up to date after the update");
  }

  @Test
  void anOverlayHeldByQemuIsNeverReplaced() throws Exception {
    lineage.publishBase(1, "write -P 0x11 0 1M");
    assertThat(rig.sync(withOverlay().withInit(), false)).isZero();
    Path overlay = rig.dir.resolve(OVERLAY);
    assertThat(rig.manifest().bootOverlay()).isEqualTo(OVERLAY);
    Lineage.Layer diff = lineage.publishDiff(2, "write -P 0x22 1M 64k");
    Map<String, String> before = rig.snapshot();

    Process guest = holdOpen(overlay);
    try {
      assertThat(rig.sync(withOverlay(), false)).isEqualTo(5);
      assertThat(rig.failure.getMessage())
          .contains("the boot overlay boot.qcow2 is open in another process")
          .contains("the verified downloads are kept in .staging");
      assertThat(rig.snapshot()).as("nothing changed while the guest runs").isEqualTo(before);
      assertThat(rig.dir.resolve(ImageDirectory.STAGING).resolve(diff.fileName())).exists();
    } finally {
      guest.getOutputStream().close();
      assertThat(guest.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(QemuLock.isHeld(overlay)).isFalse();

    rig.server.resetCounters();
    assertThat(rig.sync(withOverlay(), false)).isZero();
    assertThat(rig.server.contentBytesSent.get()).as("the staged download was reused").isZero();
    assertThat(rig.err())
        .contains("replacing the boot overlay boot.qcow2")
        .contains("no longer the tip " + diff.fileName())
        .contains("kept as boot.qcow2.prev");
    assertThat(Qcow2Header.read(overlay).backingFile()).contains(diff.fileName());
    Path previous = rig.dir.resolve("boot.qcow2.prev");
    assertThat(Checksum.sha256Of(previous).hex()).isEqualTo(before.get(OVERLAY));
    Qemu.check(previous).assertOk();

    assertThat(rig.sync(withOverlay(), false)).isZero();
    assertThat(previous).as("deleted by the next successful sync").doesNotExist();
    assertThat(rig.qcow2Files())
        .containsExactlyInAnyOrder(
            OVERLAY, lineage.tip().fileName(), lineage.chain().get(0).fileName());
  }

  @Test
  void aSyncWithoutBootOverlayThatLeavesTheRecordedOverlayOnAnOldChainSaysSo() throws Exception {
    Lineage.Layer base = lineage.publishBase(1, "write -P 0x11 0 1M");
    assertThat(rig.sync(withOverlay().withInit(), false)).isZero();
    Lineage.Layer diff = lineage.publishDiff(2, "write -P 0x22 1M 64k");

    assertThat(rig.sync(plain(), false)).isEqualTo(6);
    assertThat(rig.failure.getMessage())
        .contains("the boot overlay boot.qcow2 still sits on " + base.fileName())
        .contains("not on the tip " + diff.fileName())
        .contains("--leave-overlay");
    assertThat(rig.out()).doesNotContain("up to date after the update");
    assertThat(rig.manifest().tip().orElseThrow().name()).isEqualTo(diff.fileName());
    assertThat(rig.dir.resolve(base.fileName())).as("the overlay still needs it").exists();

    assertThat(rig.sync(new Sync.Options(false, null, Rig.RETRYING, false, true), false)).isZero();
    assertThat(rig.err()).contains("left as it is: --leave-overlay");

    assertThat(rig.sync(withOverlay(), false)).isZero();
    assertThat(Qcow2Header.read(rig.dir.resolve(OVERLAY)).backingFile()).contains(diff.fileName());
    assertThat(rig.sync(plain(), false)).isZero();
  }

  @Test
  void qemuLockIsSeenOnlyWhileQemuHoldsTheFile() throws Exception {
    Path image = root.resolve("probe.qcow2");
    Qemu.create(image, "4M", "");
    assertThat(QemuLock.isHeld(image)).isFalse();
    Process holder = holdOpen(image);
    try {
      assertThat(QemuLock.isHeld(image)).isTrue();
    } finally {
      holder.getOutputStream().close();
      assertThat(holder.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(QemuLock.isHeld(image)).isFalse();
  }

  /** Starts {@code qemu-io} on {@code file} (as a guest would hold it) and waits for its lock. */
  static Process holdOpen(Path file) throws Exception {
    Process process =
        new ProcessBuilder("qemu-io", "-f", "qcow2", file.toString())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!QemuLock.isHeld(file)) {
      assertThat(process.isAlive()).as("qemu-io is running").isTrue();
      assertThat(System.nanoTime()).as("qemu-io took its lock").isLessThan(deadline);
      Thread.sleep(20);
    }
    return process;
  }
}
