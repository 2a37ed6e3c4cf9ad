package dev.voi.agent;

import dev.voi.chain.Checksum;
import dev.voi.chain.StampRecord;
import dev.voi.qcow2.HeaderExtension;
import dev.voi.qcow2.Qcow2Editor;
import dev.voi.qcow2.Qcow2FormatException;
import dev.voi.qcow2.Qcow2Header;
import dev.voi.qcow2.Qcow2Stamp;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Changes to an image directory, each of which leaves it bootable at every instant:
 *
 * <ol>
 *   <li>new layers are verified in {@code .staging/} and moved in base first, so whenever a file
 *       name appears or is replaced, the files below it are in place; a name is only ever replaced
 *       by a file of the same layer (same checksum: same guest content), so the old chain still
 *       reads the same data;
 *   <li>the manifest is rewritten (temporary file, fsync, rename): the commit point;
 *   <li>the boot overlay is recreated on the new tip (created under a temporary name, renamed);
 *   <li>only then are the files of the old chain deleted, and only those that no remaining qcow2
 *       file in the directory still uses as a backing file; the manifest lists the rest as {@code
 *       obsolete} until a later run can delete them.
 * </ol>
 */
final class ImageDirectory {

  static final String STAGING = ".staging";
  private static final String FLATTEN_WORK = "flatten";
  private static final String OVERLAY_TEMPORARY = ".voi-overlay-new.qcow2";
  private static final String PREVIOUS_SUFFIX = ".prev";

  private final Path directory;
  private final String image;
  private final Console console;
  private final QemuImg qemuImg;
  private boolean previousKept;

  ImageDirectory(Path directory, String image, Console console, QemuImg qemuImg) {
    this.directory = directory;
    this.image = image;
    this.console = console;
    this.qemuImg = qemuImg;
  }

  Path directory() {
    return directory;
  }

  /** What a DIR given on the command line is, before anything is read or written in it. */
  enum Kind {
    /** It does not exist (a typo?). */
    MISSING,
    /** It exists and holds nothing of the agent's but, perhaps, an unfinished first sync. */
    EMPTY,
    /** It holds a manifest: an image directory of this agent. */
    MANAGED,
    /** It holds other files and no manifest: not recognisably an image directory. */
    UNRECOGNISED
  }

