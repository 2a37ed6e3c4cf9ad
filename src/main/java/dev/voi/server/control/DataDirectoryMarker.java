package dev.voi.server.control;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.UUID;

/**
 * The file in the data directory that names the server it belongs to. A wrong or unmounted
 * directory must never look like a fleet of missing files, so the server compares it with the
 * database at every start.
 */
public final class DataDirectoryMarker {

  public static final String FILE_NAME = "voi-server.id";

  private final Path dataDir;

  public DataDirectoryMarker(Path dataDir) {
    this.dataDir = dataDir;
  }

  public Path file() {
    return dataDir.resolve(FILE_NAME);
  }

  /** The UUID in the marker, or empty when there is no marker. */
  public Optional<UUID> read() throws IOException {
    Path file = file();
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
    try {
      return Optional.of(UUID.fromString(text));
    } catch (IllegalArgumentException e) {
      throw new IOException("the marker " + file + " does not hold a server UUID", e);
    }
  }

  /** Writes the marker atomically: a temporary file, fsync, rename, fsync of the directory. */
  public void write(UUID serverUuid) throws IOException {
    Files.createDirectories(dataDir);
    Path temp = dataDir.resolve(FILE_NAME + ".tmp");
    Files.writeString(temp, serverUuid + "\n", StandardCharsets.US_ASCII);
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    try {
      Files.move(temp, file(), StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, file(), StandardCopyOption.REPLACE_EXISTING);
    }
    try (FileChannel directory = FileChannel.open(dataDir, StandardOpenOption.READ)) {
      directory.force(true);
    } catch (IOException ignored) {
      // Some file systems cannot fsync a directory; the rename is still atomic.
    }
  }
}
