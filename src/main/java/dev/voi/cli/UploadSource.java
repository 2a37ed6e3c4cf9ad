package dev.voi.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * What {@code voi publish} sends: the administrator's file with its first bytes replaced by {@code
 * prefix} (the header with the tip's canonical backing file name), the rest read from the file as
 * it is. The file itself is only ever opened for reading.
 */
final class UploadSource {

  /**
   * The hash reads FILE in pieces this large. Small enough that a piece stays in the CPU's cache
   * between the copy from the page cache and the SHA-256 that reads it again: hashing 1 GiB in a
   * fresh JVM took 1.56 s in 1 MiB pieces and 1.26 s in 64 KiB ones on the test machine (openssl:
   * 1.02 s).
   */
  private static final int CHUNK = 64 * 1024;

  private final Path file;
  private final long length;
  private final byte[] prefix;

  /**
   * @param prefix the bytes sent instead of the file's first {@code prefix.length} bytes (empty:
   *     the file as it is)
   */
  UploadSource(Path file, long length, byte[] prefix) {
    this.file = Objects.requireNonNull(file, "file");
    this.length = length;
    this.prefix = prefix.clone();
    if (this.prefix.length > length) {
      throw new IllegalArgumentException("prefix longer than the file");
    }
  }

  long length() {
    return length;
  }

  Path file() {
    return file;
  }

  byte[] prefix() {
    return prefix.clone();
  }

  /** The SHA-256 of what {@link #open} streams, as lower-case hex. */
  String sha256(Progress progress) throws IOException {
    return sha256(progress, () -> false);
  }

  /**
   * As {@link #sha256(Progress)}, stopping with a {@link CancellationException} as soon as {@code
   * cancelled} says so.
   */
  String sha256(Progress progress, BooleanSupplier cancelled) throws IOException {
    MessageDigest digest = newDigest();
    digest.update(prefix);
    progress.advance(prefix.length);
    ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long position = prefix.length;
      while (position < length) {
        if (cancelled.getAsBoolean()) {
          throw new CancellationException("hashing " + file + " cancelled");
        }
        buffer.clear();
        buffer.limit((int) Math.min(CHUNK, length - position));
        int read = channel.read(buffer, position);
        if (read < 0) {
          throw new IOException(
              file + " became shorter while it was read (at byte " + position + ")");
        }
        digest.update(buffer.array(), 0, read);
        position += read;
        progress.advance(read);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** A stream of the bytes to send; reading it advances {@code progress}. */
  InputStream open(Progress progress) {
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new InputStream() {
      private long position;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] bytes, int offset, int count) throws IOException {
        Objects.checkFromIndexSize(offset, count, bytes.length);
        if (position >= length) {
          return -1;
        }
        if (count == 0) {
          return 0;
        }
        int n;
        if (position < prefix.length) {
          n = (int) Math.min(count, prefix.length - position);
          System.arraycopy(prefix, (int) position, bytes, offset, n);
        } else {
          int wanted = (int) Math.min(count, length - position);
          n = channel.read(ByteBuffer.wrap(bytes, offset, wanted), position);
          if (n < 0) {
            throw new IOException(
                file + " became shorter while it was sent (at byte " + position + ")");
          }
        }
        position += n;
        progress.advance(n);
        return n;
      }

      @Override
      public void close() throws IOException {
        channel.close();
      }
    };
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
