package dev.voi.cli;

import dev.voi.chain.Checksum;
import dev.voi.chain.DigestField;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;

/**
 * The body of an upload sent chunked ({@code Transfer-Encoding: chunked}) and closed by a {@code
 * Content-Digest} trailer that carries its SHA-256 (RFC 9530), so that the digest can be computed
 * while the body is sent instead of in a pass before it. The file's bytes still go to the socket by
 * {@link FileChannel#transferTo} ({@code sendfile} on Linux, no copy through the JVM): only the few
 * bytes of each chunk's size line are written between them.
 *
 * <p>A first chunk of {@link #OPENING} bytes goes out with the request's head ({@link #opening}),
 * before the {@code 100 Continue}: Payara's HTTP layer (Grizzly) hands a chunked request to the
 * application only once bytes of its body have arrived (a size line alone is not always enough), so
 * a client that sent nothing but the head would wait out its own time-out for a {@code 100} the
 * server cannot send yet. A client may send body bytes before the interim answer (RFC 9110
 * §10.1.1); a refusal still comes before more than those few bytes are sent.
 */
final class ChunkedBody {

  /** Bytes per chunk: the size lines cost 12 bytes each, so any large value will do. */
  static final long CHUNK = 8L << 20;

  /** The SHA-256 of the body, waited for after its last byte was sent. */
  @FunctionalInterface
  interface Digest {
    Checksum await() throws IOException;
  }

  private ChunkedBody() {}

  /** The request's headers that say how the body comes, each ending with CRLF. */
  static String headers() {
    return "Transfer-Encoding: chunked\r\nTrailer: Content-Digest\r\n";
  }

  /** The bytes of the first chunk, sent with the head. */
  static final int OPENING = 512;

  /**
   * What goes right behind the head: the first chunk, the first {@link #OPENING} bytes of what is
   * sent (all of it when shorter; nothing for an empty body).
   */
  static byte[] opening(UploadSource source) throws IOException {
    int length = (int) Math.min(OPENING, source.length());
    if (length == 0) {
      return new byte[0];
    }
    byte[] prefix = source.prefix();
    ByteBuffer bytes = ByteBuffer.allocate(length);
    bytes.put(prefix, 0, Math.min(prefix.length, length));
    try (FileChannel file = FileChannel.open(source.file(), StandardOpenOption.READ)) {
      while (bytes.hasRemaining()) {
        if (file.read(bytes, bytes.position()) < 0) {
          throw new IOException(source.file() + " became shorter while it was sent");
        }
      }
    }
    ByteBuffer chunk = ByteBuffer.allocate(length + 16);
    chunk.put(sizeLine(length)).put(bytes.array()).put(CRLF);
    return Arrays.copyOf(chunk.array(), chunk.position());
  }

  /**
   * Writes {@code source} after its {@link #opening} as chunks of at most {@link #CHUNK} bytes,
   * then the last chunk with the trailer of {@code digest}.
   */
  static void send(WritableByteChannel out, UploadSource source, Progress progress, Digest digest)
      throws IOException {
    byte[] prefix = source.prefix();
    long end = source.length();
    long opened = Math.min(OPENING, end);
    progress.advance(opened);
    try (FileChannel file = FileChannel.open(source.file(), StandardOpenOption.READ)) {
      long position = opened;
      while (position < end) {
        long chunkEnd = Math.min(end, position + CHUNK);
        writeFully(out, ByteBuffer.wrap(sizeLine(chunkEnd - position)));
        if (position < prefix.length) {
          int n = (int) (Math.min(prefix.length, chunkEnd) - position);
          writeFully(out, ByteBuffer.wrap(prefix, (int) position, n));
          position += n;
          progress.advance(n);
        }
        position = transfer(file, source, position, chunkEnd, out, progress);
        writeFully(out, ByteBuffer.wrap(CRLF));
      }
    }
    writeFully(out, ByteBuffer.wrap(lastChunk(digest.await())));
  }

  /** Sends the file's bytes {@code [position, chunkEnd)} by the kernel; returns chunkEnd. */
  private static long transfer(
      FileChannel file,
      UploadSource source,
      long position,
      long chunkEnd,
      WritableByteChannel out,
      Progress progress)
      throws IOException {
    while (position < chunkEnd) {
      long sent = file.transferTo(position, chunkEnd - position, out);
      if (sent <= 0) {
        if (file.size() < source.length()) {
          throw new IOException(
              source.file() + " became shorter while it was sent (at byte " + position + ")");
        }
        continue;
      }
      position += sent;
      progress.advance(sent);
    }
    return position;
  }

  private static final byte[] CRLF = {'\r', '\n'};

  /** {@code <size in hex>CRLF}. */
  static byte[] sizeLine(long size) {
    return (Long.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** The last chunk, the trailer and the end of the message. */
  static byte[] lastChunk(Checksum sha256) {
    return String.format(Locale.ROOT, "0\r\nContent-Digest: %s\r\n\r\n", DigestField.of(sha256))
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static void writeFully(WritableByteChannel out, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      out.write(buffer);
    }
  }
}
