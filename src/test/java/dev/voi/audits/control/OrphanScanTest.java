package dev.voi.audits.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.audits.entity.Finding;
import dev.voi.audits.entity.FindingKind;
import dev.voi.chain.ImageName;
import dev.voi.storage.LayerStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrphanScanTest {

  @TempDir Path data;

  @Test
  void filesNoRowNamesAreOrphansAndNamedOnesAreNot() throws Exception {
    LayerStore store = new LayerStore(data, new SecureRandom());
    Path images = Files.createDirectories(store.imagesDir());
    Files.createDirectories(images.resolve("lab"));
    Files.writeString(images.resolve("lab/lab-0000-aaaaaaaa.qcow2"), "layer");
    Files.writeString(images.resolve("lab/stray.qcow2"), "stray");
    Files.createDirectories(images.resolve("lab/nested"));
    Files.writeString(images.resolve("loose.txt"), "x");
    Files.createDirectories(images.resolve("gone"));
    Files.writeString(images.resolve("gone/gone-0000-bbbbbbbb.qcow2"), "old");

    List<Finding> orphans =
        new OrphanScan(store).scan(() -> Set.of(Path.of("lab", "lab-0000-aaaaaaaa.qcow2")));

    assertThat(orphans).extracting(Finding::kind).containsOnly(FindingKind.ORPHAN_FILE);
    assertThat(orphans)
        .extracting(Finding::file)
        .containsExactly(
            "images/gone/gone-0000-bbbbbbbb.qcow2",
            "images/lab/nested",
            "images/lab/stray.qcow2",
            "images/loose.txt");
    assertThat(orphans).extracting(Finding::image).containsExactly("gone", "lab", "lab", null);
    assertThat(orphans.get(2).detail()).isEqualTo("a file of 5 bytes that no layer row names");
    assertThat(orphans.get(1).detail()).isEqualTo("a directory that no layer row names");
    assertThat(orphans).extracting(Finding::quarantined).containsOnly(false);
  }

  @Test
  void aFileBeingPublishedIsNotAnOrphanAndRowsAreReadAfterTheListing() throws Exception {
    LayerStore store = new LayerStore(data, new SecureRandom());
    LayerStore.Intent intent =
        store.place(store.newUpload(), ImageName.of("lab"), "lab-0001-cccccccc.qcow2");
    AtomicBoolean listed = new AtomicBoolean();

    List<Finding> orphans =
        new OrphanScan(store)
            .scan(
                () -> {
                  listed.set(true);
                  return Set.of();
                });

    assertThat(listed).isTrue();
    assertThat(orphans).isEmpty();
    store.settle(intent, true);
    assertThat(new OrphanScan(store).scan(Set::of)).hasSize(1);
  }

  @Test
  void noImagesDirectoryMeansNoOrphans() throws Exception {
    assertThat(new OrphanScan(new LayerStore(data, new SecureRandom())).scan(Set::of)).isEmpty();
  }
}
