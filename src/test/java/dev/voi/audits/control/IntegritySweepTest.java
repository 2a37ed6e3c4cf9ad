package dev.voi.audits.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.voi.audits.control.IntegritySweep.StoredLayer;
import dev.voi.audits.entity.Finding;
import dev.voi.audits.entity.FindingKind;
import dev.voi.chain.Checksum;
import dev.voi.chain.FileNames;
import dev.voi.chain.ImageName;
import dev.voi.chain.LayerState;
import dev.voi.chain.StampRecord;
import dev.voi.qcow2.Qcow2Editor;
import dev.voi.qcow2.Qemu;
import dev.voi.storage.LayerStore;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The integrity sweep on real stamped qcow2 files made by qemu-img. */
class IntegritySweepTest {

  @TempDir Path data;
  @TempDir Path work;

  LayerStore store;
  final List<StoredLayer> quarantined = new ArrayList<>();

  @BeforeEach
  void store() {
    store = new LayerStore(data, new SecureRandom());
  }

  @Test
  void intactFilesPassAndEveryByteIsRead() throws Exception {
    List<StoredLayer> layers = List.of(layer("lab", 0, 0x11), layer("lab", 1, 0x22));

    IntegritySweep.Result result = sweep(layers);

    assertThat(result.findings()).isEmpty();
    assertThat(result.layersChecked()).isEqualTo(2);
    assertThat(result.bytesChecked()).isEqualTo(layers.get(0).size() + layers.get(1).size());
    assertThat(quarantined).isEmpty();
  }

  @Test
  void oneFlippedByteInTheGuestDataIsASha256MismatchAndTheLayerIsQuarantined() throws Exception {
    StoredLayer good = layer("lab", 0, 0x11);
    StoredLayer bad = layer("lab", 1, 0x22);
    flipByte(file(bad), bad.size() - 4096);

    IntegritySweep.Result result = sweep(List.of(good, bad));

    assertThat(result.findings()).hasSize(1);
    Finding finding = result.findings().get(0);
    assertThat(finding.kind()).isEqualTo(FindingKind.SHA256_MISMATCH);
    assertThat(finding.image()).isEqualTo("lab");
    assertThat(finding.depth()).isEqualTo(1);
    assertThat(finding.checksum()).isEqualTo(bad.checksum().hex());
    assertThat(finding.file()).isEqualTo("images/lab/" + bad.fileName());
    assertThat(finding.detail()).contains("the layer row says " + bad.sha256().hex());
    assertThat(finding.quarantined()).isTrue();
    assertThat(quarantined).containsExactly(bad);
  }

  @Test
  void aTruncatedFileWhoseRowAgreesIsStructureDamagedAndQuarantined() throws Exception {
    // A file published truncated before uploads were checked: its row's size and SHA-256 are
    // those of the truncated file, so only the structure says that its clusters are missing.
    StoredLayer made = layer("lab", 1, 0x22);
    Path stored = file(made);
    try (RandomAccessFile raf = new RandomAccessFile(stored.toFile(), "rw")) {
      raf.setLength(made.size() - 512 * 1024);
    }
    StoredLayer truncated =
        new StoredLayer(
            made.id(),
            made.image(),
            made.depth(),
            made.version(),
            made.checksum(),
            made.fileName(),
            Files.size(stored),
            Checksum.sha256Of(stored),
            LayerState.PUBLISHED);

    IntegritySweep.Result result = sweep(List.of(truncated));

    assertThat(result.findings()).hasSize(1);
    Finding finding = result.findings().get(0);
    assertThat(finding.kind()).isEqualTo(FindingKind.STRUCTURE_DAMAGED);
    assertThat(finding.detail()).contains("past the end of the file");
    assertThat(finding.quarantined()).isTrue();
    assertThat(quarantined).containsExactly(truncated);
  }

