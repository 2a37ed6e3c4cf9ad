package dev.voi.qcow2;

import static dev.voi.qcow2.Fixtures.FIRST;
import static dev.voi.qcow2.Fixtures.SECOND;
import static dev.voi.qcow2.Fixtures.THIRD;
import static dev.voi.qcow2.Fixtures.assertRefusedUnchanged;
import static dev.voi.qcow2.Fixtures.assertStampsCleanly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.voi.qcow2.Qcow2FormatException.Kind;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Stamping files made by the real qemu-img, and refusing the ones docs/design.md §3 rules out. */
class Qcow2EditorTest {

  @TempDir(factory = TmpfsTempDir.class)
  Path dir;

  @ParameterizedTest(name = "{0}-byte clusters, compat {1}")
  @CsvSource({"4096, 0.10", "65536, 0.10", "65536, 1.1", "2097152, 1.1"})
  void stampsBasesAndOverlaysThatQemuStillAcceptsWithTheirData(int clusterSize, String compat)
      throws IOException {
    String options = "cluster_size=" + clusterSize + ",compat=" + compat;
    Path base = Qemu.create(dir.resolve("base.qcow2"), "16M", options);
    Qemu.io(base, "write -P 0xab 0 1M").assertOk();
    Path overlay = Qemu.overlay(dir.resolve("overlay.qcow2"), "base.qcow2", options);
    Qemu.io(overlay, "write -P 0xcd 1M 1M").assertOk();

    assertStampsCleanly(base, FIRST);
    assertStampsCleanly(overlay, SECOND);

    Qemu.io(overlay, "read -P 0xab 0 1M", "read -P 0xcd 1M 1M").assertOk();
    assertThat(Qcow2Header.read(overlay).backingFile()).contains("base.qcow2");
  }

  @ParameterizedTest(name = "{0}-byte clusters, compat {1}")
  @CsvSource({"512, 0.10", "512, 1.1", "1024, 1.1", "2048, 0.10", "2048, 1.1"})
  void refusesClustersUnder4KiBWhereByte3072IsMetadata(int clusterSize, String compat)
      throws IOException {
    String options = "cluster_size=" + clusterSize + ",compat=" + compat;
    Path base = Qemu.create(dir.resolve("base.qcow2"), "16M", options);
    Qemu.io(base, "write -P 0xab 0 64k").assertOk();
    Path overlay = Qemu.overlay(dir.resolve("overlay.qcow2"), "base.qcow2", options);

    for (Path file : new Path[] {base, overlay}) {
      Qcow2FormatException e =
          assertRefusedUnchanged(
              file, Kind.REFUSED, "cluster_bits", () -> Qcow2Editor.stamp(file, FIRST));
      assertThat(e.getMessage()).contains(clusterSize + "-byte clusters");
      assertThat(Qcow2Editor.readStamp(file).state()).isEqualTo(StampState.UNSTAMPED);
    }
    Qemu.check(base).assertOk();
  }

  @Test
  void acceptsCompressionTypeZstdAndExtendedL2() throws IOException {
    Path zstd = Qemu.create(dir.resolve("zstd.qcow2"), "16M", "compression_type=zstd");
    Path extendedL2 =
        Qemu.create(dir.resolve("l2.qcow2"), "16M", "extended_l2=on,cluster_size=64k");
    assertThat(Qcow2Header.read(zstd).hasIncompatibleFeature(1L << 3)).isTrue();
    assertThat(Qcow2Header.read(extendedL2).hasIncompatibleFeature(1L << 4)).isTrue();

    assertStampsCleanly(zstd, FIRST);
    assertStampsCleanly(extendedL2, FIRST);
  }

  @Test
  void refusesLazyRefcounts() throws IOException {
    Path file = Qemu.create(dir.resolve("lazy.qcow2"), "16M", "lazy_refcounts=on");

    Qcow2FormatException e =
        assertRefusedUnchanged(
            file, Kind.REFUSED, "compatible_features", () -> Qcow2Editor.stamp(file, FIRST));
    assertThat(e.getMessage()).contains("lazy refcounts");
  }

