package dev.voi.qcow2;

import static dev.voi.qcow2.Fixtures.FIRST;
import static dev.voi.qcow2.Fixtures.SECOND;
import static dev.voi.qcow2.Fixtures.THIRD;
import static dev.voi.qcow2.Fixtures.assertRefusedUnchanged;
import static dev.voi.qcow2.Fixtures.assertStampsCleanly;
import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.chain.StampRecord;
import dev.voi.qcow2.Qcow2FormatException.Kind;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stamp extension survives what QEMU does to published files; the 3072 record may not, which is
 * why the extension exists (docs/design.md §3).
 */
class StampSurvivalTest {

  @TempDir(factory = TmpfsTempDir.class)
  Path dir;

  @Test
  void survivesAnUnsafeRebase() throws IOException {
    Qemu.create(dir.resolve("base.qcow2"), "16M", "");
    Qemu.create(dir.resolve("other.qcow2"), "16M", "");
    Path overlay = Qemu.overlay(dir.resolve("overlay.qcow2"), "base.qcow2", "");
    Qemu.io(overlay, "write -P 0xcd 0 64k").assertOk();
    Qcow2Editor.stamp(overlay, SECOND);

    Qemu.img(dir, "rebase", "-u", "-b", "other.qcow2", "-F", "qcow2", "overlay.qcow2").assertOk();

    assertSurvived(overlay, SECOND, StampState.EXTENSION_ONLY);
    assertThat(Qcow2Header.read(overlay).backingFile()).contains("other.qcow2");
    assertStampsCleanly(overlay, THIRD);
    Qemu.io(overlay, "read -P 0xcd 0 64k").assertOk();
  }

  @Test
  void survivesAnAmendFromVersion2To3() throws IOException {
    Path file = Qemu.create(dir.resolve("v2.qcow2"), "16M", "compat=0.10");
    Qemu.io(file, "write -P 0xab 0 64k").assertOk();
    Qcow2Editor.stamp(file, FIRST);

    Qemu.img(dir, "amend", "-o", "compat=1.1", "v2.qcow2").assertOk();

    assertThat(Qcow2Header.read(file).version()).isEqualTo(3);
    assertSurvived(file, FIRST, StampState.EXTENSION_ONLY);
    Qemu.io(file, "read -P 0xab 0 64k").assertOk();
  }

  @Test
  void survivesLazyRefcountsOnAndOffButIsNotRewrittenWhileOn() throws IOException {
    Path file = Qemu.create(dir.resolve("lazy.qcow2"), "16M", "");
    Qcow2Editor.stamp(file, FIRST);

    Qemu.img(dir, "amend", "-o", "lazy_refcounts=on", "lazy.qcow2").assertOk();
    assertSurvived(file, FIRST);
    assertRefusedUnchanged(
        file, Kind.REFUSED, "compatible_features", () -> Qcow2Editor.stamp(file, SECOND));

    Qemu.img(dir, "amend", "-o", "lazy_refcounts=off", "lazy.qcow2").assertOk();
    assertSurvived(file, FIRST);
    assertStampsCleanly(file, SECOND);
  }

  @Test
  void survivesACommitOfAnOverlayIntoAStampedBase() throws IOException {
    Path base = Qemu.create(dir.resolve("base.qcow2"), "16M", "");
    Qemu.io(base, "write -P 0xab 0 1M").assertOk();
    Path overlay = Qemu.overlay(dir.resolve("overlay.qcow2"), "base.qcow2", "");
    Qemu.io(overlay, "write -P 0xcd 1M 1M").assertOk();
    Qcow2Editor.stamp(base, FIRST);
    Qcow2Editor.stamp(overlay, SECOND);

    Qemu.img(dir, "commit", "-q", "overlay.qcow2").assertOk();

    assertSurvived(base, FIRST, StampState.STAMPED);
    assertSurvived(overlay, SECOND, StampState.EXTENSION_ONLY);
    Qemu.io(base, "read -P 0xab 0 1M", "read -P 0xcd 1M 1M").assertOk();
  }

  @Test
  void survivesResizeSnapshotsAndBitmapsAndIsRewrittenAroundThem() throws IOException {
    Path file = Qemu.create(dir.resolve("busy.qcow2"), "16M", "");
    Qemu.io(file, "write -P 0xab 0 64k").assertOk();
    Qcow2Editor.stamp(file, FIRST);

    Qemu.img(dir, "resize", "-q", "busy.qcow2", "32M").assertOk();
    assertSurvived(file, FIRST);
    Qemu.img(dir, "snapshot", "-c", "before-update", "busy.qcow2").assertOk();
    assertSurvived(file, FIRST);
    Qemu.img(dir, "bitmap", "--add", "busy.qcow2", "b0").assertOk();
    assertSurvived(file, FIRST);

    Qcow2Header header = Qcow2Header.read(file);
    assertThat(header.nbSnapshots()).isEqualTo(1);
    assertThat(header.extension(HeaderExtension.BITMAPS)).isPresent();
    assertStampsCleanly(file, SECOND);
    String info = Qemu.infoJson(file);
    assertThat(info).contains("\"before-update\"").contains("\"b0\"");
    Qemu.io(file, "read -P 0xab 0 64k").assertOk();
  }

  private static void assertSurvived(Path file, StampRecord record) throws IOException {
    assertSurvived(file, record, StampState.STAMPED, StampState.EXTENSION_ONLY);
  }

  /**
   * The stamp is still read, from the extension; where QEMU rewrote the header it zeroed the 3072
   * copy ({@code EXTENSION_ONLY}, as measured with qemu-img 7.2).
   */
  private static void assertSurvived(Path file, StampRecord record, StampState... states)
      throws IOException {
    Qemu.check(file).assertOk();
    Qcow2Header header = Qcow2Header.read(file);
    HeaderExtension extension = header.extension(HeaderExtension.VOI_STAMP).orElseThrow();
    assertThat(extension.data()).isEqualTo(record.encode());
    Qcow2Stamp stamp = Qcow2Editor.readStamp(file);
    assertThat(stamp.state()).isIn((Object[]) states);
    assertThat(stamp.record()).contains(record);
  }
}
