package dev.voi.agent;

import dev.voi.chain.CheckInfo;
import dev.voi.chain.Checksum;
import dev.voi.chain.FileNames;
import dev.voi.chain.LayerState;
import dev.voi.chain.ServerLayer;
import dev.voi.chain.StampRecord;
import dev.voi.qcow2.Qcow2Editor;
import dev.voi.qcow2.Qemu;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * An image's lineage as the server keeps it (docs/design.md §4), made with the real qemu-img and
 * stamped with the real {@link Qcow2Editor#publish}: each layer's checksum from its check info, its
 * file under the canonical name with the parent's canonical name as backing file. The store
 * directory plays the server's data directory.
 */
final class Lineage {

  static final UUID SERVER = UUID.fromString("3f1c6a52-7d0e-4b8e-9a41-2c5d8e9f0a17");
  static final String VIRTUAL_SIZE = "4M";

  /** A published layer. */
  record Layer(
      int depth,
      long version,
      Checksum checksum,
      String fileName,
      Path file,
      Checksum sha256,
      long size,
      LayerState state) {

    Layer withState(LayerState newState) {
      return new Layer(depth, version, checksum, fileName, file, sha256, size, newState);
    }

    ServerLayer serverLayer() {
      return new ServerLayer(depth, version, checksum, size, state);
    }

    StampRecord stamp() {
      return new StampRecord(checksum, version, depth);
    }
  }

  private final Path store;
  private final String image;
  private final List<Layer> chain = new ArrayList<>();
  private final Map<Checksum, Layer> everyLayer = new HashMap<>();
  private int uploads;

  Lineage(Path store, String image) {
    this.store = store;
    this.image = image;
    try {
      Files.createDirectories(store);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String image() {
    return image;
  }

  Path store() {
    return store;
  }

  synchronized List<Layer> chain() {
    return List.copyOf(chain);
  }

  synchronized Layer tip() {
    return chain.get(chain.size() - 1);
  }

  synchronized Layer byChecksum(Checksum checksum) {
    return everyLayer.get(checksum);
  }

  /**
   * Publishes a new base (retiring the whole chain, as a rebuilt template does); {@code writes} are
   * qemu-io commands that give it content.
   */
  synchronized Layer publishBase(long version, String... writes) {
    Path upload = store.resolve("upload-" + uploads++ + ".qcow2");
    Qemu.img(store, "create", "-q", "-f", "qcow2", upload.getFileName().toString(), VIRTUAL_SIZE)
        .assertOk();
    if (writes.length > 0) {
      Qemu.io(upload, writes).assertOk();
    }
    chain.clear();
    return publish(upload, version, null);
  }

  /** Publishes a diff on the tip, built as an admin would: an overlay on the tip's file. */
  synchronized Layer publishDiff(long version, String... writes) {
    Layer parent = tip();
    Path upload = store.resolve("upload-" + uploads++ + ".qcow2");
    Qemu.img(
            store,
            "create",
            "-q",
            "-f",
            "qcow2",
            "-F",
            "qcow2",
            "-b",
            parent.fileName(),
            upload.getFileName().toString())
        .assertOk();
    if (writes.length > 0) {
      Qemu.io(upload, writes).assertOk();
    }
    return publish(upload, version, parent);
  }

  private Layer publish(Path upload, long version, Layer parent) {
    try {
      Checksum contentDigest = Checksum.sha256Of(upload);
      int depth = parent == null ? 0 : parent.depth() + 1;
      Checksum checksum =
          new CheckInfo(
                  version, SERVER, image, parent == null ? null : parent.checksum(), contentDigest)
              .checksum();
      String fileName = FileNames.canonical(image, depth, checksum);
      Path file = store.resolve(fileName);
      Files.move(upload, file);
      Qcow2Editor.publish(
          file,
          parent == null ? null : parent.fileName(),
          new StampRecord(checksum, version, depth));
      Layer layer =
          new Layer(
              depth,
              version,
              checksum,
              fileName,
              file,
              Checksum.sha256Of(file),
              Files.size(file),
              LayerState.PUBLISHED);
      chain.add(layer);
      everyLayer.put(checksum, layer);
      return layer;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Retires the tip; its file stays downloadable. */
  synchronized void retireTip() {
    Layer tip = chain.remove(chain.size() - 1);
    everyLayer.put(tip.checksum(), tip.withState(LayerState.RETIRED));
  }

  /**
   * Stamps a published file with another record (a mix-up on the server) and updates its SHA-256,
   * so that only the stamp check can notice.
   */
  synchronized void restamp(int depth, StampRecord record) {
    try {
      Layer layer = chain.get(depth);
      Qcow2Editor.stamp(layer.file(), record);
      Layer updated =
          new Layer(
              layer.depth(),
              layer.version(),
              layer.checksum(),
              layer.fileName(),
              layer.file(),
              Checksum.sha256Of(layer.file()),
              Files.size(layer.file()),
              layer.state());
      chain.set(depth, updated);
      everyLayer.put(updated.checksum(), updated);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  synchronized void setState(int depth, LayerState state) {
    Layer layer = chain.get(depth).withState(state);
    chain.set(depth, layer);
    everyLayer.put(layer.checksum(), layer);
  }
}