  @ParameterizedTest(name = "incompatible bit {0}")
  @CsvSource({"0, dirty", "1, corrupt", "5, unknown bit 5", "63, unknown bit 63"})
  void refusesDirtyCorruptAndUnknownIncompatibleBits(int bit, String reason) throws IOException {
    Path file = Qemu.create(dir.resolve("bits.qcow2"), "16M", "");
    RawHeader.putU64(file, 72, 1L << bit);

    Qcow2FormatException e =
        assertRefusedUnchanged(
            file, Kind.REFUSED, "incompatible_features", () -> Qcow2Editor.stamp(file, FIRST));
    assertThat(e.getMessage()).contains(reason);
  }

  @Test
  void refusesAnExternalDataFile() throws IOException {
    Path file = Qemu.create(dir.resolve("ext.qcow2"), "16M", "data_file=ext.raw");

    Qcow2FormatException e =
        assertRefusedUnchanged(
            file, Kind.REFUSED, "incompatible_features", () -> Qcow2Editor.stamp(file, FIRST));
    assertThat(e.getMessage()).contains("external data file");
  }

  @ParameterizedTest(name = "crypt_method {0}")
  @ValueSource(ints = {1, 2})
  void refusesAnEncryptedImage(int method) throws IOException {
    Path file = Qemu.create(dir.resolve("crypt.qcow2"), "16M", "");
    RawHeader.putU32(file, 32, method);

    assertRefusedUnchanged(
        file, Kind.REFUSED, "crypt_method", () -> Qcow2Editor.stamp(file, FIRST));
  }

  @Test
  void replacesAnExistingStampInPlaceWithoutASecondExtension() throws IOException {
    Path file = Qemu.create(dir.resolve("restamp.qcow2"), "16M", "");
    Qcow2Editor.stamp(file, FIRST);
    int offset = Qcow2Header.read(file).extension(HeaderExtension.VOI_STAMP).orElseThrow().offset();

    assertStampsCleanly(file, SECOND);

    Qcow2Header header = Qcow2Header.read(file);
    assertThat(header.extension(HeaderExtension.VOI_STAMP).orElseThrow().offset())
        .isEqualTo(offset);
  }

