package dev.voi.storage;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/** What {@link StreamingFileWriter} and {@link FileDigest} share about {@code O_DIRECT} I/O. */
final class DirectIo {

  private DirectIo() {}

  /**
   * The alignment {@code O_DIRECT} needs on the file system of {@code file} (its block size), or 0
   * when it is unknown or does not divide {@link AlignedBuffers#SIZE}.
   */
  static int alignment(Path file) {
    try {
      int block = Math.toIntExact(Files.getFileStore(file).getBlockSize());
      return block > 0 && AlignedBuffers.SIZE % block == 0 ? block : 0;
    } catch (IOException | UnsupportedOperationException | ArithmeticException e) {
      return 0;
    }
  }

  /** An I/O action for {@link #runAsync}. */
  @FunctionalInterface
  interface IoAction {
    void run() throws IOException;
  }

  /** Runs {@code action} on the executor; {@link #await} gives back its IOException as it was. */
  static CompletableFuture<Void> runAsync(IoAction action, Executor executor) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            action.run();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        executor);
  }

  /** The result of an I/O task run on another thread, its failure as the IOException it was. */
  static <T> T await(CompletableFuture<T> task, String what) throws IOException {
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while " + what);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UncheckedIOException io) {
        throw io.getCause();
      }
      throw new IOException(e.getCause());
    }
  }
}
