package dev.voi.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The administrator's command line sends an overlay with the tip's canonical backing file name by
 * streaming {@link BackingRename#rewrite}'s bytes in place of the file's first bytes: the stream,
 * written to a file, must be a sound qcow2 file (qemu-img check) on a backing file of the new name
 * (qemu-img info) with exactly the guest data of the original.
 */
class BackingRenameTest {

  static final String CANONICAL = "win10-lab-0003-2a967b9a.qcow2";

  @TempDir(factory = TmpfsTempDir.class)
  Path dir;

  @ParameterizedTest(name = "backing {0}, compat {1}")
  @CsvSource({
    "my-copy-of-the-tip.qcow2, 1.1",
    "t.qcow2, 1.1",
    "a-much-longer-local-name-of-the-tip-than-the-canonical-one-built-on-monday.qcow2, 1.1",
    "t.qcow2, 0.10"
  })
  void theRewrittenStreamIsASoundOverlayOnTheNewName(String localName, String compat)
      throws IOException {
    Path base = Qemu.create(dir.resolve(localName), "16M", "compat=" + compat);
    Qemu.io(base, "write -P 0x11 0 4M").assertOk();
    Path overlay = Qemu.overlay(dir.resolve("diff.qcow2"), localName, "compat=" + compat);
    Qemu.io(overlay, "write -P 0x22 1M 256k", "write -P 0x33 6M 64k").assertOk();
    byte[] original = Files.readAllBytes(overlay);

    byte[] prefix = BackingRename.rewrite(cluster0(original), original.length, CANONICAL);

    assertThat(Files.readAllBytes(overlay)).as("the file itself is untouched").isEqualTo(original);
    Path sent = dir.resolve("sent").resolve("diff.qcow2");
    Files.createDirectories(sent.getParent());
    try (OutputStream out = Files.newOutputStream(sent)) {
      out.write(prefix);
      out.write(original, prefix.length, original.length - prefix.length);
    }
    Files.copy(base, sent.resolveSibling(CANONICAL));
    assertThat(Files.size(sent)).isEqualTo(original.length);
    Qemu.check(sent).assertOk();
    String info = Qemu.infoJson(sent);
    assertThat(info)
        .contains("\"backing-filename\": \"" + CANONICAL + "\"")
        .contains("\"backing-filename-format\": \"qcow2\"")
        .doesNotContain(localName.equals(CANONICAL) ? "\u0000" : localName);
    Qemu.compare(sent, overlay).assertOk();
    Qemu.io(sent, "read -P 0x22 1M 256k", "read -P 0x33 6M 64k", "read -P 0x11 2M 1M").assertOk();
    Qcow2Header header = Qcow2Header.parse(prefix, original.length);
    assertThat(header.backingFile()).contains(CANONICAL);
    assertThat(header.extensions())
        .as("the extensions are kept as they were")
        .isEqualTo(Qcow2Header.parse(original, original.length).extensions());
    assertThat(Arrays.copyOfRange(prefix, header.layoutEnd(), prefix.length))
        .as("nothing of the old name is left behind")
        .isEqualTo(new byte[prefix.length - header.layoutEnd()]);
  }

  @Test
  void aBaseHasNoBackingFileToRename() throws IOException {
    Path base = Qemu.create(dir.resolve("base.qcow2"), "16M", "");
    byte[] bytes = Files.readAllBytes(base);
    assertThatThrownBy(() -> BackingRename.rewrite(bytes, bytes.length, CANONICAL))
        .isInstanceOf(Qcow2FormatException.class)
        .hasMessageContaining("backing_file_offset");
  }

  @Test
  void theNewNameMustBeBare() throws IOException {
    Qemu.create(dir.resolve("t.qcow2"), "16M", "");
    Path overlay = Qemu.overlay(dir.resolve("diff.qcow2"), "t.qcow2", "");
    byte[] bytes = Files.readAllBytes(overlay);
    for (String name : new String[] {"../x.qcow2", "/abs/x.qcow2", "json:{}", ".hidden.qcow2"}) {
      assertThatThrownBy(() -> BackingRename.rewrite(bytes, bytes.length, name))
          .as(name)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void notQcow2IsRefused() {
    byte[] junk = new byte[4096];
    assertThatThrownBy(() -> BackingRename.rewrite(junk, junk.length, CANONICAL))
        .isInstanceOf(Qcow2FormatException.class);
  }

  private static byte[] cluster0(byte[] file) {
    return Arrays.copyOf(file, Math.min(file.length, 65536));
  }
}
