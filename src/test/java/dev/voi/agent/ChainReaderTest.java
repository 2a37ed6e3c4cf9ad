package dev.voi.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.voi.qcow2.Qemu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the held chain from stamps (following backing files) or from the manifest. */
class ChainReaderTest {

  @TempDir(factory = ShmTempDir.class)
  Path root;

  Lineage lineage;
  Lineage.Layer base;
  Lineage.Layer diff1;
  Lineage.Layer diff2;
  Path dir;

  @BeforeEach
  void publish() throws IOException {
    lineage = new Lineage(root.resolve("store"), Rig.IMAGE);
    base = lineage.publishBase(1, "write -P 0x11 0 64k");
    diff1 = lineage.publishDiff(2, "write -P 0x22 64k 64k");
    diff2 = lineage.publishDiff(3, "write -P 0x33 128k 64k");
    dir = Files.createDirectories(root.resolve("terminal"));
  }

  void copy(Lineage.Layer... layers) throws IOException {
    for (Lineage.Layer layer : layers) {
      Files.copy(layer.file(), dir.resolve(layer.fileName()));
    }
  }

  ChainReader.Held read() {
    return new ChainReader(dir, Rig.IMAGE, "boot.qcow2").read();
  }

  @Test
  void followsBackingFilesFromTheTipDownToTheBase() throws IOException {
    copy(base, diff1, diff2);
    Qemu.img(
            dir, "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", diff2.fileName(), "boot.qcow2")
        .assertOk();

    ChainReader.Held held = read();

    assertThat(held.source()).isEqualTo(ChainReader.Source.STAMPS);
    assertThat(held.chain().checksums())
        .containsExactly(base.checksum(), diff1.checksum(), diff2.checksum());
    assertThat(held.chain().layers())
        .extracting(Manifest.Layer::version)
        .containsExactly(1L, 2L, 3L);
    assertThat(held.chain().tip().orElseThrow().name()).isEqualTo(diff2.fileName());
    assertThat(held.warnings()).isEmpty();
    assertThat(held.summary()).startsWith("3 layers of win10-lab held (from the stamps)");
  }

  @Test
  void anEmptyDirectoryHoldsNothing() {
    assertThat(read().chain().isEmpty()).isTrue();
    assertThat(new ChainReader(root.resolve("absent"), Rig.IMAGE, null).read().source())
        .isEqualTo(ChainReader.Source.NOTHING);
  }

  @Test
  void anAbsoluteBackingNameIsNeverFollowed() throws IOException {
    copy(base, diff1);
    // Point diff1 at the base by absolute path (the stamp extension survives the rebase).
    Qemu.img(
            dir,
            "rebase",
            "-u",
            "-F",
            "qcow2",
            "-b",
            dir.resolve(base.fileName()).toString(),
            diff1.fileName())
        .assertOk();

    ChainReader.Held held = read();

    assertThat(held.chain().checksums()).containsExactly(base.checksum());
    assertThat(held.warnings())
        .anySatisfy(w -> assertThat(w).contains("not a bare name").contains(diff1.fileName()));
  }

  @Test
  void aJsonBackingNameIsNeverFollowed() throws IOException {
    copy(base, diff1);
    String json = "json:{\"file.driver\":\"file\",\"file.filename\":\"" + base.fileName() + "\"}";
    Qemu.img(dir, "rebase", "-u", "-F", "qcow2", "-b", json, diff1.fileName()).assertOk();

    ChainReader.Held held = read();

    assertThat(held.chain().checksums()).containsExactly(base.checksum());
    assertThat(held.warnings()).anySatisfy(w -> assertThat(w).contains("json:"));
  }

  @Test
  void aMissingLayerBelowMakesTheChainUnusable() throws IOException {
    copy(base, diff2);

    ChainReader.Held held = read();

    // The base stands on its own; the diff above the gap is not reported.
    assertThat(held.chain().checksums()).containsExactly(base.checksum());
    assertThat(held.warnings())
        .anySatisfy(w -> assertThat(w).contains("needs " + diff1.fileName()));
  }

  @Test
  void aFileWhoseNameDoesNotMatchItsStampIsNotTrustedWithoutAManifest() throws IOException {
    // A merged file carries the base's stamp under the tip's name: only a manifest describes it.
    Files.copy(base.file(), dir.resolve(diff2.fileName()));

    ChainReader.Held held = read();

    assertThat(held.chain().isEmpty()).isTrue();
    assertThat(held.warnings())
        .anySatisfy(w -> assertThat(w).contains("only a manifest can describe it"));
  }

  @Test
  void theManifestWinsOverTheStamps() throws IOException {
    copy(base, diff1, diff2);
    Manifest manifest =
        new Manifest(
            Rig.IMAGE,
            List.of(
                new Manifest.Layer(0, 1, base.checksum()),
                new Manifest.Layer(1, 2, diff1.checksum())),
            List.of(
                new Manifest.LayerFile(base.fileName(), 0, 0),
                new Manifest.LayerFile(diff1.fileName(), 1, 1)),
            List.of());
    manifest.write(dir);

    ChainReader.Held held = read();

    assertThat(held.source()).isEqualTo(ChainReader.Source.MANIFEST);
    assertThat(held.chain().layers()).isEqualTo(manifest.layers());
    assertThat(held.chain().files())
        .extracting(Manifest.LayerFile::name)
        .containsExactly(base.fileName(), diff1.fileName());
    assertThat(held.reverified())
        .as("a manifest without integrity records gets them from the files' current content")
        .hasValueSatisfying(m -> assertThat(m.files()).allMatch(f -> f.integrity() != null));
    assertThat(held.owned()).containsExactlyInAnyOrder(base.fileName(), diff1.fileName());
  }

  @Test
  void aManifestFileThatIsMissingOrWrongCutsTheListThere() throws IOException {
    copy(base, diff2);
    Manifest manifest =
        new Manifest(
            Rig.IMAGE,
            List.of(
                new Manifest.Layer(0, 1, base.checksum()),
                new Manifest.Layer(1, 2, diff1.checksum()),
                new Manifest.Layer(2, 3, diff2.checksum())),
            List.of(
                new Manifest.LayerFile(base.fileName(), 0, 0),
                new Manifest.LayerFile(diff1.fileName(), 1, 1),
                new Manifest.LayerFile(diff2.fileName(), 2, 2)),
            List.of());
    manifest.write(dir);

    ChainReader.Held held = read();

    assertThat(held.chain().checksums()).containsExactly(base.checksum());
    assertThat(held.warnings())
        .singleElement()
        .satisfies(w -> assertThat(w).startsWith(diff1.fileName() + ": missing"));
    assertThat(held.owned()).contains(diff2.fileName());

    // A file whose stamp is not the manifest's layer is cut off too.
    Path wrong = Files.copy(diff1.file(), dir.resolve(diff1.fileName()));
    dev.voi.qcow2.Qcow2Editor.stamp(
        wrong, new dev.voi.chain.StampRecord(dev.voi.chain.Checksum.sha256("x"), 2, 1));
    assertThat(read().warnings())
        .singleElement()
        .satisfies(w -> assertThat(w).contains("is not the manifest's layer"));
  }

  @Test
  void aManifestOfAnotherImageIsAUsageError() throws IOException {
    Manifest.empty("other-image").write(dir);

    assertThatThrownBy(this::read)
        .isInstanceOfSatisfying(
            AgentException.class, e -> assertThat(e.failure()).isEqualTo(Failure.USAGE))
        .hasMessageContaining("is for image other-image, not win10-lab");
  }
}
