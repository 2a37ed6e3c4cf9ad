package dev.voi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.voi.chain.Checksum;
import dev.voi.chain.DigestField;
import dev.voi.chain.StampRecord;
import dev.voi.qcow2.Qcow2Editor;
import dev.voi.qcow2.Qcow2Header;
import dev.voi.qcow2.Qemu;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code voi publish} against the fake server: what goes over the wire for a new image and for a
 * diff built on a local copy of the tip (the canonical backing name, the digest of exactly the
 * bytes sent, in the URL by default or with {@code --digest-after} in the trailer of a chunked
 * body, the administrator's file untouched), and that a diff on anything but the tip is refused
 * before any upload. The trailer's bytes are {@code ChunkedBodyTest}'s (this fake server drops
 * trailers). The real server's side is {@code VoiCliIT}'s.
 */
class PublishTest extends CliFixture {

  static final String TIP_NAME = "lab-0001-aabbccdd.qcow2";
  static final Checksum TIP = Checksum.ofBytes(bytes(0x5a));
  static final Checksum OLDER = Checksum.ofBytes(bytes(0x11));

  /** The layer the fake server answers, its content digest to fill in. */
  static final String LAYER =
      "{\"depth\":2,\"version\":3,\"checksum\":\""
          + "ab".repeat(32)
          + "\",\"fileName\":"
          + "\"lab-0002-abababab.qcow2\",\"size\":1,\"contentDigest\":\"%s\"}";

  Path admin;

  @BeforeEach
  void qemu() throws IOException {
    Qemu.requireInstalled();
    admin = Files.createDirectories(dir.resolve("admin"));
  }

  @Test
  void withDigestAfterANewImageIsSentChunkedWithItsDigestInTheTrailer() throws Exception {
    Path base = Qemu.create(admin.resolve("base.qcow2"), "8M", "");
    Qemu.io(base, "write -P 0x11 0 1M").assertOk();
    byte[] file = Files.readAllBytes(base);
    String digest = HexFormat.of().formatHex(sha256(file));
    // The JDK's HttpServer cannot read trailers: a raw one answers the lookup (404: a new image)
    // and decodes the chunked upload.
    try (ServerSocket listener = new ServerSocket(0, 2, InetAddress.getLoopbackAddress())) {
      CompletableFuture<ChunkedBodyTest.Received> upload =
          CompletableFuture.supplyAsync(
              () ->
                  serveLookupAndUpload(
                      listener,
                      404,
                      "{\"title\":\"Not Found\",\"status\":404}",
                      raw ->
                          "{\"name\":\"lab\",\"layers\":["
                              + String.format(LAYER, HexFormat.of().formatHex(sha256(raw)))
                              + "]}"));
      env.put("VOI_SERVER", "http://127.0.0.1:" + listener.getLocalPort());

      Run run = voi("publish", "lab", base.toString(), "--json", "--digest-after");

      assertThat(run.exit()).as(run.err()).isZero();
      ChunkedBodyTest.Received received = upload.get(20, TimeUnit.SECONDS);
      assertThat(received.head())
          .startsWith("POST /api/v1/images?name=lab HTTP/1.1\r\n")
          .contains("Trailer: Content-Digest\r\n");
      assertThat(received.body()).isEqualTo(file);
      assertThat(DigestField.sha256(received.trailer().get("Content-Digest")).hex())
          .isEqualTo(digest);
      assertThat(run.json().path("digest").asText()).isEqualTo("sha256:" + digest);
      assertThat(run.json().path("digestSent").asText()).isEqualTo("trailer");
    }
  }

  /**
   * A server that reads trailers (the JDK's HttpServer cannot): answers one lookup with {@code
   * lookupStatus} and {@code lookup}, then decodes one chunked upload and answers it 201 with what
   * {@code answer} makes of the bytes received.
   */
  private static ChunkedBodyTest.Received serveLookupAndUpload(
      ServerSocket listener, int lookupStatus, String lookup, Function<byte[], String> answer) {
    try {
      try (Socket socket = listener.accept()) {
        ChunkedBodyTest.readHead(socket.getInputStream());
        socket
            .getOutputStream()
            .write(
                ("HTTP/1.1 "
                        + lookupStatus
                        + " X\r\nContent-Type: application/json\r\nContent-Length: "
                        + lookup.length()
                        + "\r\nConnection: close\r\n\r\n"
                        + lookup)
                    .getBytes(StandardCharsets.US_ASCII));
      }
      try (Socket upload = listener.accept()) {
        String head = ChunkedBodyTest.readHead(upload.getInputStream());
        upload
            .getOutputStream()
            .write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        ChunkedBodyTest.Received received =
            ChunkedBodyTest.decodeChunked(head, upload.getInputStream());
        String body = answer.apply(received.body());
        upload
            .getOutputStream()
            .write(
                ("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length()
                        + "\r\nConnection: close\r\n\r\n"
                        + body)
                    .getBytes(StandardCharsets.US_ASCII));
        return received;
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void byDefaultANewImageIsPostedWithTheDigestOfItsBytesInTheUrl() throws IOException {
    Path base = Qemu.create(admin.resolve("base.qcow2"), "8M", "");
    Qemu.io(base, "write -P 0x11 0 1M").assertOk();
    Run refused = voi("publish", "lab", base.toString());
    assertThat(refused.exit()).isEqualTo(3);
    Request post = requests.get(requests.size() - 1);
    assertThat(post.method()).isEqualTo("POST");
    assertThat(post.uri()).startsWith("/api/v1/images?name=lab&digest=sha256");
    assertThat(post.transferEncoding()).isNull();
    byte[] file = Files.readAllBytes(base);
    assertThat(post.raw()).isEqualTo(file);
    assertThat(digestOf(post)).isEqualTo(Checksum.sha256Of(base).hex());
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aDiffOnALocalCopyOfTheTipIsSentWithTheTipsNameAndTheFileStaysAsItWas(boolean digestFirst)
      throws IOException {
    Path diff = diffOn(TIP);
    byte[] before = Files.readAllBytes(diff);
    Run run;
    Request post;
    if (digestFirst) {
      // The fake server cannot know the digest before the upload; answer for whatever is sent.
      server.removeContext("/");
      server.createContext(
          "/",
          exchange -> {
            byte[] raw = exchange.getRequestBody().readAllBytes();
            String key = exchange.getRequestMethod() + " " + exchange.getRequestURI();
            requests.add(
                new Request(
                    exchange.getRequestMethod(),
                    key,
                    null,
                    "",
                    raw,
                    exchange.getRequestHeaders().getFirst("Transfer-Encoding"),
                    exchange.getRequestHeaders().getFirst("Trailer")));
            String body =
                key.startsWith("GET ")
                    ? lineage()
                    : String.format(LAYER, Checksum.ofBytes(sha256(raw)).hex());
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(key.startsWith("GET ") ? 200 : 201, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
          });
      run = voi("publish", "lab", diff.toString(), "--note", "patch tuesday", "--json");
      post = requests.get(requests.size() - 1);
    } else {
      try (ServerSocket listener = new ServerSocket(0, 2, InetAddress.getLoopbackAddress())) {
        CompletableFuture<ChunkedBodyTest.Received> upload =
            CompletableFuture.supplyAsync(
                () ->
                    serveLookupAndUpload(
                        listener,
                        200,
                        lineage(),
                        raw -> String.format(LAYER, HexFormat.of().formatHex(sha256(raw)))));
        env.put("VOI_SERVER", "http://127.0.0.1:" + listener.getLocalPort());
        run =
            voi(
                "publish",
                "lab",
                diff.toString(),
                "--note",
                "patch tuesday",
                "--json",
                "--digest-after");
        ChunkedBodyTest.Received received = upload.get(20, TimeUnit.SECONDS);
        String requestLine = received.head().substring(0, received.head().indexOf("\r\n"));
        assertThat(received.head()).contains("Trailer: Content-Digest\r\n");
        assertThat(DigestField.sha256(received.trailer().get("Content-Digest")).hex())
            .isEqualTo(HexFormat.of().formatHex(sha256(received.body())));
        post =
            new Request(
                "POST",
                requestLine.substring(0, requestLine.lastIndexOf(' ')),
                null,
                "",
                received.body(),
                "chunked",
                "Content-Digest");
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(Files.readAllBytes(diff)).as("the administrator's file").isEqualTo(before);
    String sentDigest = HexFormat.of().formatHex(sha256(post.raw()));
    if (digestFirst) {
      assertThat(post.uri())
          .startsWith("POST /api/v1/images/lab/layers?parent=" + TIP.hex() + "&digest=sha256%3A")
          .endsWith("&note=patch+tuesday");
      assertThat(digestOf(post)).isEqualTo(sentDigest);
      assertThat(post.transferEncoding()).isNull();
    } else {
      assertThat(post.uri())
          .isEqualTo("POST /api/v1/images/lab/layers?parent=" + TIP.hex() + "&note=patch+tuesday");
      assertThat(post.transferEncoding()).isEqualTo("chunked");
      assertThat(post.trailer()).isEqualTo("Content-Digest");
    }
    Qcow2Header sent = Qcow2Header.parse(post.raw(), post.raw().length);
    assertThat(sent.backingFile()).contains(TIP_NAME);
    assertThat(post.raw().length).isEqualTo(before.length);
    JsonNode result = run.json();
    assertThat(result.path("digest").asText()).isEqualTo("sha256:" + sentDigest);
    assertThat(result.path("digestSent").asText()).isEqualTo(digestFirst ? "query" : "trailer");
    assertThat(result.path("seconds").path("total").asDouble())
        .isGreaterThanOrEqualTo(result.path("seconds").path("upload").asDouble());
    assertThat(result.path("sentBackingFile").asText()).isEqualTo(TIP_NAME);
    assertThat(result.path("layer").path("depth").asInt()).isEqualTo(2);
    assertThat(result.path("kind").asText()).isEqualTo("diff");
  }

  @Test
  void aDiffOnAnythingButTheTipIsRefusedBeforeAnyUpload() throws IOException {
    answer("GET /api/v1/images/lab", 200, lineage());
    Path diff = diffOn(OLDER);
    Run run = voi("publish", "lab", diff.toString());
    assertThat(run.exit()).isEqualTo(4);
    assertThat(run.err().lines().toList()).hasSize(1);
    assertThat(run.err())
        .contains("is not built on the tip of lab")
        .contains(OLDER.hex())
        .contains(TIP.hex())
        .contains("depth 0 RETIRED")
        .contains("nothing was sent");
    assertThat(requests).extracting(Request::method).containsOnly("GET");

    Path unstamped = Qemu.create(admin.resolve("plain.qcow2"), "8M", "");
    Path onPlain = Qemu.overlay(admin.resolve("on-plain.qcow2"), "plain.qcow2", "");
    Run plain = voi("publish", "lab", onPlain.toString());
    assertThat(plain.exit()).isEqualTo(4);
    assertThat(plain.err()).contains("carries no VOI stamp").contains(unstamped.toString());

    Run base = voi("publish", "lab", unstamped.toString());
    assertThat(base.exit()).isEqualTo(1);
    assertThat(base.err()).contains("--new-base");
    assertThat(requests).extracting(Request::method).containsOnly("GET");
  }

  @Test
  void digestAfterOverHttpsIsAUsageErrorAndNothingIsSent() throws IOException {
    Path base = Qemu.create(admin.resolve("base.qcow2"), "8M", "");
    env.put("VOI_SERVER", "https://127.0.0.1:1");
    Run run = voi("publish", "lab", base.toString(), "--digest-after");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("--digest-after").contains("http://");
    assertThat(requests).isEmpty();
  }

  @Test
  void aMissingFileIsLocalIo() {
    Run run = voi("publish", "lab", dir.resolve("nope.qcow2").toString());
    assertThat(run.exit()).isEqualTo(5);
    assertThat(requests).isEmpty();
  }

  /** An overlay on a local copy of a layer stamped with {@code parent}, under a local name. */
  private Path diffOn(Checksum parent) throws IOException {
    String local = "copy-of-" + parent.hex().substring(0, 6) + ".qcow2";
    Path copy = Qemu.create(admin.resolve(local), "8M", "");
    Qemu.io(copy, "write -P 0x11 0 1M").assertOk();
    Qcow2Editor.publish(copy, null, new StampRecord(parent, 1, parent.equals(TIP) ? 1 : 0));
    Path diff = Qemu.overlay(admin.resolve("diff-" + local), local, "");
    Qemu.io(diff, "write -P 0x22 0 64k").assertOk();
    return diff;
  }

  private static String lineage() {
    return "{\"name\":\"lab\",\"policy\":\"patent\",\"maxIncrementalLayers\":8,"
        + "\"tip\":{\"depth\":1,\"version\":2,\"checksum\":\""
        + TIP.hex()
        + "\"},\"layers\":[{\"depth\":0,\"version\":1,\"checksum\":\""
        + OLDER.hex()
        + "\",\"fileName\":\"lab-0000-11111111.qcow2\",\"state\":\"RETIRED\"},"
        + "{\"depth\":1,\"version\":2,\"checksum\":\""
        + TIP.hex()
        + "\",\"fileName\":\""
        + TIP_NAME
        + "\",\"state\":\"PUBLISHED\"}]}";
  }

  private static String digestOf(Request post) {
    String query = post.uri().substring(post.uri().indexOf('?') + 1);
    for (String parameter : query.split("&")) {
      if (parameter.startsWith("digest=")) {
        String value = URLDecoder.decode(parameter.substring(7), StandardCharsets.UTF_8);
        return value.substring("sha256:".length());
      }
    }
    throw new AssertionError("no digest in " + post.uri());
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(int value) {
    byte[] bytes = new byte[32];
    java.util.Arrays.fill(bytes, (byte) value);
    return bytes;
  }
}
