package dev.voi.storage;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes a large file front to back, once, bypassing the page cache where the file system allows
 * ({@code O_DIRECT}): whole aligned blocks go from staging buffers outside the heap to the device,
 * and only the last partial block goes through the page cache. An upload of tens of GB neither
 * evicts the layers that terminals are downloading nor pays for page-cache pages it would never
 * read again (copying into freshly allocated page-cache pages was 78% of the request thread's time
 * in {@code bench/transfer}: 2.3 s per GiB in this VM, against 0.35 s for the direct write). Where
 * {@code O_DIRECT} is refused (tmpfs, some network file systems) it writes through the page cache
 * as usual.
 *
 * <p>Whole blocks are written on the executor while the next ones arrive, up to {@link #IN_FLIGHT}
 * at once (one write at a time leaves a virtual disk idle between requests). Every {@link
 * #SYNC_EVERY} bytes handed over, the file is forced ({@code fdatasync}) in the background, which
 * makes the writes completed by then durable; like RocksDB's {@code bytes_per_sync} (which only
 * starts write-back) it spreads the cost, so that the caller's final force has only the last part
 * to flush instead of the whole file.
 *
 * <p>Not durable by itself: the caller forces the file when it is complete.
 */
public final class StreamingFileWriter implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(StreamingFileWriter.class.getName());
  static final int STAGING = AlignedBuffers.SIZE;

  /**
   * Block writes handed to the executor and not yet done, at most: one at a time left the virtual
   * disk idle between requests; six gained nothing over three in {@code bench/transfer}.
   */
  static final int IN_FLIGHT = 3;

  /**
   * Bytes between two background flushes. In {@code bench/transfer} one flush of a whole GiB after
   * the upload took 0.4–0.5 s; flushed every 32 MiB on the way, the last one takes ~0.01 s and the
   * upload is no slower (128 MiB left 0.1–0.2 s more in total, 8 MiB was no better).
   */
  static final long SYNC_EVERY = 32L * 1024 * 1024;

  private final Path file;
  private final FileChannel channel;
  private final boolean direct;
  private final Executor executor;
  private final int block;
  private final long syncEvery;
  // Direct mode: one buffer fills while up to IN_FLIGHT others are written on the executor.
  private ByteBuffer staging;
  private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
  private final ArrayDeque<BlockWrite> writing = new ArrayDeque<>();
  private CompletableFuture<Void> syncing = CompletableFuture.completedFuture(null);
  private long nextSync;
  private int syncs;
  private long position;
  private boolean closed;

  private record BlockWrite(ByteBuffer buffer, CompletableFuture<Void> done) {}

  private StreamingFileWriter(
      Path file,
      FileChannel channel,
      boolean direct,
      int block,
      Executor executor,
      long syncEvery) {
    this.file = file;
    this.channel = channel;
    this.direct = direct;
    this.block = block;
    this.executor = executor;
    this.syncEvery = syncEvery;
    this.nextSync = syncEvery;
    if (direct) {
      staging = AlignedBuffers.take(block);
    }
  }

  /**
   * Opens an existing, empty {@code file} for writing from its start.
   *
   * @param executor where whole blocks are written while the caller fills the next (direct mode),
   *     and where the background flushes run
   */
  public static StreamingFileWriter open(Path file, Executor executor) throws IOException {
    return open(file, executor, true, SYNC_EVERY);
  }

  static StreamingFileWriter open(Path file, Executor executor, boolean tryDirect)
      throws IOException {
    return open(file, executor, tryDirect, SYNC_EVERY);
  }

  static StreamingFileWriter open(Path file, Executor executor, boolean tryDirect, long syncEvery)
      throws IOException {
    if (Files.size(file) != 0) {
      throw new IOException(file + " is not empty");
    }
    int block = tryDirect ? DirectIo.alignment(file) : 0;
    if (block > 0) {
      FileChannel channel = null;
      try {
        channel = FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
        probe(channel, block);
        return new StreamingFileWriter(file, channel, true, block, executor, syncEvery);
      } catch (IOException | UnsupportedOperationException e) {
        if (channel != null) {
          channel.close();
        }
        LOG.log(Level.FINE, "no O_DIRECT for " + file + "; writing through the page cache", e);
      }
    }
    return new StreamingFileWriter(
        file, FileChannel.open(file, StandardOpenOption.WRITE), false, 1, executor, syncEvery);
  }

  /** Whether whole blocks bypass the page cache. */
  public boolean direct() {
    return direct;
  }

  /** Appends {@code length} bytes of {@code bytes} from {@code offset}. */
  public void write(byte[] bytes, int offset, int length) throws IOException {
    requireOpen();
    if (!direct) {
      ByteBuffer chunk = ByteBuffer.wrap(bytes, offset, length);
      while (chunk.hasRemaining()) {
        position += channel.write(chunk, position);
      }
      syncAsWeGo();
      return;
    }
    while (length > 0) {
      int n = Math.min(length, staging.remaining());
      staging.put(bytes, offset, n);
      offset += n;
      length -= n;
      if (!staging.hasRemaining()) {
        writeBehind();
      }
    }
  }

  /**
   * Writes what is still staged (whole blocks directly, the last partial block through the page
   * cache) and waits for every write and background flush.
   */
  public void finish() throws IOException {
    requireOpen();
    if (direct) {
      awaitWrites();
      int whole = (staging.position() / block) * block;
      int staged = staging.position();
      if (whole > 0) {
        staging.flip().limit(whole);
        writeFully(channel, staging, position);
        position += whole;
        staging.limit(staged);
      } else {
        staging.flip();
      }
      if (staging.hasRemaining()) {
        try (FileChannel buffered = FileChannel.open(file, StandardOpenOption.WRITE)) {
          int tail = staging.remaining();
          writeFully(buffered, staging, position);
          position += tail;
        }
      }
      staging.clear();
    }
    awaitSync();
  }

  /** How many bytes are in the file once {@link #finish} returned. */
  public long position() {
    return position;
  }

  /** How many background flushes were started. */
  int syncs() {
    return syncs;
  }

  /** The channel, for tests that make a write fail. */
  FileChannel channel() {
    return channel;
  }

  private void requireOpen() throws IOException {
    if (closed) {
      throw new IOException(file + " was closed");
    }
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    boolean idle = true; // false once a write may still be running: its buffer is not reused
    while (!writing.isEmpty()) {
      BlockWrite write = writing.removeFirst();
      try {
        DirectIo.await(write.done(), "writing " + file);
      } catch (InterruptedIOException e) {
        idle = false;
      } catch (IOException e) {
        LOG.log(Level.FINE, "a write of " + file + " failed before it was closed", e);
      }
      free.add(write.buffer());
    }
    try {
      awaitSync();
    } catch (IOException e) {
      LOG.log(Level.FINE, "a flush of " + file + " failed before it was closed", e);
    } finally {
      channel.close();
      if (direct && idle) {
        AlignedBuffers.give(staging);
        free.forEach(AlignedBuffers::give);
      }
      free.clear();
    }
  }

  /**
   * One aligned block written and taken back: some file systems accept {@code O_DIRECT} at open and
   * refuse the writes (or want a larger alignment than they report).
   */
  private static void probe(FileChannel channel, int block) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocateDirect(2 * block).alignedSlice(block).limit(block);
    writeFully(channel, zeros, 0);
    channel.truncate(0);
  }

  /** Hands the full staging buffer to the executor and goes on with a free one. */
  private void writeBehind() throws IOException {
    if (writing.size() == IN_FLIGHT) {
      BlockWrite oldest = writing.peekFirst();
      DirectIo.await(oldest.done(), "writing " + file);
      free.add(writing.removeFirst().buffer());
    }
    // The next buffer first: if none can be had (no direct memory left), the full one is still
    // only the staging buffer, never also a write's, so close() gives it back once.
    ByteBuffer next = free.isEmpty() ? AlignedBuffers.take(block) : free.removeFirst();
    ByteBuffer full = staging.flip();
    long at = position;
    position += full.remaining();
    writing.addLast(
        new BlockWrite(full, DirectIo.runAsync(() -> writeFully(channel, full, at), executor)));
    staging = next.clear();
    syncAsWeGo();
  }

  /**
   * Starts a background flush of what has been written so far, once {@link #syncEvery} more bytes
   * have been handed over since the last one and it is done; a failed flush surfaces here.
   */
  private void syncAsWeGo() throws IOException {
    if (position < nextSync || !syncing.isDone()) {
      return;
    }
    awaitSync();
    nextSync = position + syncEvery;
    syncs++;
    syncing = DirectIo.runAsync(() -> channel.force(false), executor);
  }

  private void awaitWrites() throws IOException {
    while (!writing.isEmpty()) {
      DirectIo.await(writing.peekFirst().done(), "writing " + file);
      free.add(writing.removeFirst().buffer());
    }
  }

  private void awaitSync() throws IOException {
    try {
      DirectIo.await(syncing, "flushing " + file);
    } finally {
      syncing = CompletableFuture.completedFuture(null);
    }
  }

  private static void writeFully(FileChannel channel, ByteBuffer buffer, long at)
      throws IOException {
    long offset = at;
    while (buffer.hasRemaining()) {
      offset += channel.write(buffer, offset);
    }
  }
}
