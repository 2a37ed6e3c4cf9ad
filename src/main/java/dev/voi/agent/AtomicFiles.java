package dev.voi.agent;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/** Crash-safe file updates: write a temporary file, fsync it, rename it over the target. */
final class AtomicFiles {

  /** Writes the content of a file. */
  @FunctionalInterface
  interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  private AtomicFiles() {}

  /**
   * Replaces {@code target} with what {@code writer} writes: into a hidden temporary file beside
   * it, {@code fsync}, rename over the target, {@code fsync} of the directory. A reader sees the
   * old content or the new one, never a mix; on failure the target is unchanged and the temporary
   * file is gone.
   */
  static void write(Path target, Writer writer) throws IOException {
    Path directory = target.toAbsolutePath().getParent();
    Path temporary =
        directory.resolve("." + target.getFileName() + ".tmp-" + UUID.randomUUID().toString());
    try {
      try (FileChannel channel =
          FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        OutputStream out = Channels.newOutputStream(channel);
        writer.writeTo(out);
        out.flush();
        channel.force(true);
      }
      moveAtomically(temporary, target);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /**
   * Renames {@code source} to {@code target} atomically (replacing it), then fsyncs the directory.
   */
  static void moveAtomically(Path source, Path target) throws IOException {
    try {
      Files.move(
          source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException(
          "cannot rename " + source + " to " + target + " atomically (another file system?)", e);
    }
    syncDirectory(target.toAbsolutePath().getParent());
  }

  /** {@code fsync} of a directory, so that renames and deletions in it are durable. */
  static void syncDirectory(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some file systems refuse to open or sync directories; the rename itself is still atomic.
      if (!Files.isDirectory(directory)) {
        throw e;
      }
    }
  }

  /** {@code fsync} of a regular file's content. */
  static void syncFile(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
  }
}
