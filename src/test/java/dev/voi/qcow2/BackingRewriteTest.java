package dev.voi.qcow2;

import static dev.voi.qcow2.Fixtures.FIRST;
import static dev.voi.qcow2.Fixtures.SECOND;
import static dev.voi.qcow2.Fixtures.assertRefusedUnchanged;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.voi.qcow2.Qcow2FormatException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Publishing a diff: its backing file becomes the parent's bare canonical name (docs/design.md §4).
 */
class BackingRewriteTest {

  private static final String PARENT = "win10-lab-0000-64d1bc0c.qcow2";

  @TempDir(factory = TmpfsTempDir.class)
  Path dir;

  @ParameterizedTest(name = "compat {0}")
  @ValueSource(strings = {"0.10", "1.1"})
  void rewritesTheBackingFileAndStampsInOneWrite(String compat) throws IOException {
    Path overlay = overlayOnAdminsBase("compat=" + compat);
    Path pristine = Files.copy(overlay, dir.resolve("pristine.qcow2"));
    long length = Files.size(overlay);

    Qcow2Header header = Qcow2Editor.publish(overlay, PARENT, SECOND);

    assertThat(header.backingFile()).contains(PARENT);
    assertThat(header.backingFormat()).contains("qcow2");
    assertThat(Files.size(overlay)).isEqualTo(length);
    assertThat(Qcow2Editor.readStamp(overlay).record()).contains(SECOND);
    String info = Qemu.infoJson(overlay);
    assertThat(info)
        .contains("\"backing-filename\": \"" + PARENT + "\"")
        .contains("\"backing-filename-format\": \"qcow2\"");
    Qemu.check(overlay).assertOk();
    Qemu.compare(pristine, overlay).assertOk();
    Files.delete(dir.resolve("admins-base.qcow2"));
    assertThat(Qemu.img(dir, "info", "--backing-chain", "overlay.qcow2").assertOk().stdout())
        .contains("image: " + PARENT);
    Qemu.io(overlay, "read -P 0xab 0 1M", "read -P 0xcd 1M 1M").assertOk();
  }

  @ParameterizedTest(name = "compat {0}")
  @ValueSource(strings = {"0.10", "1.1"})
  void publishedHeaderIsExactlyWhatPublishWrites(String compat) throws IOException {
    Path overlay = overlayOnAdminsBase("compat=" + compat);
    byte[] before = Files.readAllBytes(overlay);
    byte[] predicted =
        Qcow2Editor.publishedHeader(
            Arrays.copyOf(before, 64 * 1024), before.length, PARENT, SECOND);
    assertThat(predicted).hasSize(Qcow2Editor.headerWriteLength());

    Qcow2Editor.publish(overlay, PARENT, SECOND);

    byte[] after = Files.readAllBytes(overlay);
    assertThat(Arrays.copyOf(after, predicted.length)).isEqualTo(predicted);
    assertThat(Arrays.copyOfRange(after, predicted.length, after.length))
        .isEqualTo(Arrays.copyOfRange(before, predicted.length, before.length));
    assertThat(Qcow2Editor.publishedHeader(Arrays.copyOf(before, 64 * 1024), -1, PARENT, FIRST))
        .as("another record, another header")
        .isNotEqualTo(predicted);
  }

  @Test
  void addsTheBackingFormatWhenTheOverlayHasNone() throws IOException {
    Path overlay = overlayOnAdminsBase("");
    byte[] header = RawHeader.firstBytes(overlay, 4096);
    int format = RawHeader.findExtension(header, HeaderExtension.BACKING_FORMAT);
    RawHeader.writeAt(overlay, 0, RawHeader.rebuilt(header, new byte[0], format));
    assertThat(Qcow2Header.read(overlay).backingFormat()).isEmpty();

    Qcow2Editor.publish(overlay, PARENT, SECOND);

    Qcow2Header rewritten = Qcow2Header.read(overlay);
    assertThat(rewritten.backingFormat()).contains("qcow2");
    assertThat(rewritten.extensions().get(rewritten.extensions().size() - 1).type())
        .isEqualTo(HeaderExtension.VOI_STAMP);
    Qemu.check(overlay).assertOk();
    Qemu.io(overlay, "read -P 0xab 0 1M", "read -P 0xcd 1M 1M").assertOk();
  }

