package dev.voi.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.voi.chain.ImageName;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerStoreTest {

  @TempDir Path data;

  LayerStore store() {
    return new LayerStore(data, new SecureRandom());
  }

  @Test
  void aPlacedUploadMovesIntoItsImageFolderAndSettlingKeepsIt() throws IOException {
    LayerStore store = store();
    Path upload = store.newUpload();
    Files.writeString(upload, "layer");
    LayerStore.Intent intent =
        store.place(upload, ImageName.of("win10-lab"), "win10-lab-0000-aaaaaaaa.qcow2");
    assertThat(intent.target())
        .isEqualTo(data.resolve("images/win10-lab/win10-lab-0000-aaaaaaaa.qcow2"));
    assertThat(intent.intentFile()).exists();
    assertThat(upload).doesNotExist();
    store.settle(intent, true);
    assertThat(intent.target()).hasContent("layer");
    assertThat(listing(store.tempDir())).isEmpty();
  }

  @Test
  void settlingAnUncommittedPublishRemovesTheFile() throws IOException {
    LayerStore store = store();
    Path upload = store.newUpload();
    LayerStore.Intent intent = store.place(upload, ImageName.of("img"), "img-0001-bbbbbbbb.qcow2");
    store.settle(intent, false);
    assertThat(intent.target()).doesNotExist();
    assertThat(listing(store.tempDir())).isEmpty();
  }

  @Test
  void publishedFilesAreNeverReplaced() throws IOException {
    LayerStore store = store();
    store.settle(
        store.place(store.newUpload(), ImageName.of("img"), "img-0000-cccccccc.qcow2"), true);
    Path second = store.newUpload();
    assertThatThrownBy(() -> store.place(second, ImageName.of("img"), "img-0000-cccccccc.qcow2"))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(second).exists();
    assertThat(listing(store.tempDir())).containsExactly(second.getFileName().toString());
  }

  @Test
  void namesThatWouldLeaveTheDataDirectoryAreRefused() {
    LayerStore store = store();
    assertThatThrownBy(() -> store.layerFile(ImageName.of(".."), "x.qcow2"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.layerFile(ImageName.of("img"), "../x.qcow2"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.layerFile(ImageName.of("img"), "/etc/passwd"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void recoveryRemovesLeftoverUploadsAndUncommittedPlacementsButKeepsReferencedFiles()
      throws IOException {
    LayerStore store = store();
    Path leftover = store.newUpload();
    LayerStore.Intent crashed =
        store.place(store.newUpload(), ImageName.of("img"), "img-0001-dddddddd.qcow2");
    LayerStore.Intent committed =
        store.place(store.newUpload(), ImageName.of("img"), "img-0002-eeeeeeee.qcow2");
    var removed =
        store.recover(
            (image, file) ->
                image.equals(ImageName.of("img")) && file.equals("img-0002-eeeeeeee.qcow2"));
    assertThat(removed).containsExactlyInAnyOrder(leftover, crashed.target());
    assertThat(crashed.target()).doesNotExist();
    assertThat(committed.target()).exists();
    assertThat(listing(store.tempDir())).isEmpty();
  }

  @Test
  void recoveryRemovesAPlacementInAFolderThatIsNoImageNameWithoutAskingTheRows()
      throws IOException {
    LayerStore store = store();
    Path stray = Files.createDirectories(store.imagesDir().resolve(".hidden")).resolve("x.qcow2");
    Files.writeString(stray, "stray");
    Path intent = store.newUpload().resolveSibling("upload-stray.part" + LayerStore.INTENT_SUFFIX);
    Files.writeString(intent, stray.toString());
    var asked = new java.util.ArrayList<ImageName>();

    var removed = store.recover((image, file) -> asked.add(image));

    assertThat(removed).contains(stray);
    assertThat(stray).doesNotExist();
    assertThat(asked).isEmpty();
  }

  private static java.util.List<String> listing(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).toList();
    }
  }
}
