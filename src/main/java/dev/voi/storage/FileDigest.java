package dev.voi.storage;

import com.sun.nio.file.ExtendedOpenOption;
import dev.voi.chain.Checksum;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The SHA-256 of a whole file read once front to back, bypassing the page cache where the file
 * system allows ({@code O_DIRECT}), with the next block read on another thread while this one is
 * digested: the pass over a just-written upload costs the slower of the disk and SHA-256, not their
 * sum, and does not fill the page cache with a file nobody reads yet. Elsewhere it is {@link
 * Checksum#sha256Of}.
 */
public final class FileDigest {

  private static final Logger LOG = Logger.getLogger(FileDigest.class.getName());
  static final int BLOCK = AlignedBuffers.SIZE;

  /** Reads in flight: one device request at a time leaves the disk idle while it waits. */
  static final int DEPTH = 3;

  private FileDigest() {}

  public static Checksum sha256(Path file, Executor executor) throws IOException {
    return sha256(file, executor, true);
  }

  /**
   * The SHA-256 of the whole file, as {@link #sha256(Path, Executor)}, while the file is forced to
   * stable storage on the executor: once this returns, the file is both hashed and durable, in the
   * time of the slower of the two rather than their sum.
   */
  public static Checksum sha256WhileForcing(Path file, Executor executor) throws IOException {
    return sha256WhileForcing(file, executor, () -> LayerStore.force(file));
  }

  static Checksum sha256WhileForcing(Path file, Executor executor, DirectIo.IoAction force)
      throws IOException {
    CompletableFuture<Void> forced = DirectIo.runAsync(force, executor);
    Checksum sha256;
    try {
      sha256 = sha256(file, executor);
    } catch (IOException | RuntimeException e) {
      try {
        DirectIo.await(forced, "forcing " + file);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    DirectIo.await(forced, "forcing " + file);
    return sha256;
  }

  static Checksum sha256(Path file, Executor executor, boolean tryDirect) throws IOException {
    if (!tryDirect) {
      return Checksum.sha256Of(file);
    }
    int alignment = DirectIo.alignment(file);
    if (alignment == 0) {
      return Checksum.sha256Of(file);
    }
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ, ExtendedOpenOption.DIRECT);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.log(Level.FINE, "no O_DIRECT for " + file + "; reading through the page cache", e);
      return Checksum.sha256Of(file);
    }
    try (channel) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      long size = channel.size();
      ByteBuffer[] buffers = new ByteBuffer[DEPTH];
      for (int i = 0; i < DEPTH; i++) {
        buffers[i] = AlignedBuffers.take(alignment);
      }
      if (size > 0) {
        // Some file systems accept O_DIRECT at open and refuse the reads.
        try {
          channel.read(buffers[0].clear(), 0);
        } catch (IOException e) {
          LOG.log(Level.FINE, "O_DIRECT reads refused for " + file, e);
          for (ByteBuffer buffer : buffers) {
            AlignedBuffers.give(buffer);
          }
          return Checksum.sha256Of(file);
        }
      }
      // Reads complete in the order they were issued, so the buffers are reused in turn.
      ArrayDeque<CompletableFuture<ByteBuffer>> reads = new ArrayDeque<>();
      long next = 0;
      int turn = 0;
      for (; reads.size() < DEPTH && next < size; next += BLOCK) {
        reads.add(read(channel, buffers[turn++ % DEPTH], next, size, executor));
      }
      while (!reads.isEmpty()) {
        digest.update(DirectIo.await(reads.poll(), "digesting " + file));
        if (next < size) {
          reads.add(read(channel, buffers[turn++ % DEPTH], next, size, executor));
          next += BLOCK;
        }
      }
      for (ByteBuffer buffer : buffers) {
        AlignedBuffers.give(buffer); // no read in flight any more (after a failure, left to GC)
      }
      return Checksum.ofBytes(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads the block at {@code position} (whole aligned blocks; the last one short). */
  private static CompletableFuture<ByteBuffer> read(
      FileChannel channel, ByteBuffer buffer, long position, long size, Executor executor) {
    return CompletableFuture.supplyAsync(
        () -> {
          long expected = Math.min(BLOCK, size - position);
          buffer.clear();
          try {
            while (buffer.position() < expected) {
              if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("the file ended at byte " + (position + buffer.position()));
              }
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          return buffer.flip().limit((int) expected);
        },
        executor);
  }
}
