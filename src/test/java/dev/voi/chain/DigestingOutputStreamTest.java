package dev.voi.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigestingOutputStreamTest {

  @TempDir Path dir;

  @Test
  void digestEqualsMessageDigestOverOddSizedChunks() throws Exception {
    SplittableRandom random = new SplittableRandom(42);
    byte[] data = randomBytes(random, 1_000_003);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();

    DigestingOutputStream out = new DigestingOutputStream(sink);
    int position = 0;
    while (position < data.length) {
      int chunk = Math.min(data.length - position, 1 + random.nextInt(70_001));
      if (chunk == 1) {
        out.write(data[position]);
      } else {
        out.write(data, position, chunk);
      }
      position += chunk;
    }

    assertThat(out.digest().bytes()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
    assertThat(out.byteCount()).isEqualTo(data.length);
    assertThat(sink.toByteArray()).isEqualTo(data);
  }

  @Test
  void singleByteWritesAndEmptyWritesAreCounted() throws Exception {
    DigestingOutputStream out = new DigestingOutputStream(OutputStream.nullOutputStream());
    out.write('a');
    out.write(new byte[] {'b', 'c'}, 0, 0);
    out.write(new byte[] {'x', 'b', 'c'}, 1, 2);

    assertThat(out.digest()).isEqualTo(Checksum.sha256("abc"));
    assertThat(out.byteCount()).isEqualTo(3);
  }

  @Test
  void emptyStreamHasTheDigestOfNothing() {
    DigestingOutputStream out = new DigestingOutputStream(OutputStream.nullOutputStream());

    assertThat(out.digest()).isEqualTo(Checksum.sha256(new byte[0]));
    assertThat(out.byteCount()).isZero();
  }

  @Test
  void passesWholeBlocksToTheUnderlyingStream() throws Exception {
    CountingCalls sink = new CountingCalls();
    try (DigestingOutputStream out = new DigestingOutputStream(sink)) {
      out.write(new byte[65536], 0, 65536);
    }

    assertThat(sink.blockWrites).isEqualTo(1);
    assertThat(sink.byteWrites).isZero();
  }

  @Test
  void digestIsStableAndRefusesLaterWrites() throws Exception {
    DigestingOutputStream out = new DigestingOutputStream(OutputStream.nullOutputStream());
    out.write(new byte[] {1, 2, 3});
    Checksum first = out.digest();

    assertThat(out.digest()).isEqualTo(first);
    assertThatThrownBy(() -> out.write(4)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> out.write(new byte[] {4}, 0, 1))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void sha256OfFileAndStreamMatchMessageDigest() throws Exception {
    byte[] data = randomBytes(new SplittableRandom(7), 3 * Checksum.BUFFER_SIZE + 17);
    Path file = Files.write(dir.resolve("layer.qcow2"), data);
    Checksum expected = Checksum.ofBytes(MessageDigest.getInstance("SHA-256").digest(data));

    assertThat(Checksum.sha256Of(file)).isEqualTo(expected);
    assertThat(Checksum.sha256Of(new ByteArrayInputStream(data))).isEqualTo(expected);
    assertThat(Checksum.sha256Of(new TrickleInputStream(data))).isEqualTo(expected);
  }

  @Test
  void sha256OfAnEmptyFile() throws Exception {
    Path file = Files.createFile(dir.resolve("empty"));

    assertThat(Checksum.sha256Of(file)).isEqualTo(Checksum.sha256(new byte[0]));
  }

  @Test
  void bufferIsAtLeast64KiB() {
    assertThat(Checksum.BUFFER_SIZE).isGreaterThanOrEqualTo(64 * 1024);
  }

  private static byte[] randomBytes(SplittableRandom random, int length) {
    byte[] data = new byte[length];
    random.nextBytes(data);
    return data;
  }

  private static final class CountingCalls extends OutputStream {
    int byteWrites;
    int blockWrites;

    @Override
    public void write(int b) {
      byteWrites++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      blockWrites++;
    }
  }

  /** Returns fewer bytes than asked for, as sockets do. */
  private static final class TrickleInputStream extends InputStream {
    private final ByteArrayInputStream in;

    TrickleInputStream(byte[] data) {
      in = new ByteArrayInputStream(data);
    }

    @Override
    public int read() {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return in.read(b, off, Math.min(len, 1000));
    }
  }
}
