package dev.voi.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.voi.chain.Checksum;
import dev.voi.chain.StampRecord;
import dev.voi.qcow2.Qcow2FormatException.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Shared checks for the editor tests. */
final class Fixtures {

  static final StampRecord FIRST = record("c0", 1, 0);
  static final StampRecord SECOND = record("c1", 2, 1);
  static final StampRecord THIRD = record("c2", 3, 2);

  private Fixtures() {}

  static StampRecord record(String seed, long version, int depth) {
    return new StampRecord(Checksum.sha256(seed), version, depth);
  }

  /** Runs the action, expects the refusal, and checks that the file did not change a byte. */
  static Qcow2FormatException assertRefusedUnchanged(
      Path file, Kind kind, String field, ThrowingCallable action) throws IOException {
    String before = RawHeader.sha256(file);
    long length = Files.size(file);
    Qcow2FormatException e = catchThrowableOfType(Qcow2FormatException.class, action);
    assertThat(e).as("expected a refusal naming %s", field).isNotNull();
    assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind);
    assertThat(e.field()).as(e.getMessage()).isEqualTo(field);
    assertThat(e.getMessage()).contains(field);
    assertThat(Files.size(file)).isEqualTo(length);
    assertThat(RawHeader.sha256(file)).as("file must be byte-identical").isEqualTo(before);
    return e;
  }

  /** Stamps a file and checks everything docs/design.md §3 promises about the result. */
  static void assertStampsCleanly(Path file, StampRecord record) throws IOException {
    Path pristine = file.resolveSibling("pristine-" + file.getFileName());
    Files.copy(file, pristine);
    long length = Files.size(file);

    Qcow2Editor.stamp(file, record);

    assertThat(Files.size(file)).isEqualTo(length);
    Qemu.check(file).assertOk();
    Qemu.compare(pristine, file).assertOk();
    Qcow2Stamp stamp = Qcow2Editor.readStamp(file);
    assertThat(stamp.state()).isEqualTo(StampState.STAMPED);
    assertThat(stamp.record()).contains(record);
    byte[] header = RawHeader.firstBytes(file, 4096);
    assertThat(RawHeader.countExtensions(header, HeaderExtension.VOI_STAMP)).isEqualTo(1);
    assertThat(Arrays.copyOfRange(header, 3072, 3136)).isEqualTo(record.encode());
    Files.delete(pristine);
  }
}
