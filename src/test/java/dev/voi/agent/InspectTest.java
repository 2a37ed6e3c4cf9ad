package dev.voi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.voi.chain.Checksum;
import dev.voi.chain.StampRecord;
import dev.voi.qcow2.Qemu;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code voi-agent inspect} on good and malformed files: output, exit codes, reason lines. */
class InspectTest {

  @TempDir(factory = ShmTempDir.class)
  Path root;

  Rig rig;
  Lineage.Layer base;
  Lineage.Layer diff;

  @BeforeEach
  void publish() throws IOException {
    rig = new Rig(root);
    base = rig.lineage.publishBase(1, "write -P 0x11 0 64k");
    diff = rig.lineage.publishDiff(2, "write -P 0x22 64k 64k");
  }

  @AfterEach
  void stop() {
    rig.close();
  }

  @Test
  void showsTheHeaderBackingFileAndStamp() {
    assertThat(rig.cli("inspect", diff.file().toString())).isZero();

    assertThat(rig.out())
        .contains("qcow2 version:     3")
        .contains("virtual size:      4194304 (4.0 MiB)")
        .contains("backing file:      \"" + base.fileName() + "\" (format qcow2)")
        .contains("0x564f4931 (VOI stamp)")
        .contains("stamp:             STAMPED (header extension and record at byte 3072 agree)")
        .contains("checksum:          " + diff.checksum().hex())
        .contains("version:           2")
        .contains("depth:             1");
    assertThat(rig.err()).isEmpty();
  }

  @Test
  void printsJson() {
    assertThat(rig.cli("inspect", "--json", base.file().toString(), diff.file().toString()))
        .isZero();

    JsonNode files = Json.parse(rig.out().getBytes(StandardCharsets.UTF_8));
    assertThat(files.size()).isEqualTo(2);
    assertThat(files.get(0).path("header").path("backingFile").isNull()).isTrue();
    assertThat(files.get(1).path("ok").asBoolean()).isTrue();
    assertThat(files.get(1).path("header").path("backingFile").asText()).isEqualTo(base.fileName());
    assertThat(files.get(1).path("stamp").path("state").asText()).isEqualTo("STAMPED");
    assertThat(files.get(1).path("stamp").path("checksum").asText())
        .isEqualTo(diff.checksum().hex());
    assertThat(files.get(1).path("stamp").path("depth").asInt()).isEqualTo(1);
  }

  @Test
  void anUnstampedFileIsNotAnError() {
    Path plain = root.resolve("plain.qcow2");
    Qemu.img(root, "create", "-q", "-f", "qcow2", "plain.qcow2", "1M").assertOk();

    assertThat(rig.cli("inspect", plain.toString())).isZero();

    assertThat(rig.out()).contains("stamp:             UNSTAMPED").contains("none (a base)");
  }

  @Test
  void aFileThatIsNotQcow2IsExitCode2WithTheReason() throws IOException {
    Path text =
        Files.writeString(root.resolve("notes.qcow2"), "hello, this is not qcow2\n".repeat(50));

    assertThat(rig.cli("inspect", text.toString())).isEqualTo(2);

    assertThat(rig.err().lines())
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .startsWith("voi-agent: error: " + text + ": MALFORMED magic:")
                    .contains("is not QFI\\xfb"));
  }

  @Test
  void aTruncatedFileIsExitCode2() throws IOException {
    Path truncated = root.resolve("truncated.qcow2");
    Files.write(truncated, Arrays.copyOf(Files.readAllBytes(diff.file()), 40));

    assertThat(rig.cli("inspect", "--json", truncated.toString())).isEqualTo(2);

    assertThat(rig.err()).contains("MALFORMED").contains("truncated");
    JsonNode result = Json.parse(rig.out().getBytes(StandardCharsets.UTF_8)).get(0);
    assertThat(result.path("ok").asBoolean()).isFalse();
    assertThat(result.path("error").path("kind").asText()).isEqualTo("MALFORMED");
  }

  @Test
  void anExtensionThatDisagreesWithTheRecordAt3072IsInconsistent() throws IOException {
    Path copy = Files.copy(diff.file(), root.resolve("copy.qcow2"));
    byte[] other = new StampRecord(Checksum.sha256("other"), 9, 1).encode();
    try (RandomAccessFile file = new RandomAccessFile(copy.toFile(), "rw")) {
      file.seek(3072);
      file.write(other);
    }

    assertThat(rig.cli("inspect", base.file().toString(), copy.toString())).isEqualTo(2);

    assertThat(rig.out()).contains("checksum:          " + base.checksum().hex());
    assertThat(rig.err().lines())
        .singleElement()
        .satisfies(line -> assertThat(line).contains(copy + ": INCONSISTENT stamp_extension:"));
  }

  @Test
  void aMissingFileIsExitCode5() {
    assertThat(rig.cli("inspect", root.resolve("nope.qcow2").toString())).isEqualTo(5);
    assertThat(rig.err()).contains("cannot read: no such file");
  }

  @Test
  void anUnsafeBackingNameIsFlagged() {
    Path copy = root.resolve("abs.qcow2");
    try {
      Files.copy(diff.file(), copy);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    Qemu.img(root, "rebase", "-u", "-F", "qcow2", "-b", base.file().toString(), "abs.qcow2")
        .assertOk();

    assertThat(rig.cli("inspect", copy.toString())).isZero();

    assertThat(rig.out())
        .contains("UNSAFE: not a bare")
        .contains("stamp:             EXTENSION_ONLY");
  }
}