  /** What {@code dir} is; the lock file and the staging folder alone still count as empty. */
  static Kind kind(Path dir) {
    if (!Files.exists(dir)) {
      return Kind.MISSING;
    }
    if (!Files.isDirectory(dir)) {
      return Kind.UNRECOGNISED;
    }
    if (Files.exists(Manifest.path(dir))) {
      return Kind.MANAGED;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      boolean other =
          entries
              .map(p -> p.getFileName().toString())
              .anyMatch(n -> !n.equals(Sync.LOCK_FILE) && !n.equals(STAGING));
      return other ? Kind.UNRECOGNISED : Kind.EMPTY;
    } catch (IOException e) {
      throw AgentException.localIo("cannot read " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Refuses a DIR the agent cannot recognise unless {@code init}: a missing one, or one holding
   * files but no manifest.
   *
   * @param command the command, for the message
   * @param init whether {@code --init} was given (only {@code sync} has it)
   * @return what DIR is
   * @throws AgentException {@link Failure#USAGE} with what to do
   */
  static Kind requireRecognised(Path dir, String command, boolean init) {
    Kind kind = kind(dir);
    if (init || kind == Kind.MANAGED || kind == Kind.EMPTY) {
      return kind;
    }
    String hint =
        command.equals("sync")
            ? "; if it is the right one, run sync with --init"
            : "; run sync --init there first if it is the right one";
    if (kind == Kind.MISSING) {
      throw AgentException.usage(
          "--dir: " + dir + " does not exist (a typo?); " + command + " changed nothing" + hint);
    }
    throw AgentException.usage(
        "--dir: "
            + dir
            + (Files.isDirectory(dir)
                ? " holds files but no "
                    + Manifest.FILE_NAME
                    + ", so it is not an image directory"
                    + " of this agent"
                : " is not a directory")
            + "; "
            + command
            + " changed nothing"
            + (Files.isDirectory(dir)
                ? hint + " (its layer files are adopted from their stamps)"
                : ""));
  }

  Path staging() {
    return directory.resolve(STAGING);
  }

  /**
   * Checks a downloaded, SHA-checked layer: its stamp must be exactly the layer the answer names,
   * and its backing file the layer below it ({@code expectedBacking}, null for the base).
   *
   * @throws AgentException {@link Failure#VERIFICATION} naming what differs
   */
  static void verifyLayer(Path file, Answer.Download download, String expectedBacking) {
    String name = download.fileName();
    try {
      Qcow2Header header = Qcow2Header.read(file);
      Qcow2Stamp stamp = Qcow2Editor.readStamp(file);
      StampRecord expected =
          new StampRecord(download.checksum(), download.version(), download.depth());
      if (!stamp.record().equals(Optional.of(expected))) {
        throw AgentException.verification(
            name
                + ": the stamp is "
                + stamp.record().map(ChainReader::describe).orElse("missing")
                + ", the answer says "
                + ChainReader.describe(expected));
      }
      if (header.hasIncompatibleFeature(Qcow2Header.INCOMPATIBLE_EXTERNAL_DATA_FILE)
          || header.extension(HeaderExtension.EXTERNAL_DATA_FILE).isPresent()) {
        throw AgentException.verification(
            name + ": refers to an external data file (qemu would open another file); refused");
      }
      Optional<String> backing = header.backingFile();
      if (expectedBacking == null) {
        if (backing.isPresent()) {
          throw AgentException.verification(
              name
                  + ": the base has a backing file "
                  + LocalNames.quote(backing.get())
                  + "; a base has none");
        }
      } else {
        if (backing.isEmpty() || !LocalNames.isSafe(backing.get())) {
          throw AgentException.verification(
              name
                  + ": the backing file is "
                  + backing.map(LocalNames::quote).orElse("missing")
                  + ", expected "
                  + expectedBacking);
        }
        if (!backing.get().equals(expectedBacking)) {
          throw AgentException.verification(
              name
                  + ": the backing file is "
                  + LocalNames.quote(backing.get())
                  + ", expected the layer below it, "
                  + expectedBacking);
        }
        Optional<String> format = header.backingFormat();
        if (format.isPresent() && !format.get().equals("qcow2")) {
          throw AgentException.verification(
              name + ": the backing format is " + LocalNames.quote(format.get()) + ", not qcow2");
        }
      }
    } catch (Qcow2FormatException e) {
      throw AgentException.verification(
          name
              + ": not a valid layer file ("
              + e.kind()
              + " "
              + e.field()
              + "): "
              + e.getMessage());
    } catch (IOException e) {
      throw AgentException.localIo("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Applies an update whose layers are verified in staging: keeps the layers below {@code
   * answer.keep()}, moves the downloads in, rewrites the manifest, recreates the boot overlay and
   * deletes what is no longer needed.
   *
   * @param held what the directory holds
   * @param reported the chain the answer was made for: {@code held.chain()} or a prefix of it
   * @param staged the verified files, in the order of {@code answer.downloads()}
   * @param bootOverlay the overlay to recreate on the new tip, or null
   * @return the new manifest
   */
  Manifest apply(
      ChainReader.Held held,
      Manifest reported,
      Answer answer,
      List<Path> staged,
      String bootOverlay) {
    Manifest old = held.chain();
    int keep = answer.keep();
    Manifest kept = ChainReader.truncate(reported, keep);
    List<Manifest.Layer> layers = new ArrayList<>(kept.layers());
    List<Manifest.LayerFile> files = new ArrayList<>(kept.files());
    Map<String, Manifest.LayerFile> oldFiles = new HashMap<>();
    old.files().forEach(f -> oldFiles.put(f.name(), f));
    try {
      for (int i = 0; i < answer.downloads().size(); i++) {
        Answer.Download download = answer.downloads().get(i);
        String name = download.fileName();
        requireReplaceable(name, download, kept, oldFiles, old, bootOverlay);
        AtomicFiles.syncFile(staged.get(i));
        AtomicFiles.moveAtomically(staged.get(i), directory.resolve(name));
        console.detail("moved " + name + " into " + directory);
        layers.add(new Manifest.Layer(download.depth(), download.version(), download.checksum()));
        files.add(
            new Manifest.LayerFile(
                name,
                download.depth(),
                download.depth(),
                new Manifest.Integrity(
                    download.size(), download.sha256(), FileIdentity.of(directory.resolve(name)))));
      }
      Set<String> newNames = new LinkedHashSet<>();
      files.forEach(f -> newNames.add(f.name()));
      Set<String> obsolete = new LinkedHashSet<>(held.owned());
      obsolete.addAll(old.obsolete());
      old.files().forEach(f -> obsolete.add(f.name()));
      obsolete.removeAll(newNames);
      String overlay = bootOverlay != null ? bootOverlay : old.bootOverlay();
      if (overlay != null) {
        obsolete.remove(overlay);
      }
      Manifest updated = new Manifest(image, layers, files, List.copyOf(obsolete), overlay);
      updated.write(directory);
      console.detail("manifest written: " + updated.layers().size() + " layers");
      if (bootOverlay != null) {
        ensureBootOverlay(updated, bootOverlay);
      }
      Manifest cleaned = deleteObsolete(updated);
      clearStaging();
      return cleaned;
    } catch (IOException e) {
      throw AgentException.localIo(
          "cannot apply the update in " + directory + ": " + e.getMessage(), e);
    }
  }

  /**
   * A download may take the name of a file in the directory only when that file is not part of the
   * chain still in use, or is the same layer (then the content is the same).
   */
  private void requireReplaceable(
      String name,
      Answer.Download download,
      Manifest kept,
      Map<String, Manifest.LayerFile> oldFiles,
      Manifest old,
      String bootOverlay) {
    if (name.equals(bootOverlay) || name.equals(Manifest.FILE_NAME)) {
      throw AgentException.server(
          "the server's layer file name " + name + " is the name of the boot overlay; refused");
    }
    if (kept.fileNames().contains(name)) {
      throw AgentException.server(
          "the server's layer file name " + name + " is the name of a kept layer; refused");
    }
    Manifest.LayerFile existing = oldFiles.get(name);
    if (existing != null) {
      Checksum existingTop = old.layers().get(existing.to()).checksum();
      if (existing.to() != download.depth() || !existingTop.equals(download.checksum())) {
        throw AgentException.localIo(
            "cannot apply: "
                + name
                + " is a file of the current chain (up to depth "
                + existing.to()
                + ") and would be replaced by a different layer; nothing was changed",
            null);
      }
    }
  }

  /**
   * (Re)creates the boot overlay on the chain's tip unless it already sits on it: {@code qemu-img
   * create -f qcow2 -F qcow2 -b TIP} under a temporary name, then renamed over the old one.
   */
  void ensureBootOverlay(Manifest chain, String overlay) throws IOException {
    if (chain.fileNames().contains(overlay) || chain.obsolete().contains(overlay)) {
      throw AgentException.usage(
          "--boot-overlay: " + overlay + " is a layer file of the chain; choose another name");
    }
    Optional<Manifest.LayerFile> tip = chain.tip();
    Path path = directory.resolve(overlay);
    if (tip.isEmpty()) {
      if (Files.exists(path)) {
        console.warn("no layers are held, so the boot overlay " + overlay + " was left as it is");
      }
      return;
    }
    String tipName = tip.get().name();
    boolean replacing = false;
    if (Files.isRegularFile(path)) {
      try {
        Qcow2Header header = Qcow2Header.read(path);
        if (header.backingFile().equals(Optional.of(tipName))) {
          console.detail("boot overlay " + overlay + " already sits on " + tipName);
          return;
        }
        requireNotInUse(overlay);
        console.info(
            "replacing the boot overlay "
                + overlay
                + ": it sits on "
                + header.backingFile().map(LocalNames::quote).orElse("no backing file")
                + ", which is no longer the tip "
                + tipName
                + "; what the guest wrote into it is discarded (the old overlay is kept as "
                + previous(overlay)
                + " until the next successful sync)");
      } catch (Qcow2FormatException e) {
        requireNotInUse(overlay);
        console.warn(
            "the boot overlay "
                + overlay
                + " is not valid ("
                + e.getMessage()
                + "); recreating it (the old one is kept as "
                + previous(overlay)
                + ")");
      }
      replacing = true;
    }
    if (!qemuImg.isAvailable()) {
      throw AgentException.localIo(
          "cannot create the boot overlay " + overlay + ": qemu-img is not available", null);
    }
    Path temporary = directory.resolve(OVERLAY_TEMPORARY);
    Files.deleteIfExists(temporary);
    try {
      qemuImg.run(
          directory,
          "create",
          "-q",
          "-f",
          "qcow2",
          "-F",
          "qcow2",
          "-b",
          tipName,
          OVERLAY_TEMPORARY);
      AtomicFiles.syncFile(temporary);
      if (replacing) {
        requireNotInUse(overlay);
        Files.move(path, directory.resolve(previous(overlay)), StandardCopyOption.REPLACE_EXISTING);
        previousKept = true;
      }
      AtomicFiles.moveAtomically(temporary, path);
    } finally {
      Files.deleteIfExists(temporary);
    }
    console.info("boot overlay " + overlay + " now sits on " + tipName);
  }

  /** The name the replaced boot overlay is kept under: {@code NAME.prev}. */
  static String previous(String overlay) {
    return overlay + PREVIOUS_SUFFIX;
  }

  /**
   * Refuses to touch a boot overlay that a QEMU process (a running guest) has open: replacing it
   * would leave the guest writing into a deleted file.
   *
   * @throws AgentException {@link Failure#LOCAL_IO}
   */
  void requireNotInUse(String overlay) throws IOException {
    Path path = directory.resolve(overlay);
    if (Files.isRegularFile(path) && QemuLock.isHeld(path)) {
      throw AgentException.localIo(
          "the boot overlay "
              + overlay
              + " is open in another process (QEMU's lock is held: a running guest?); it was not"
              + " replaced and the chain was not changed: shut the guest down and run sync again",
          null);
    }
  }

  /**
   * Whether the recorded boot overlay exists and sits on something other than the chain's tip.
   *
   * @return the overlay's backing file name when it is on an old chain, else empty
   */
  Optional<String> overlayOnOldChain(Manifest chain) throws IOException {
    String overlay = chain.bootOverlay();
    Optional<Manifest.LayerFile> tip = chain.tip();
    if (overlay == null || tip.isEmpty()) {
      return Optional.empty();
    }
    Path path = directory.resolve(overlay);
    if (!Files.isRegularFile(path)) {
      return Optional.empty();
    }
    try {
      Optional<String> backing = Qcow2Header.read(path).backingFile();
      return backing.equals(Optional.of(tip.get().name()))
          ? Optional.empty()
          : Optional.of(backing.orElse("no backing file"));
    } catch (Qcow2FormatException e) {
      return Optional.of("nothing readable (" + e.getMessage() + ")");
    }
  }

  /**
   * Deletes the overlay kept as {@code NAME.prev} by an earlier run (not the one this run kept):
   * called at the end of a successful sync.
   */
  void deletePreviousOverlay(String overlay) throws IOException {
    if (overlay == null || previousKept) {
      return;
    }
    Path previous = directory.resolve(previous(overlay));
    if (Files.deleteIfExists(previous)) {
      console.info(
          "deleted " + previous(overlay) + " (the boot overlay replaced by an earlier sync)");
    }
  }

  /**
   * Deletes the manifest's obsolete files that no remaining qcow2 file in the directory uses as a
   * backing file (directly or through other obsolete files), and rewrites the manifest with the
   * rest.
   */
  Manifest deleteObsolete(Manifest manifest) throws IOException {
    if (manifest.obsolete().isEmpty()) {
      return manifest;
    }
    Set<String> obsolete = new LinkedHashSet<>(manifest.obsolete());
    Map<String, String> backingOf = backingFiles();
    Set<String> stillNeeded = new LinkedHashSet<>();
    for (Map.Entry<String, String> entry : backingOf.entrySet()) {
      if (obsolete.contains(entry.getKey())) {
        continue;
      }
      String backing = entry.getValue();
      while (backing != null && obsolete.contains(backing) && stillNeeded.add(backing)) {
        console.detail(backing + " is kept: " + entry.getKey() + " still sits on it");
        backing = backingOf.get(backing);
      }
    }
    List<String> remaining = new ArrayList<>();
    for (String name : obsolete) {
      if (stillNeeded.contains(name)) {
        remaining.add(name);
        continue;
      }
      Files.deleteIfExists(directory.resolve(name));
      console.detail("deleted " + name);
    }
    if (!remaining.isEmpty()) {
      console.warn(
          "kept "
              + String.join(", ", remaining)
              + ": still the backing file of another image in "
              + directory
              + " (deleted by a later run once nothing uses it)");
    }
    AtomicFiles.syncDirectory(directory);
    Manifest updated = manifest.withObsolete(remaining);
    updated.write(directory);
    return updated;
  }

  /** The backing file name (last path component) of every readable qcow2 file in the directory. */
  private Map<String, String> backingFiles() throws IOException {
    Map<String, String> backingOf = new HashMap<>();
    try (DirectoryStream<Path> entries =
        Files.newDirectoryStream(directory, "*.{qcow2,qcow2" + PREVIOUS_SUFFIX + "}")) {
      for (Path entry : entries) {
        if (!Files.isRegularFile(entry)) {
          continue;
        }
        try {
          Optional<String> backing = Qcow2Header.read(entry).backingFile();
          backing
              .map(ImageDirectory::lastComponent)
              .ifPresent(b -> backingOf.put(entry.getFileName().toString(), b));
          backingOf.putIfAbsent(entry.getFileName().toString(), null);
        } catch (IOException e) {
          console.detail(entry.getFileName() + ": not readable as qcow2 (" + e.getMessage() + ")");
        }
      }
    }
    return backingOf;
  }

  private static String lastComponent(String backing) {
    int slash = backing.lastIndexOf('/');
    return slash < 0 ? backing : backing.substring(slash + 1);
  }

  /** Deletes everything in the staging folder (after a successful apply). */
  void clearStaging() throws IOException {
    deleteTree(staging());
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  /**
   * Merges the chain into one file with {@code qemu-img commit}, working on copies in the staging
   * folder: the base copy receives every layer, is checked, and replaces the tip file under the
   * tip's name (so the boot overlay and later layers keep resolving; the guest content under that
   * name does not change). The manifest then records that the file covers layers 0..m.
   *
   * @return the new manifest, or {@code chain} unchanged when there is nothing to merge or no
   *     qemu-img
   */
  Manifest flatten(Manifest chain) {
    if (chain.files().size() <= 1) {
      console.detail("flatten: the chain is one file already");
      return chain;
    }
    if (!qemuImg.isAvailable()) {
      console.warn("--flatten: qemu-img is not available; the chain was left as it is");
      return chain;
    }
    Path work = staging().resolve(FLATTEN_WORK);
    Manifest.LayerFile base = chain.files().get(0);
    Manifest.LayerFile tip = chain.tip().orElseThrow();
    try {
      deleteTree(work);
      Files.createDirectories(work);
      console.info(
          "flattening " + chain.files().size() + " files into one (copies in " + work + ")");
      for (Manifest.LayerFile file : chain.files()) {
        Files.copy(
            directory.resolve(file.name()),
            work.resolve(file.name()),
            StandardCopyOption.COPY_ATTRIBUTES);
      }
      qemuImg.run(work, "commit", "-q", "-b", base.name(), tip.name());
      qemuImg.run(work, "check", "-q", base.name());
      Path merged = work.resolve(base.name());
      if (Qcow2Header.read(merged).hasBackingFile()) {
        throw AgentException.localIo(
            "flatten: the merged file still has a backing file; the chain was left as it is", null);
      }
      AtomicFiles.syncFile(merged);
      Checksum mergedSha256 = Checksum.sha256Of(merged);
      AtomicFiles.moveAtomically(merged, directory.resolve(tip.name()));
      FileIdentity mergedIdentity = FileIdentity.of(directory.resolve(tip.name()));
      Set<String> obsolete = new LinkedHashSet<>(chain.obsolete());
      chain.files().stream()
          .map(Manifest.LayerFile::name)
          .filter(n -> !n.equals(tip.name()))
          .forEach(obsolete::add);
      Manifest flattened =
          new Manifest(
              image,
              chain.layers(),
              List.of(
                  new Manifest.LayerFile(
                      tip.name(),
                      0,
                      tip.to(),
                      new Manifest.Integrity(mergedIdentity.size(), mergedSha256, mergedIdentity))),
              List.copyOf(obsolete),
              chain.bootOverlay());
      flattened.write(directory);
      deleteTree(work);
      console.info(
          "flattened layers 0.."
              + tip.to()
              + " into "
              + tip.name()
              + " (recorded in the manifest)");
      return deleteObsolete(flattened);
    } catch (IOException e) {
      throw AgentException.localIo("flatten failed: " + e.getMessage(), e);
    } finally {
      try {
        deleteTree(work);
      } catch (IOException e) {
        console.detail("cannot clean " + work + ": " + e.getMessage());
      }
    }
  }
}