  @Test
  void aDamagedStampIsAStampMismatch() throws Exception {
    StoredLayer layer = layer("lab", 0, 0x11);
    flipByte(file(layer), 3072 + 20);

    Finding finding = sweep(List.of(layer)).findings().get(0);

    assertThat(finding.kind()).isEqualTo(FindingKind.STAMP_MISMATCH);
    assertThat(finding.quarantined()).isTrue();
  }

  @Test
  void aRowThatDisagreesWithTheStampIsAStampMismatch() throws Exception {
    StoredLayer stamped = layer("lab", 0, 0x11);
    StoredLayer row =
        new StoredLayer(
            stamped.id(),
            stamped.image(),
            stamped.depth(),
            stamped.version() + 1,
            stamped.checksum(),
            stamped.fileName(),
            stamped.size(),
            stamped.sha256(),
            LayerState.PUBLISHED);

    Finding finding = sweep(List.of(row)).findings().get(0);

    assertThat(finding.kind()).isEqualTo(FindingKind.STAMP_MISMATCH);
    assertThat(finding.detail())
        .contains("version " + stamped.version())
        .contains("the layer row says " + stamped.checksum() + ", " + row.version());
  }

  @Test
  void aFileOfAnotherSizeIsASizeMismatchAndIsNotHashed() throws Exception {
    StoredLayer layer = layer("lab", 0, 0x11);
    try (RandomAccessFile file = new RandomAccessFile(file(layer).toFile(), "rw")) {
      file.setLength(layer.size() + 512);
    }

    IntegritySweep.Result result = sweep(List.of(layer));

    assertThat(result.findings())
        .extracting(Finding::kind)
        .containsExactly(FindingKind.SIZE_MISMATCH);
    assertThat(result.bytesChecked()).isZero();
  }

  @Test
  void aMissingFileIsAFindingAndItsLayerIsQuarantined() throws Exception {
    List<StoredLayer> layers =
        List.of(layer("lab", 0, 0x11), layer("lab", 1, 0x22), layer("lab", 2, 0x33));
    Files.delete(file(layers.get(1)));

    IntegritySweep.Result result = sweep(layers);

    assertThat(result.storageUnavailable()).isFalse();
    assertThat(result.findings())
        .extracting(Finding::kind)
        .containsExactly(FindingKind.FILE_MISSING);
    assertThat(quarantined).containsExactly(layers.get(1));
    assertThat(result.layersChecked()).isEqualTo(2);
  }

