package dev.voi.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.voi.chain.Checksum;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {

  @TempDir Path dir;

  static final Checksum C0 = Checksum.sha256("c0");
  static final Checksum C1 = Checksum.sha256("c1");
  static final Checksum C2 = Checksum.sha256("c2");

  static Manifest threeLayersTwoFiles() {
    return new Manifest(
        "win10-lab",
        List.of(
            new Manifest.Layer(0, 1, C0),
            new Manifest.Layer(1, 2, C1),
            new Manifest.Layer(2, 7, C2)),
        List.of(
            new Manifest.LayerFile("win10-lab-0001-aaaaaaaa.qcow2", 0, 1),
            new Manifest.LayerFile("win10-lab-0002-bbbbbbbb.qcow2", 2, 2)),
        List.of("win10-lab-0001-cccccccc.qcow2"));
  }

  @Test
  void roundTripsThroughTheDirectory() throws IOException {
    Manifest manifest = threeLayersTwoFiles();
    manifest.write(dir);

    assertThat(Manifest.read(dir)).contains(manifest);
    assertThat(manifest.checksums()).containsExactly(C0, C1, C2);
    assertThat(manifest.fileCovering(1).orElseThrow().name())
        .isEqualTo("win10-lab-0001-aaaaaaaa.qcow2");
    assertThat(manifest.tip().orElseThrow().name()).isEqualTo("win10-lab-0002-bbbbbbbb.qcow2");
    String json = Files.readString(Manifest.path(dir));
    assertThat(json).contains("\"format\" : 1").contains(C2.hex()).contains("\"from\" : 0");
  }

  @Test
  void anAbsentManifestIsEmptyAndAnEmptyOneRoundTrips() throws IOException {
    assertThat(Manifest.read(dir)).isEmpty();
    Manifest.empty("win10-lab").write(dir);
    assertThat(Manifest.read(dir)).contains(Manifest.empty("win10-lab"));
  }

  @Test
  void writingReplacesAtomicallyAndLeavesNoTemporaryFile() throws IOException {
    threeLayersTwoFiles().write(dir);
    Manifest.empty("win10-lab").write(dir);

    assertThat(Manifest.read(dir)).contains(Manifest.empty("win10-lab"));
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly(Manifest.FILE_NAME);
    }
  }

  @Test
  void aWriteThatFailsHalfWayLeavesTheOldManifest() throws IOException {
    Manifest old = threeLayersTwoFiles();
    old.write(dir);
    byte[] before = Files.readAllBytes(Manifest.path(dir));

    assertThatThrownBy(
            () ->
                AtomicFiles.write(
                    Manifest.path(dir),
                    out -> {
                      out.write("{\"format\": 1, \"ima".getBytes(StandardCharsets.UTF_8));
                      throw new IOException("disk full");
                    }))
        .hasMessage("disk full");

    assertThat(Files.readAllBytes(Manifest.path(dir))).isEqualTo(before);
    assertThat(Manifest.read(dir)).contains(old);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).hasSize(1);
    }
  }

  @Test
  void filesMustCoverTheLayersInOrderWithoutGaps() {
    List<Manifest.Layer> layers =
        List.of(new Manifest.Layer(0, 1, C0), new Manifest.Layer(1, 2, C1));
    assertThatThrownBy(
            () ->
                new Manifest(
                    "img", layers, List.of(new Manifest.LayerFile("img-a.qcow2", 0, 0)), List.of()))
        .hasMessageContaining("files: cover layers 0..0 but 2 layers are held");
    assertThatThrownBy(
            () ->
                new Manifest(
                    "img",
                    layers,
                    List.of(
                        new Manifest.LayerFile("img-a.qcow2", 0, 0),
                        new Manifest.LayerFile("img-b.qcow2", 0, 1)),
                    List.of()))
        .hasMessageContaining("files[1].from: 0, expected 1");
    assertThatThrownBy(
            () ->
                new Manifest(
                    "img",
                    layers,
                    List.of(
                        new Manifest.LayerFile("img-a.qcow2", 0, 0),
                        new Manifest.LayerFile("img-a.qcow2", 1, 1)),
                    List.of()))
        .hasMessageContaining("occurs twice");
    assertThatThrownBy(
            () ->
                new Manifest(
                    "img",
                    List.of(new Manifest.Layer(1, 1, C0)),
                    List.of(new Manifest.LayerFile("img-a.qcow2", 0, 0)),
                    List.of()))
        .hasMessageContaining("layers[0].depth: 1, expected 0");
  }

  @Test
  void namesMustBeSafeBareNames() {
    for (String bad :
        List.of(
            "/etc/passwd.qcow2",
            "../up.qcow2",
            "sub/dir.qcow2",
            ".hidden.qcow2",
            "json:{x}.qcow2",
            "a b.qcow2",
            "layer.raw")) {
      assertThatThrownBy(
              () ->
                  new Manifest(
                      "img",
                      List.of(new Manifest.Layer(0, 1, C0)),
                      List.of(new Manifest.LayerFile(bad, 0, 0)),
                      List.of()))
          .as(bad)
          .hasMessageContaining("files[0].name: not a safe bare file name");
    }
    assertThatThrownBy(
            () -> new Manifest("img", List.of(), List.of(), List.of("/var/lib/voi/old.qcow2")))
        .hasMessageContaining("obsolete[0]: not a safe bare file name");
  }

  @Test
  void aMalformedManifestIsAnExitCode2NamingTheField() throws IOException {
    Files.writeString(
        Manifest.path(dir),
        "{\"format\":1,\"image\":\"img\",\"layers\":[{\"depth\":0,\"version\":1,"
            + "\"checksum\":\"ABC\"}],\"files\":[]}");
    assertThatThrownBy(() -> Manifest.read(dir))
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
        .hasMessageContaining("layers[0].checksum: expected 64 hex characters, got 3");

    Files.writeString(Manifest.path(dir), "{\"format\":1, \"image\":");
    assertThatThrownBy(() -> Manifest.read(dir))
        .isInstanceOfSatisfying(
            AgentException.class, e -> assertThat(e.failure()).isEqualTo(Failure.MALFORMED_FILE))
        .hasMessageContaining("not valid JSON");

    Files.writeString(Manifest.path(dir), "{\"format\":2,\"image\":\"img\"}");
    assertThatThrownBy(() -> Manifest.read(dir)).hasMessageContaining("format: 2 is not supported");
  }

  @Test
  void integrityRecordsAndTheBootOverlayRoundTrip() throws IOException {
    Manifest plain = threeLayersTwoFiles();
    Manifest.Integrity integrity =
        new Manifest.Integrity(
            9_772_728_320L,
            Checksum.sha256("file"),
            new FileIdentity(9_772_728_320L, 17, 18, 2156604));
    Manifest manifest =
        plain
            .withFiles(List.of(plain.files().get(0).withIntegrity(integrity), plain.files().get(1)))
            .withBootOverlay("boot.qcow2");
    manifest.write(dir);

    Manifest read = Manifest.read(dir).orElseThrow();

    assertThat(read).isEqualTo(manifest);
    assertThat(read.files().get(0).integrity()).isEqualTo(integrity);
    assertThat(read.files().get(1).integrity()).as("an older agent's entry").isNull();
    assertThat(read.bootOverlay()).isEqualTo("boot.qcow2");
    com.fasterxml.jackson.databind.JsonNode verifiedAs =
        Json.parse(Files.readAllBytes(Manifest.path(dir))).path("files").path(0).path("verifiedAs");
    assertThat(verifiedAs.path("size").asLong()).isEqualTo(9_772_728_320L);
    assertThat(verifiedAs.path("mtime").asLong()).isEqualTo(17);
    assertThat(verifiedAs.path("ctime").asLong()).isEqualTo(18);
    assertThat(verifiedAs.path("inode").asLong()).isEqualTo(2156604);
  }

  @Test
  void aBadIntegrityRecordOrOverlayNameIsRejectedNamingTheField() throws IOException {
    com.fasterxml.jackson.databind.node.ObjectNode noIdentity = threeLayersTwoFiles().toJson();
    ((com.fasterxml.jackson.databind.node.ObjectNode) noIdentity.path("files").path(1))
        .put("size", 5)
        .put("sha256", C0.hex());
    Files.writeString(Manifest.path(dir), Json.write(noIdentity));
    assertThatThrownBy(() -> Manifest.read(dir))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("files[1].verifiedAs: expected an object");

    com.fasterxml.jackson.databind.node.ObjectNode badOverlay = threeLayersTwoFiles().toJson();
    badOverlay.put("bootOverlay", "../boot.qcow2");
    Files.writeString(Manifest.path(dir), Json.write(badOverlay));
    assertThatThrownBy(() -> Manifest.read(dir))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("bootOverlay: not a safe bare file name");

    assertThatThrownBy(() -> threeLayersTwoFiles().withBootOverlay("win10-lab-0002-bbbbbbbb.qcow2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bootOverlay: win10-lab-0002-bbbbbbbb.qcow2 is a layer file");
  }
}
