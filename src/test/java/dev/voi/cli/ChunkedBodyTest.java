package dev.voi.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.voi.chain.Checksum;
import dev.voi.chain.DigestField;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chunked upload with its digest in a trailer, read back by a strict decoder on a real socket
 * (so the file goes by {@code sendfile}): the chunks carry exactly the rewritten prefix and the
 * rest of the file (the first 512 bytes of it in the chunk sent with the head), each size line says
 * its chunk's length, and the last chunk carries the {@code Content-Digest} of those bytes, sent
 * only once the digest is known.
 */
class ChunkedBodyTest {

  @TempDir Path dir;

  /** What the server side read: the head, each chunk's length, the body and the trailer. */
  record Received(String head, List<Long> chunks, byte[] body, Map<String, String> trailer) {}

  @Test
  void theChunksCarryThePrefixAndTheFileAndTheTrailerTheirDigest() throws Exception {
    long size = 2 * ChunkedBody.CHUNK + 12345;
    Path file = file((int) size);
    byte[] prefix = "A REWRITTEN HEADER".getBytes(StandardCharsets.US_ASCII);
    byte[] expected = Files.readAllBytes(file);
    System.arraycopy(prefix, 0, expected, 0, prefix.length);
    Checksum digest = Checksum.ofBytes(MessageDigest.getInstance("SHA-256").digest(expected));

    Received received = upload(file, prefix, () -> digest);

    assertThat(received.head())
        .contains("Transfer-Encoding: chunked\r\n")
        .contains("Trailer: Content-Digest\r\n")
        .contains("Expect: 100-continue\r\n")
        .doesNotContain("Content-Length");
    assertThat(received.chunks())
        .containsExactly(
            (long) ChunkedBody.OPENING, ChunkedBody.CHUNK, ChunkedBody.CHUNK, 12345L - 512);
    assertThat(received.body()).isEqualTo(expected);
    assertThat(received.trailer()).containsOnlyKeys("Content-Digest");
    assertThat(DigestField.sha256(received.trailer().get("Content-Digest"))).isEqualTo(digest);
  }

  @Test
  void aPrefixLongerThanTheOpeningChunkGoesOnInTheNext() throws Exception {
    Path file = file(300_000);
    byte[] prefix = new byte[70_000];
    Arrays.fill(prefix, (byte) 'H');
    byte[] expected = Files.readAllBytes(file);
    System.arraycopy(prefix, 0, expected, 0, prefix.length);
    Checksum digest = Checksum.ofBytes(MessageDigest.getInstance("SHA-256").digest(expected));
    Received received = upload(file, prefix, () -> digest);
    assertThat(received.chunks()).containsExactly(512L, 300_000L - 512);
    assertThat(received.body()).isEqualTo(expected);
  }

  @Test
  void aSmallFileIsTheOpeningChunkAndTheRest() throws Exception {
    Path file = file(1000);
    Checksum digest = Checksum.sha256Of(file);
    Received received = upload(file, new byte[0], () -> digest);
    assertThat(received.chunks()).containsExactly(512L, 488L);
    assertThat(received.body()).isEqualTo(Files.readAllBytes(file));
    assertThat(DigestField.sha256(received.trailer().get("Content-Digest"))).isEqualTo(digest);
  }

  @Test
  void aDigestThatFailsSendsNoLastChunk() throws Exception {
    Path file = file(1000);
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<byte[]> everything =
          CompletableFuture.supplyAsync(
              () -> {
                try (Socket socket = listener.accept()) {
                  InputStream in = socket.getInputStream();
                  readHead(in);
                  socket.getOutputStream().write(continueLine());
                  return in.readAllBytes();
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      assertThatThrownBy(
              () ->
                  PlainUpload.post(
                      uri(listener),
                      "token",
                      new UploadSource(file, Files.size(file), new byte[0]),
                      progress(1000),
                      () -> {
                        throw new IOException("cannot read the file");
                      }))
          .hasMessageContaining("cannot read the file");
      String sent = new String(everything.get(10, TimeUnit.SECONDS), StandardCharsets.ISO_8859_1);
      assertThat(sent).startsWith("200\r\n").contains("\r\n1e8\r\n").doesNotContain("\r\n0\r\n");
    }
  }

  @Test
  void sizeLinesAndTheLastChunkAreSpelledAsHttpSays() {
    assertThat(new String(ChunkedBody.sizeLine(ChunkedBody.CHUNK), StandardCharsets.US_ASCII))
        .isEqualTo("800000\r\n");
    Checksum digest = Checksum.ofBytes(new byte[32]);
    assertThat(new String(ChunkedBody.lastChunk(digest), StandardCharsets.US_ASCII))
        .isEqualTo(
            "0\r\nContent-Digest: sha-256=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:\r\n\r\n");
  }

  private Received upload(Path file, byte[] prefix, ChunkedBody.Digest digest) throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Received> received =
          CompletableFuture.supplyAsync(
              () -> {
                try (Socket socket = listener.accept()) {
                  InputStream in = socket.getInputStream();
                  String head = readHead(in);
                  OutputStream out = socket.getOutputStream();
                  out.write(continueLine());
                  Received decoded = decodeChunked(head, in);
                  out.write(
                      "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}"
                          .getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                  return decoded;
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      PlainUpload.Response response =
          PlainUpload.post(
              uri(listener),
              "token",
              new UploadSource(file, Files.size(file), prefix),
              progress(Files.size(file)),
              digest);
      assertThat(response.status()).isEqualTo(201);
      return received.get(20, TimeUnit.SECONDS);
    }
  }

  /** A strict decoder: hex size, CRLF, exactly that many bytes, CRLF; trailer lines; CRLF. */
  static Received decodeChunked(String head, InputStream in) throws IOException {
    List<Long> chunks = new ArrayList<>();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = line(in);
      long size = Long.parseLong(sizeLine, 16);
      if (size == 0) {
        break;
      }
      chunks.add(size);
      byte[] data = in.readNBytes((int) size);
      assertThat(data).hasSize((int) size);
      body.writeBytes(data);
      assertThat(line(in)).as("the CRLF after a chunk").isEmpty();
    }
    Map<String, String> trailer = new LinkedHashMap<>();
    for (String field = line(in); !field.isEmpty(); field = line(in)) {
      int colon = field.indexOf(':');
      trailer.put(field.substring(0, colon), field.substring(colon + 1).strip());
    }
    return new Received(head, chunks, body.toByteArray(), trailer);
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("the body ended inside a line");
      }
      line.append((char) b);
    }
    assertThat(line.toString()).endsWith("\r");
    return line.substring(0, line.length() - 1);
  }

  private static byte[] continueLine() {
    return "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  }

  private static URI uri(ServerSocket listener) {
    return URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/api/v1/images?name=x");
  }

  private Path file(int size) throws IOException {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return Files.write(dir.resolve("upload-" + size + ".bin"), bytes);
  }

  private static Progress progress(long total) {
    Console console =
        new Console(
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            false);
    return new Progress(console, System::nanoTime, "uploading", total, true);
  }

  static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the request ended inside its head");
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }
}
