package dev.voi.chain;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * Passes bytes through to another stream while computing their SHA-256, so an upload is written to
 * disk and digested in one pass (the content digest {@code d_k} of docs/design.md §2).
 *
 * <p>{@link #digest()} finishes the digest: after it, further writes are refused, because a digest
 * that silently covers only part of the bytes written would be worse than an error.
 */
public final class DigestingOutputStream extends FilterOutputStream {

  private final MessageDigest sha256 = Checksum.newSha256();
  private long byteCount;
  private Checksum digest;

  public DigestingOutputStream(OutputStream out) {
    super(out);
  }

  @Override
  public void write(int b) throws IOException {
    requireOpenDigest();
    out.write(b);
    sha256.update((byte) b);
    byteCount++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    requireOpenDigest();
    // FilterOutputStream would write byte by byte; pass the whole block through instead.
    out.write(b, off, len);
    sha256.update(b, off, len);
    byteCount += len;
  }

  /** SHA-256 of all bytes written; the first call finishes the digest, later calls repeat it. */
  public Checksum digest() {
    if (digest == null) {
      digest = Checksum.ofDigest(sha256);
    }
    return digest;
  }

  /** Number of bytes written through this stream. */
  public long byteCount() {
    return byteCount;
  }

  private void requireOpenDigest() {
    if (digest != null) {
      throw new IllegalStateException("the digest was already taken; no more bytes can be added");
    }
  }
}