  @Test
  void anUntouchedFileIsUnstamped() throws IOException {
    Path file = Qemu.create(dir.resolve("fresh.qcow2"), "16M", "");

    Qcow2Stamp stamp = Qcow2Editor.readStamp(file);

    assertThat(stamp.state()).isEqualTo(StampState.UNSTAMPED);
    assertThat(stamp.record()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {3072, 3100, 3135})
  void refusesForeignBytesAt3072(int offset) throws IOException {
    Path file = Qemu.create(dir.resolve("foreign.qcow2"), "16M", "");
    RawHeader.writeAt(file, offset, new byte[] {0x5A});
    Qemu.check(file).assertOk();

    assertRefusedUnchanged(
        file, Kind.REFUSED, "stamp_record_3072", () -> Qcow2Editor.stamp(file, FIRST));
    assertThat(Qcow2Editor.readStamp(file).state()).isEqualTo(StampState.UNSTAMPED);
  }

  @Test
  void aRecordAt3072AloneIsReadAndThenReplaced() throws IOException {
    Path file = Qemu.create(dir.resolve("legacy.qcow2"), "16M", "");
    RawHeader.writeAt(file, 3072, FIRST.encode());

    assertThat(Qcow2Editor.readStamp(file))
        .isEqualTo(new Qcow2Stamp(StampState.RECORD_ONLY, Optional.of(FIRST)));
    assertStampsCleanly(file, SECOND);
  }

  @Test
  void extensionAndRecordThatDifferAreInconsistent() throws IOException {
    Path file = Qemu.create(dir.resolve("mixed.qcow2"), "16M", "");
    Qcow2Editor.stamp(file, FIRST);
    RawHeader.writeAt(file, 3072, SECOND.encode());

    Qcow2FormatException e =
        assertRefusedUnchanged(
            file, Kind.INCONSISTENT, "stamp_extension", () -> Qcow2Editor.readStamp(file));
    assertThat(e.getMessage()).contains(FIRST.checksum().hex()).contains(SECOND.checksum().hex());
    assertStampsCleanly(file, THIRD);
  }

  @Test
  void aBrokenStampExtensionIsMalformed() throws IOException {
    Path file = Qemu.create(dir.resolve("broken.qcow2"), "16M", "");
    Qcow2Editor.stamp(file, FIRST);
    int data =
        Qcow2Header.read(file).extension(HeaderExtension.VOI_STAMP).orElseThrow().offset() + 8;
    RawHeader.writeAt(file, data + 20, new byte[] {1});

    assertRefusedUnchanged(
        file, Kind.MALFORMED, "stamp_extension", () -> Qcow2Editor.readStamp(file));
    assertRefusedUnchanged(
        file, Kind.MALFORMED, "stamp_extension", () -> Qcow2Editor.stamp(file, SECOND));
  }

  @Test
  void refusesWhileAnotherChannelOfThisJvmHoldsTheLock() throws IOException {
    Path file = Qemu.create(dir.resolve("locked.qcow2"), "16M", "");
    try (FileChannel other =
            FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock = other.lock(100, 200, false)) {
      assertThat(lock.isValid()).isTrue();
      assertRefusedUnchanged(file, Kind.LOCKED, "image_lock", () -> Qcow2Editor.stamp(file, FIRST));
    }
    assertStampsCleanly(file, FIRST);
  }

  @Test
  void refusesWhileQemuHasTheImageOpen() throws IOException {
    Path file = Qemu.create(dir.resolve("busy.qcow2"), "16M", "");
    try (Qemu.Holder qemuIo = new Qemu.Holder(file)) {
      assertThat(qemuIo.isAlive()).isTrue();
      Qcow2FormatException e =
          assertRefusedUnchanged(
              file, Kind.LOCKED, "image_lock", () -> Qcow2Editor.stamp(file, FIRST));
      assertThat(e.getMessage()).contains("another process");
    }
    assertStampsCleanly(file, FIRST);
  }

  @ParameterizedTest(name = "cut at {0}: {1}")
  @CsvSource({
    "0, magic",
    "50, refcount_table_offset",
    "101, header_length",
    "300, header_extension",
    "4096, header_cluster",
    "65536, refcount_table_offset",
    "131072, l1_table_offset"
  })
  void refusesTruncatedCopies(int length, String field) throws IOException {
    Path whole = Qemu.create(dir.resolve("whole.qcow2"), "64M", "");
    Path cut = dir.resolve("cut.qcow2");
    Files.write(cut, Arrays.copyOf(Files.readAllBytes(whole), length));

    assertRefusedUnchanged(cut, Kind.MALFORMED, field, () -> Qcow2Editor.stamp(cut, FIRST));
    assertRefusedUnchanged(cut, Kind.MALFORMED, field, () -> Qcow2Editor.readStamp(cut));
  }

  @Test
  void refusesGarbageAndBadMagicAndVersion4() throws IOException {
    Path garbage = dir.resolve("garbage.qcow2");
    byte[] random = new byte[256 * 1024];
    new Random(1).nextBytes(random);
    Files.write(garbage, random);
    assertRefusedUnchanged(
        garbage, Kind.MALFORMED, "magic", () -> Qcow2Editor.stamp(garbage, FIRST));

    Path badMagic = Qemu.create(dir.resolve("magic.qcow2"), "16M", "");
    RawHeader.putU32(badMagic, 0, 0x514649FA);
    assertRefusedUnchanged(
        badMagic, Kind.MALFORMED, "magic", () -> Qcow2Editor.stamp(badMagic, FIRST));

    Path v4 = Qemu.create(dir.resolve("v4.qcow2"), "16M", "");
    RawHeader.putU32(v4, 4, 4);
    assertRefusedUnchanged(v4, Kind.REFUSED, "version", () -> Qcow2Editor.stamp(v4, FIRST));
  }

  @Test
  void aThousandByteBackingNameFitsBefore3072With4KiBClusters() throws IOException {
    Path overlay = overlayWithLongBackingName(1000);

    assertStampsCleanly(overlay, FIRST);

    Qcow2Header header = Qcow2Header.read(overlay);
    assertThat(header.backingFileSize()).isEqualTo(1000);
    assertThat(header.layoutEnd()).isLessThanOrEqualTo(3072);
    Qemu.io(overlay, "read -P 0xab 0 64k").assertOk();
  }

  @ParameterizedTest(name = "filler of {0} bytes: header ends at {1}")
  @CsvSource({"1900, 3048", "2000, 3144"})
  void refusesWhenTheHeaderWouldReachPast3072(int fillerLength, int layoutEnd) throws IOException {
    Path overlay = overlayWithLongBackingName(1000);
    byte[] header = RawHeader.firstBytes(overlay, 4096);
    byte[] filler = RawHeader.extension(0x12345678, new byte[fillerLength]);
    RawHeader.writeAt(overlay, 0, RawHeader.rebuilt(header, filler, -1));
    Qemu.check(overlay).assertOk();
    assertThat(Qcow2Header.read(overlay).layoutEnd()).isEqualTo(layoutEnd);

    Qcow2FormatException e =
        assertRefusedUnchanged(
            overlay, Kind.REFUSED, "layout_end", () -> Qcow2Editor.stamp(overlay, FIRST));
    assertThat(e.getMessage()).contains("past 3072");
  }

  /** An overlay with 4 KiB clusters whose backing file sits {@code length} bytes of path away. */
  private Path overlayWithLongBackingName(int length) throws IOException {
    StringBuilder name = new StringBuilder();
    while (name.length() + 100 + "base.qcow2".length() < length) {
      name.append("d".repeat(99)).append('/');
    }
    name.append("e".repeat(length - name.length() - "/base.qcow2".length()));
    name.append("/base.qcow2");
    assertThat(name).hasSize(length);
    Path base = dir.resolve(name.toString());
    Files.createDirectories(base.getParent());
    Qemu.create(base, "16M", "cluster_size=4096");
    Qemu.io(base, "write -P 0xab 0 64k").assertOk();
    return Qemu.overlay(dir.resolve("long.qcow2"), name.toString(), "cluster_size=4096");
  }

  @Test
  void judgesAnUploadFromItsFirstBytes() throws IOException {
    Qemu.create(dir.resolve("base.qcow2"), "16M", "");
    Path file = Qemu.overlay(dir.resolve("upload.qcow2"), "base.qcow2", "");
    byte[] bytes = Files.readAllBytes(file);

    for (int length : new int[] {0, 50, 200, 1000, 3000}) {
      byte[] prefix = Arrays.copyOf(bytes, length);
      Qcow2FormatException e =
          catchThrowableOfType(
              Qcow2FormatException.class,
              () -> Qcow2Editor.checkPublishable(prefix, -1, "x-0000-00000000.qcow2"));
      assertThat(e.kind()).as("prefix of %d", length).isEqualTo(Kind.INCOMPLETE);
      assertThat(e.bytesNeeded()).isGreaterThan(length);
    }
    Qcow2Header header =
        Qcow2Editor.checkPublishable(Arrays.copyOf(bytes, 4096), -1, "x-0000-00000000.qcow2");
    assertThat(header.backingFile()).contains("base.qcow2");

    Path small = Qemu.create(dir.resolve("small.qcow2"), "16M", "cluster_size=2048");
    assertThatThrownBy(() -> Qcow2Editor.checkPublishable(Files.readAllBytes(small), -1, null))
        .isInstanceOf(Qcow2FormatException.class)
        .hasMessageContaining("cluster_bits");
  }
}