  @Test
  void publishUnforcedWritesExactlyWhatPublishWrites() throws IOException {
    Path overlay = overlayOnAdminsBase("");
    Path twin = Files.copy(overlay, dir.resolve("twin.qcow2"));

    Qcow2Header forced = Qcow2Editor.publish(overlay, PARENT, SECOND);
    Qcow2Header unforced = Qcow2Editor.publishUnforced(twin, PARENT, SECOND);

    assertThat(unforced).isEqualTo(forced);
    assertThat(Files.readAllBytes(twin)).isEqualTo(Files.readAllBytes(overlay));
    Qemu.check(twin).assertOk();
  }

  @Test
  void aLongBackingNameIsReplacedByAShortOneWithoutLeftovers() throws IOException {
    Path overlay = overlayOnAdminsBase("");
    Path deep = dir.resolve("a".repeat(200)).resolve("b".repeat(200));
    Files.createDirectories(deep);
    String longName = dir.relativize(deep).resolve(PARENT).toString();
    Files.copy(dir.resolve(PARENT), deep.resolve(PARENT));
    Qemu.img(dir, "rebase", "-u", "-b", longName, "-F", "qcow2", "overlay.qcow2").assertOk();
    int oldEnd = Qcow2Header.read(overlay).layoutEnd();

    Qcow2Header header = Qcow2Editor.publish(overlay, PARENT, SECOND);

    byte[] bytes = RawHeader.firstBytes(overlay, 4096);
    assertThat(Arrays.copyOfRange(bytes, header.layoutEnd(), oldEnd)).containsOnly(0);
    Qemu.check(overlay).assertOk();
    Qemu.io(overlay, "read -P 0xab 0 1M").assertOk();
  }

  @Test
  void refusesToGiveABaseABackingFile() throws IOException {
    Path base = Qemu.create(dir.resolve("base.qcow2"), "16M", "");

    assertRefusedUnchanged(
        base, Kind.REFUSED, "backing_file_offset", () -> Qcow2Editor.publish(base, PARENT, FIRST));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "parent",
        "parent.img",
        "../parent.qcow2",
        "/var/lib/voi/parent.qcow2",
        "dir/parent.qcow2",
        "json:{\"file.filename\":\"parent.qcow2\"}",
        ".hidden.qcow2",
        "..qcow2",
        "sp ace.qcow2",
        "nul\u0000.qcow2",
        "ünïcode.qcow2"
      })
  void refusesBackingNamesThatAreNotBare(String name) throws IOException {
    Qemu.create(dir.resolve("admins-base.qcow2"), "16M", "");
    Path overlay = Qemu.overlay(dir.resolve("overlay.qcow2"), "admins-base.qcow2", "");
    String before = RawHeader.sha256(overlay);

    assertThatThrownBy(() -> Qcow2Editor.publish(overlay, name, SECOND))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bare name");
    assertThat(RawHeader.sha256(overlay)).isEqualTo(before);
  }

  @Test
  void refusesANameLongerThan255() {
    String name = "x".repeat(250) + ".qcow2";

    assertThat(BackingFileName.isBare(name)).isFalse();
    assertThat(BackingFileName.isBare("x".repeat(249) + ".qcow2")).isTrue();
  }

  /**
   * An administrator's overlay on "admins-base.qcow2", with the parent also present under its
   * canonical name, as the server keeps it.
   */
  private Path overlayOnAdminsBase(String options) throws IOException {
    Path base = Qemu.create(dir.resolve("admins-base.qcow2"), "16M", options);
    Qemu.io(base, "write -P 0xab 0 1M").assertOk();
    Files.copy(base, dir.resolve(PARENT));
    Path overlay = Qemu.overlay(dir.resolve("overlay.qcow2"), "admins-base.qcow2", options);
    Qemu.io(overlay, "write -P 0xcd 1M 1M").assertOk();
    return overlay;
  }
}
