package dev.voi.images.control;

import dev.voi.chain.Checksum;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * SHA-256 of a stream on a second thread: the caller takes a free buffer, fills it, and hands it
 * over with {@link #digest}; the worker digests the buffers in the order they came and gives each
 * back. A fixed ring of buffers bounds the memory and lets the caller run at most that far ahead.
 * {@link #close} without {@link #finish} (a failure, a disconnect) stops the worker. The ring's
 * arrays come from {@link RingBuffers} and go back there once {@link #finish} has returned (after a
 * failure they are left to the collector: the worker may still be reading one).
 */
final class ContentDigester implements AutoCloseable {

  private static final Chunk END = new Chunk(null, -1);
  private static final long POLL_MILLIS = 100;

  private record Chunk(byte[] buffer, int length) {}

  private final BlockingQueue<byte[]> free;
  private final BlockingQueue<Chunk> filled;
  private final Future<byte[]> result;
  private boolean finished;

  ContentDigester(ExecutorService executor, int buffers, int bufferSize) {
    free = new ArrayBlockingQueue<>(buffers);
    filled = new ArrayBlockingQueue<>(buffers + 1);
    for (int i = 0; i < buffers; i++) {
      free.add(RingBuffers.take(bufferSize));
    }
    MessageDigest digest = sha256();
    result = executor.submit(() -> run(digest));
  }

  private byte[] run(MessageDigest digest) throws InterruptedException {
    for (Chunk chunk = filled.take(); chunk != END; chunk = filled.take()) {
      digest.update(chunk.buffer(), 0, chunk.length());
      free.put(chunk.buffer());
    }
    return digest.digest();
  }

  /** A free buffer, waiting while the worker is behind. */
  byte[] take() throws IOException {
    try {
      while (true) {
        byte[] buffer = free.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (buffer != null) {
          return buffer;
        }
        if (result.isDone()) {
          throw failed(null);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while digesting the upload");
    }
  }

  /** Returns a buffer that carries nothing to digest. */
  void giveBack(byte[] buffer) {
    free.add(buffer);
  }

  /** Hands over the first {@code length} bytes of {@code buffer}, taken from {@link #take}. */
  void digest(byte[] buffer, int length) {
    // Never blocks: at most every buffer of the ring and the end mark are ever queued.
    filled.add(new Chunk(buffer, length));
  }

  /**
   * Copies {@code length} bytes of {@code source} into buffers of the ring and hands them over: for
   * a digest of bytes the caller keeps using.
   */
  void feed(byte[] source, int offset, int length) throws IOException {
    while (length > 0) {
      byte[] buffer = take();
      int n = Math.min(length, buffer.length);
      System.arraycopy(source, offset, buffer, 0, n);
      digest(buffer, n);
      offset += n;
      length -= n;
    }
  }

  /** The SHA-256 of everything handed over. */
  Checksum finish() throws IOException {
    filled.add(END);
    finished = true;
    try {
      Checksum checksum = Checksum.ofBytes(result.get());
      // The worker is done and gave every buffer back: the ring can serve the next upload.
      free.forEach(RingBuffers::give);
      free.clear();
      return checksum;
    } catch (InterruptedException e) {
      result.cancel(true);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while digesting the upload");
    } catch (ExecutionException | CancellationException e) {
      throw failed(e);
    }
  }

  @Override
  public void close() {
    if (!finished) {
      result.cancel(true);
    }
  }

  private IOException failed(Exception e) {
    Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
    if (cause == null && result.isDone() && !result.isCancelled()) {
      try {
        result.get();
      } catch (ExecutionException x) {
        cause = x.getCause();
      } catch (InterruptedException x) {
        Thread.currentThread().interrupt();
        cause = x;
      }
    }
    return new IOException("the digest of the upload failed", cause);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