  @Test
  void moreThanHalfTheFilesMissingIsStorageUnavailableAndQuarantinesNothing() throws Exception {
    List<StoredLayer> layers =
        List.of(layer("lab", 0, 0x11), layer("lab", 1, 0x22), layer("lab", 2, 0x33));
    Files.delete(file(layers.get(0)));
    Files.delete(file(layers.get(2)));
    flipByte(file(layers.get(1)), 100_000);

    IntegritySweep.Result result = sweep(layers);

    assertThat(result.storageUnavailable()).isTrue();
    assertThat(result.findings())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.kind()).isEqualTo(FindingKind.STORAGE_UNAVAILABLE);
              assertThat(f.detail()).startsWith("2 of 3 layer files are missing");
              assertThat(f.quarantined()).isFalse();
            });
    assertThat(quarantined).isEmpty();
    assertThat(result.layersChecked()).isZero();
  }

  @Test
  void exactlyHalfMissingIsStillSweptFileByFile() throws Exception {
    List<StoredLayer> layers = List.of(layer("lab", 0, 0x11), layer("lab", 1, 0x22));
    Files.delete(file(layers.get(0)));

    IntegritySweep.Result result = sweep(layers);

    assertThat(result.storageUnavailable()).isFalse();
    assertThat(quarantined).containsExactly(layers.get(0));
  }

  @Test
  void aDamagedRetiredOrQuarantinedLayerIsReportedButNotQuarantinedAgain() throws Exception {
    StoredLayer retired = withState(layer("lab", 0, 0x11), LayerState.RETIRED);
    StoredLayer alreadyQuarantined = withState(layer("lab", 1, 0x22), LayerState.QUARANTINED);
    flipByte(file(retired), retired.size() - 100);
    flipByte(file(alreadyQuarantined), alreadyQuarantined.size() - 100);

    List<Finding> findings = sweep(List.of(retired, alreadyQuarantined)).findings();

    assertThat(findings).extracting(Finding::kind).containsOnly(FindingKind.SHA256_MISMATCH);
    assertThat(findings).extracting(Finding::quarantined).containsOnly(false);
    assertThat(findings.get(0).detail())
        .endsWith("(retired: out of the chain, so not quarantined)");
    assertThat(findings.get(1).detail()).endsWith("(already quarantined)");
  }

  @Test
  void theSweepIsThrottledByTheBytesItReads() throws Exception {
    List<StoredLayer> layers = List.of(layer("lab", 0, 0x11), layer("lab", 1, 0x22));
    ThrottleTest.FakeTicker ticker = new ThrottleTest.FakeTicker();
    long total = layers.get(0).size() + layers.get(1).size();

    new IntegritySweep(store, new Throttle(1_000_000, ticker), () -> {}, this::quarantine)
        .sweep(layers);

    assertThat(ticker.slept()).isBetween(total * 1000 - 1_000_000, total * 1000 + 1_000_000);
  }

  @Test
  void theCheckpointRunsBetweenChunksAndCanStopTheSweep() throws Exception {
    List<StoredLayer> layers = List.of(layer("lab", 0, 0x11));
    AtomicInteger checkpoints = new AtomicInteger();
    new IntegritySweep(
            store, Throttle.megabytesPerSecond(0), checkpoints::incrementAndGet, this::quarantine)
        .sweep(layers);
    assertThat(checkpoints.get())
        .isGreaterThan((int) (layers.get(0).size() / IntegritySweep.BUFFER));

    IntegritySweep stopping =
        new IntegritySweep(
            store,
            Throttle.megabytesPerSecond(0),
            () -> {
              throw new IllegalStateException("lease lost");
            },
            this::quarantine);
    assertThatThrownBy(() -> stopping.sweep(layers)).hasMessage("lease lost");
  }

  // --- fixtures ---

  private IntegritySweep.Result sweep(List<StoredLayer> layers) throws InterruptedException {
    return new IntegritySweep(store, Throttle.megabytesPerSecond(0), () -> {}, this::quarantine)
        .sweep(layers);
  }

  private boolean quarantine(StoredLayer layer) {
    if (layer.state() != LayerState.PUBLISHED) {
      return false;
    }
    quarantined.add(layer);
    return true;
  }

  private static int ids;

  /** A stamped qcow2 file with 1 MiB of guest data, stored where the store keeps it. */
  private StoredLayer layer(String image, int depth, int pattern) throws IOException {
    Path made = Qemu.create(work.resolve("made-" + depth + ".qcow2"), "16M", "");
    Qemu.io(made, "write -P " + pattern + " 0 1M").assertOk();
    Checksum checksum = Checksum.sha256("layer " + image + " " + depth);
    long version = 10L + depth;
    Qcow2Editor.stamp(made, new StampRecord(checksum, version, depth));
    String fileName = FileNames.canonical(image, depth, checksum);
    Path stored = store.layerFile(ImageName.of(image), fileName);
    Files.createDirectories(stored.getParent());
    Files.move(made, stored);
    return new StoredLayer(
        ++ids,
        ImageName.of(image),
        depth,
        version,
        checksum,
        fileName,
        Files.size(stored),
        Checksum.sha256Of(stored),
        LayerState.PUBLISHED);
  }

  private static StoredLayer withState(StoredLayer layer, LayerState state) {
    return new StoredLayer(
        layer.id(),
        layer.image(),
        layer.depth(),
        layer.version(),
        layer.checksum(),
        layer.fileName(),
        layer.size(),
        layer.sha256(),
        state);
  }

  private Path file(StoredLayer layer) {
    return store.layerFile(layer.image(), layer.fileName());
  }

  static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      int b = raf.read();
      raf.seek(offset);
      raf.write(b ^ 0xff);
    }
  }
}
