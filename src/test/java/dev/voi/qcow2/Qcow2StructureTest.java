package dev.voi.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Structural checks of real qemu-img files: every kind of good file passes. */
class Qcow2StructureTest {

  @TempDir(factory = TmpfsTempDir.class)
  Path dir;

  @ParameterizedTest
  @ValueSource(ints = {4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1 << 20, 2 << 20})
  void everyClusterSizeWithDataPasses(int clusterSize) throws IOException {
    Path file = StructureFixtures.withData(dir, "c" + clusterSize, "cluster_size=" + clusterSize);

    Qcow2Structure.Summary summary = Qcow2Structure.check(file);

    Qemu.check(file).assertOk();
    assertThat(summary.l1Tables()).isEqualTo(1);
    assertThat(summary.l2Tables()).isPositive();
    long written = StructureFixtures.WRITTEN_BYTES;
    assertThat(summary.dataClusters()).isGreaterThanOrEqualTo(written / clusterSize);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "refcount_bits=1",
        "refcount_bits=64",
        "lazy_refcounts=on",
        "preallocation=metadata",
        "preallocation=falloc,cluster_size=4096",
        "compression_type=zstd",
        "data_file=external.raw"
      })
  void otherCreateOptionsWithDataPass(String options) throws IOException {
    Path file = StructureFixtures.withData(dir, "options", options);
    Qemu.check(file).assertOk();

    Qcow2Structure.Summary summary = Qcow2Structure.check(file);

    assertThat(summary.l2Tables()).isPositive();
  }

  @Test
  void anEmptyFilePasses() throws IOException {
    Path file = Qemu.create(dir.resolve("empty.qcow2"), "64M", "");

    Qcow2Structure.Summary summary = Qcow2Structure.check(file);

    assertThat(summary.l2Tables()).isZero();
    assertThat(summary.dataClusters()).isZero();
  }

  @Test
  void version2Passes() throws IOException {
    Path file = StructureFixtures.withData(dir, "v2", "compat=0.10");

    assertThat(Qcow2Header.read(file).version()).isEqualTo(2);
    assertThat(Qcow2Structure.check(file).dataClusters()).isPositive();
  }

  @Test
  void anOverlayWithDataPasses() throws IOException {
    Path file = StructureFixtures.overlay(dir);

    assertThat(Qcow2Header.read(file).hasBackingFile()).isTrue();
    assertThat(Qcow2Structure.check(file).dataClusters()).isPositive();
  }

  @Test
  void snapshotsPass() throws IOException {
    Path file = StructureFixtures.snapshots(dir);

    Qcow2Structure.Summary summary = Qcow2Structure.check(file);

    assertThat(summary.snapshots()).isEqualTo(2);
    assertThat(summary.l1Tables()).isEqualTo(3);
  }

  @Test
  void aBitmapPasses() throws IOException {
    Path file = StructureFixtures.bitmap(dir);

    assertThat(Qcow2Structure.check(file).bitmaps()).isEqualTo(1);
  }

  @Test
  void compressedClustersPass() throws IOException {
    Path file = StructureFixtures.compressed(dir);

    Qcow2Structure.Summary summary = Qcow2Structure.check(file);

    assertThat(summary.compressedClusters()).isPositive();
    assertThat(summary.dataClusters()).as("random bytes do not compress").isPositive();
    assertThat(Files.size(file) % 65536).as("the file ends inside a cluster").isNotZero();
  }

  @Test
  void extendedL2EntriesPass() throws IOException {
    Path file = StructureFixtures.extendedL2(dir);

    assertThat(Qcow2Header.read(file).hasIncompatibleFeature(Qcow2Header.INCOMPATIBLE_EXTENDED_L2))
        .isTrue();
    assertThat(Files.size(file) % 65536).as("the last cluster is only partly written").isNotZero();
    assertThat(Qcow2Structure.check(file).dataClusters()).isPositive();
  }

  @Test
  void anEncryptedFilePasses() throws IOException {
    Path file = StructureFixtures.encrypted(dir);

    assertThat(Qcow2Header.read(file).cryptMethod()).isEqualTo(2);
    assertThat(Qcow2Structure.check(file).dataClusters()).isPositive();
  }

  @Test
  void l1EntriesThatShareOneL2TableReadItOnce() throws IOException {
    Path file = Qemu.create(dir.resolve("shared.qcow2"), "64G", "");
    Qemu.io(file, "write -P 0x71 0 64k").assertOk();
    Qcow2Header header = Qcow2Header.read(file);
    long l1 = header.l1TableOffset();
    byte[] first = Arrays.copyOfRange(Files.readAllBytes(file), (int) l1, (int) l1 + 8);
    assertThat(header.l1Size()).isGreaterThan(64);
    for (int i = 1; i < header.l1Size(); i++) {
      RawHeader.writeAt(file, l1 + i * 8L, first);
    }

    Qcow2Structure.Summary summary = Qcow2Structure.check(file);

    assertThat(summary.l2Tables()).isEqualTo(1);
    assertThat(summary.metadataBytesRead()).isEqualTo(header.l1Size() * 8L + 2 * 65536);
  }

  @Test
  void readsOnlyMetadataNotTheData() throws IOException {
    Path file = StructureFixtures.withData(dir, "meta", "cluster_size=4096");

    Qcow2Structure.Summary summary = Qcow2Structure.check(file);

    // the active L1 table, the refcount table and the L2 tables: nothing else
    long expected = Qcow2Header.read(file).l1Size() * 8L + 4096 + summary.l2Tables() * 4096L;
    assertThat(summary.metadataBytesRead()).isEqualTo(expected);
    assertThat(summary.metadataBytesRead()).isLessThan(Files.size(file) / 10);
  }
}
