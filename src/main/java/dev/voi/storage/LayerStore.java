package dev.voi.storage;

import dev.voi.chain.FileNames;
import dev.voi.chain.ImageName;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.logging.Logger;

/**
 * Layer files on disk. Published files live at {@code <data>/images/<image>/<canonical name>} and
 * are never changed. Uploads land in {@code <data>/tmp} first; a publish writes an intent file
 * naming its final path before it renames the upload into place, and removes the intent once the
 * row is committed, so that a crash between the rename and the commit is repaired at the next
 * start.
 */
public final class LayerStore {

  private static final Logger LOG = Logger.getLogger(LayerStore.class.getName());
  static final String PART_SUFFIX = ".part";
  static final String INTENT_SUFFIX = ".intent";

  private final Path dataDir;
  private final SecureRandom random;

  public LayerStore(Path dataDir, SecureRandom random) {
    this.dataDir = dataDir.toAbsolutePath().normalize();
    this.random = random;
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path tempDir() {
    return dataDir.resolve("tmp");
  }

  public Path imagesDir() {
    return dataDir.resolve("images");
  }

  /** The folder of one image; a valid image name cannot leave the data directory. */
  public Path imageDir(ImageName imageName) {
    return imagesDir().resolve(imageName.value());
  }

  /** Where a published layer file lives. */
  public Path layerFile(ImageName imageName, String fileName) {
    return imageDir(imageName).resolve(FileNames.requireSafe(fileName));
  }

  /** A new, empty temporary file for an upload. */
  public Path newUpload() throws IOException {
    Files.createDirectories(tempDir());
    byte[] id = new byte[12];
    random.nextBytes(id);
    return Files.createFile(
        tempDir().resolve("upload-" + HexFormat.of().formatHex(id) + PART_SUFFIX));
  }

  /** Bytes free for new uploads on the data directory's file system. */
  public long usableSpace() throws IOException {
    Files.createDirectories(dataDir);
    return Files.getFileStore(dataDir).getUsableSpace();
  }

  /**
   * Moves a finished, stamped upload to its final place, after recording the intent. Refuses to
   * replace an existing file: published files are immutable.
   *
   * @return the intent to {@link #settle} once the row is committed (or rolled back)
   */
  public Intent place(Path upload, ImageName imageName, String fileName) throws IOException {
    Path target = layerFile(imageName, fileName);
    Files.createDirectories(target.getParent());
    Path intent = upload.resolveSibling(upload.getFileName() + INTENT_SUFFIX);
    Files.writeString(intent, target.toString(), StandardCharsets.UTF_8);
    force(intent);
    forceDirectory(intent.getParent());
    if (Files.exists(target)) {
      Files.delete(intent);
      throw new FileAlreadyExistsException(target.toString());
    }
    Files.move(upload, target, StandardCopyOption.ATOMIC_MOVE);
    forceDirectory(target.getParent());
    return new Intent(intent, target);
  }

  /** A publish under way: its final file and the intent file that guards it. */
  public record Intent(Path intentFile, Path target) {}

  /**
   * Ends a publish: the intent goes; the file stays when its row was committed and is removed
   * otherwise.
   */
  public void settle(Intent intent, boolean committed) throws IOException {
    if (!committed) {
      Files.deleteIfExists(intent.target());
      forceDirectory(intent.target().getParent());
    }
    Files.deleteIfExists(intent.intentFile());
  }

  /**
   * The final paths of publishes under way: renamed into place (or about to be) while their row is
   * not committed yet. A scan for files without a row must not count them.
   */
  public Set<Path> placementsInProgress() throws IOException {
    Set<Path> targets = new HashSet<>();
    if (!Files.isDirectory(tempDir())) {
      return targets;
    }
    try (DirectoryStream<Path> intents = Files.newDirectoryStream(tempDir(), "*" + INTENT_SUFFIX)) {
      for (Path intent : intents) {
        try {
          targets.add(Path.of(Files.readString(intent, StandardCharsets.UTF_8).trim()).normalize());
        } catch (NoSuchFileException settled) {
          // the publish ended while we looked
        }
      }
    }
    return targets;
  }

  /**
   * Start-up repair: removes leftover uploads, and for every intent left by a crash removes the
   * file it names unless a row holds it ({@code referenced(image, fileName)}); a target whose
   * folder is not an image name no row can hold.
   *
   * @return the paths removed
   */
  public List<Path> recover(BiPredicate<ImageName, String> referenced) throws IOException {
    List<Path> removed = new ArrayList<>();
    if (!Files.isDirectory(tempDir())) {
      return removed;
    }
    try (DirectoryStream<Path> intents = Files.newDirectoryStream(tempDir(), "*" + INTENT_SUFFIX)) {
      for (Path intent : intents) {
        Path target = Path.of(Files.readString(intent, StandardCharsets.UTF_8).trim());
        boolean insideImages = target.normalize().startsWith(imagesDir());
        String image = target.getParent().getFileName().toString();
        String file = target.getFileName().toString();
        if (insideImages && Files.exists(target) && !held(referenced, image, file)) {
          Files.delete(target);
          removed.add(target);
        }
        Files.delete(intent);
      }
    }
    try (DirectoryStream<Path> parts = Files.newDirectoryStream(tempDir(), "*" + PART_SUFFIX)) {
      for (Path part : parts) {
        Files.delete(part);
        removed.add(part);
      }
    }
    if (!removed.isEmpty()) {
      LOG.info(() -> "Removed what interrupted publishes left behind: " + removed);
    }
    return removed;
  }

  private static boolean held(
      BiPredicate<ImageName, String> referenced, String image, String file) {
    return ImageName.isValid(image) && referenced.test(ImageName.of(image), file);
  }

  public static void force(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
  }

  public static void forceDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException ignored) {
      // Not every file system can fsync a directory; the rename itself is still atomic.
    }
  }
}
