package dev.voi.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.qcow2.Qemu;
import io.restassured.http.ContentType;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request bodies on raw sockets (HTTP clients hide interim responses): a refusal of an {@code
 * Expect: 100-continue} upload is the first status line the client sees, {@code 100 Continue} comes
 * only when the server reads the body, and a refused or anonymous request with a huge declared body
 * makes the server read a bounded amount, then the connection closes.
 */
@ExtendWith(ArquillianExtension.class)
class ExpectContinueIT {

  static final String ADMIN = "Bearer it-admin-token";

  /** The body the attacker declared: 100 GB. */
  static final long HUGE = 100_000_000_000L;

  /** What a test sends at most after a refusal; a server that drains takes all of it. */
  static final long SEND_LIMIT = 64L << 20;

  /**
   * What the client may manage to write before its writes fail once the server has closed: the
   * kernel's socket buffers on both sides (a few MiB on Linux) and the little the server read
   * before it answered. Measured: 64 KiB with Expect, 3.75 MiB without.
   */
  static final long BOUND = 16L << 20;

  /** Above the ITs' upload limit (64 MiB, voi.upload.max.bytes), below any disk's free space. */
  static final long TOO_LARGE = 200L << 20;

  /** Within the upload limit and the disk: the request passes the size checks. */
  static final long ACCEPTABLE = 60L << 20;

  @Deployment(testable = false)
  static WebArchive war() {
    return ShrinkWrap.createFromZipFile(WebArchive.class, new File("target/voi-update.war"));
  }

  @ArquillianResource URL base;
  @TempDir Path work;

  String api;

  @BeforeEach
  void urls() {
    base = Deployed.application(base);
    api = base.toString() + "api/v1";
    // The gate goes into the listener's filter chain with the first request the WAR serves.
    given().header("Authorization", ADMIN).get(api + "/server").then().statusCode(200);
  }

  @Test
  void noTokenIsRefusedBeforeTheBodyAndTheConnectionCloses() throws Exception {
    Outcome outcome = upload("/images?name=" + image(), null, HUGE, Framing.EXPECT);
    outcome.assertRefusedFirst(401);
  }

  @Test
  void aFormTypedUploadIsRefusedBeforeTheBody() throws Exception {
    // curl --data-binary sends application/x-www-form-urlencoded: Jersey looks for an entity first.
    Outcome outcome = upload("/images?name=" + image(), null, HUGE, Framing.EXPECT_FORM);
    outcome.assertRefusedFirst(401);
  }

  @Test
  void aWrongTokenIsRefusedBeforeTheBody() throws Exception {
    Outcome outcome = upload("/images?name=" + image(), "Bearer not-a-token", HUGE, Framing.EXPECT);
    outcome.assertRefusedFirst(401);
  }

  @Test
  void aTerminalUploadingAnImageIsRefusedBeforeTheBody() throws Exception {
    String token =
        given()
            .header("Authorization", ADMIN)
            .contentType(ContentType.JSON)
            .body("{\"name\":\"expect-" + UUID.randomUUID().toString().substring(0, 8) + "\"}")
            .post(api + "/terminals")
            .then()
            .statusCode(201)
            .extract()
            .path("token");
    Outcome outcome = upload("/images?name=" + image(), "Bearer " + token, HUGE, Framing.EXPECT);
    outcome.assertRefusedFirst(403);
  }

  @Test
  void aBadNameIsRefusedBeforeTheBody() throws Exception {
    Outcome outcome = upload("/images?name=..bad", ADMIN, ACCEPTABLE, Framing.EXPECT);
    outcome.assertRefusedFirst(400);
  }

  @Test
  void anExistingImageIsRefusedBeforeTheBody() throws Exception {
    String name = image();
    byte[] base = baseImage();
    Outcome created = upload("/images?name=" + name, ADMIN, base, true);
    assertThat(created.statusLine()).startsWith("HTTP/1.1 201");

    Outcome outcome = upload("/images?name=" + name, ADMIN, ACCEPTABLE, Framing.EXPECT);
    outcome.assertRefusedFirst(409);
  }

  @Test
  void aBodyOverTheLimitIsRefusedBeforeItIsSent() throws Exception {
    Outcome outcome = upload("/images?name=" + image(), ADMIN, TOO_LARGE, Framing.EXPECT);
    outcome.assertRefusedFirst(413);
  }

  @Test
  void aBodyLargerThanTheDiskIsRefusedBeforeItIsSent() throws Exception {
    Outcome outcome =
        upload("/images?name=" + image(), ADMIN, 1_000_000_000_000_000_000L, Framing.EXPECT);
    outcome.assertRefusedFirst(507);
  }

  @Test
  void aGoodUploadIsToldToContinueThenCreated() throws Exception {
    Outcome outcome = upload("/images?name=" + image(), ADMIN, baseImage(), true);
    assertThat(outcome.interim()).as("the interim answer").startsWith("HTTP/1.1 100");
    assertThat(outcome.statusLine()).startsWith("HTTP/1.1 201");
  }

  @Test
  void aGoodUploadWithoutExpectIsCreated() throws Exception {
    Outcome outcome = upload("/images?name=" + image(), ADMIN, baseImage(), false);
    assertThat(outcome.interim()).isNull();
    assertThat(outcome.statusLine()).startsWith("HTTP/1.1 201");
  }

  @Test
  void aBodyRefusedOnceReadIsNotDrained() throws Exception {
    // Zeros are no qcow2 header: the server asks for the body, judges its first bytes, refuses.
    Outcome outcome = upload("/images?name=" + image(), ADMIN, ACCEPTABLE, Framing.EXPECT);
    assertThat(outcome.interim()).as("the interim answer").startsWith("HTTP/1.1 100");
    assertThat(outcome.statusLine()).startsWith("HTTP/1.1 4");
    outcome.assertClosedEarly();
  }

  @Test
  void anotherApplicationOnTheListenerKeepsTheContainersContinue() throws Exception {
    // Nothing of the server's health endpoint would send a held-back 100: it is not held back.
    try (Socket socket = open()) {
      socket
          .getOutputStream()
          .write(
              ("POST /health HTTP/1.1\r\nHost: "
                      + base.getHost()
                      + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                      + "Expect: 100-continue\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      assertThat(RawHttp.readHeadOrNull(socket.getInputStream())).startsWith("HTTP/1.1 100");
    }
  }

  @Test
  void anAnonymousBodyWithoutExpectIsNotDrained() throws Exception {
    Outcome outcome = upload("/images?name=x", null, HUGE, Framing.SEND_AT_ONCE);
    outcome.assertRefusedAndClosed(401);
  }

  @Test
  void anAnonymousChunkedBodyIsNotDrained() throws Exception {
    Outcome outcome = upload("/images?name=x", null, -1, Framing.CHUNKED);
    outcome.assertRefusedAndClosed(401);
  }

  @Test
  void aSmallRefusedBodyIsDrainedSoTheClientReadsItsAnswer() throws Exception {
    // Most HTTP libraries write the whole body before they read. A small refused body is read and
    // thrown away: the client's writes succeed and it reads its answer, never a reset connection.
    String existing = image();
    byte[] body = baseImage();
    assertThat(upload("/images?name=" + existing, ADMIN, body, false).statusLine())
        .startsWith("HTTP/1.1 201");
    try (Socket socket = open()) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      // Refused before the body is read (409): the client still sends it, as one that writes
      // before it reads would; the server reads it, then closes cleanly (no reset).
      out.write(headers("/images?name=" + existing, ADMIN, body.length, null));
      out.flush();
      String exists = RawHttp.readHeadOrNull(in);
      assertThat(exists).as("the refusal").startsWith("HTTP/1.1 409");
      assertThat(exists.toLowerCase(Locale.ROOT)).contains("connection: close");
      assertThat(new String(readBody(exists, in), StandardCharsets.UTF_8)).contains("image-exists");
      out.write(body);
      out.flush();
      assertThat(in.read()).as("the connection ends cleanly once the body is in").isEqualTo(-1);
    }
    int declared = 200_000;
    try (Socket socket = open()) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      // Refused once its first bytes are read (400, after which the connection closes).
      out.write(headers("/images?name=" + image(), ADMIN, declared, null));
      out.write(new byte[65_536]); // zeros: no qcow2 header
      out.flush();
      String refusal = RawHttp.readHeadOrNull(in);
      assertThat(refusal).as("the refusal").startsWith("HTTP/1.1 400");
      assertThat(new String(readBody(refusal, in), StandardCharsets.UTF_8)).contains("not-qcow2");
      out.write(new byte[declared - 65_536]);
      out.flush();
      assertThat(in.read()).as("the connection ends cleanly once the body is in").isEqualTo(-1);
    }
  }

  // --- raw HTTP ---

  enum Framing {
    /** Expect: 100-continue; nothing is sent until an answer arrives. */
    EXPECT,
    /** The same, typed as a form (curl's default for --data-binary). */
    EXPECT_FORM,
    /** No Expect: the body follows the headers at once. */
    SEND_AT_ONCE,
    /** Transfer-Encoding: chunked, sent at once. */
    CHUNKED
  }

  /**
   * What the client saw: the interim answer (null if none), the final head, how many body bytes it
   * managed to write after the headers, and whether the writes ended in a failure (the server had
   * closed) rather than at {@link #SEND_LIMIT}.
   */
  record Outcome(String interim, String head, long sent, boolean writeFailed, boolean closed) {

    String statusLine() {
      return head.substring(0, head.indexOf("\r\n"));
    }

    void assertRefusedFirst(int status) {
      assertThat(head).as("the first answer (before any body byte)").isNotNull();
      assertThat(statusLine()).as("the first status line").startsWith("HTTP/1.1 " + status);
      assertThat(interim).as("an interim 100 Continue before the refusal").isNull();
      assertClosedEarly();
    }

    void assertRefusedAndClosed(int status) {
      assertThat(statusLine()).startsWith("HTTP/1.1 " + status);
      assertClosedEarly();
    }

    void assertClosedEarly() {
      assertThat(head.toLowerCase(Locale.ROOT)).contains("connection: close");
      assertThat(writeFailed)
          .as("the server closed the connection (%d bytes were written after the headers)", sent)
          .isTrue();
      assertThat(sent).as("body bytes the client could write").isLessThan(BOUND);
      assertThat(closed).as("the connection ends").isTrue();
    }
  }

  /** An upload of {@code body} with or without Expect, answered by the server in full. */
  private Outcome upload(String target, String authorization, byte[] body, boolean expect)
      throws IOException {
    try (Socket socket = open()) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(headers(target, authorization, body.length, expect ? Framing.EXPECT : null));
      out.flush();
      String interim = null;
      if (expect) {
        interim = RawHttp.readHeadOrNull(in);
        assertThat(interim).as("the answer to Expect").isNotNull();
        if (!interim.startsWith("HTTP/1.1 100")) {
          return new Outcome(null, interim, 0, false, false);
        }
      }
      out.write(body);
      out.flush();
      return new Outcome(interim, RawHttp.readHeadOrNull(in), body.length, false, false);
    }
  }

  /**
   * A request that declares {@code declared} bytes (or chunked) and, once answered (with Expect) or
   * at once (without), writes zeros until the server closes or {@link #SEND_LIMIT} is reached.
   */
  private Outcome upload(String target, String authorization, long declared, Framing framing)
      throws Exception {
    try (Socket socket = open()) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(headers(target, authorization, declared, framing));
      out.flush();
      String interim = null;
      String head = null;
      if (framing == Framing.EXPECT || framing == Framing.EXPECT_FORM) {
        head = RawHttp.readHeadOrNull(in);
        if (head != null && head.startsWith("HTTP/1.1 100")) {
          interim = head;
          head = null;
        }
      }
      long limit = declared < 0 ? SEND_LIMIT : Math.min(declared, SEND_LIMIT);
      boolean chunked = framing == Framing.CHUNKED;
      CompletableFuture<long[]> writing =
          CompletableFuture.supplyAsync(() -> writeZeros(out, limit, chunked));
      if (head == null) {
        head = RawHttp.readHeadOrNull(in);
      }
      long[] written = writing.get(120, TimeUnit.SECONDS);
      long started = System.nanoTime();
      boolean ends = endsSoon(in);
      System.out.printf(
          "MEASURE %s %s: interim=%s status=%s sent=%d failed=%s closedAfter=%.3fs%n",
          target,
          framing,
          interim == null ? "-" : interim.trim(),
          head == null ? "-" : head.substring(0, head.indexOf('\r')),
          written[0],
          written[1] == 1,
          (System.nanoTime() - started) / 1e9);
      return new Outcome(interim, head, written[0], written[1] == 1, ends);
    }
  }

  private Socket open() throws IOException {
    Socket socket = new Socket(base.getHost(), base.getPort());
    socket.setSoTimeout(20_000);
    return socket;
  }

  private byte[] headers(String target, String authorization, long declared, Framing framing) {
    StringBuilder request =
        new StringBuilder("POST ")
            .append(base.getPath())
            .append("api/v1")
            .append(target)
            .append(" HTTP/1.1\r\nHost: ")
            .append(base.getHost())
            .append("\r\nContent-Type: ")
            .append(
                framing == Framing.EXPECT_FORM
                    ? "application/x-www-form-urlencoded"
                    : "application/octet-stream")
            .append("\r\n");
    if (authorization != null) {
      request.append("Authorization: ").append(authorization).append("\r\n");
    }
    if (framing == Framing.CHUNKED) {
      request.append("Transfer-Encoding: chunked\r\n");
    } else {
      request.append("Content-Length: ").append(declared).append("\r\n");
    }
    if (framing == Framing.EXPECT || framing == Framing.EXPECT_FORM) {
      request.append("Expect: 100-continue\r\n");
    }
    return request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** {bytes written, 1 if a write failed}. */
  private static long[] writeZeros(OutputStream out, long limit, boolean chunked) {
    byte[] zeros = new byte[64 * 1024];
    byte[] chunkHead =
        (Integer.toHexString(zeros.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] chunkEnd = "\r\n".getBytes(StandardCharsets.US_ASCII);
    long sent = 0;
    try {
      while (sent < limit) {
        int length = (int) Math.min(zeros.length, limit - sent);
        if (chunked) {
          out.write(chunkHead);
          out.write(zeros);
          out.write(chunkEnd);
        } else {
          out.write(zeros, 0, length);
        }
        sent += length;
      }
      out.flush();
      return new long[] {sent, 0};
    } catch (IOException e) {
      return new long[] {sent, 1};
    }
  }

  /** The body of the answer whose head is {@code head}: by its length, or chunk by chunk. */
  private static byte[] readBody(String head, InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String lower = head.toLowerCase(Locale.ROOT);
    int at = lower.indexOf("\r\ncontent-length:");
    if (at >= 0) {
      int end = lower.indexOf("\r\n", at + 2);
      long length = Long.parseLong(head.substring(at + 17, end).trim());
      body.write(in.readNBytes((int) length));
      return body.toByteArray();
    }
    assertThat(lower).as("a body either sized or chunked").contains("transfer-encoding: chunked");
    while (true) {
      String size = readLine(in);
      int length = Integer.parseInt(size.split(";")[0].trim(), 16);
      if (length == 0) {
        readLine(in); // the end of the (empty) trailer
        return body.toByteArray();
      }
      body.write(in.readNBytes(length));
      readLine(in);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }

  /** Whether the server ends the connection within the socket timeout (EOF or reset). */
  private static boolean endsSoon(InputStream in) {
    byte[] rest = new byte[8192];
    try {
      while (in.read(rest) != -1) {
        // the rest of the refusal's body
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private byte[] baseImage() throws IOException {
    Path file = work.resolve("base-" + UUID.randomUUID() + ".qcow2");
    Qemu.run(work, "qemu-img", "create", "-q", "-f", "qcow2", file.toString(), "64M").assertOk();
    return Files.readAllBytes(file);
  }

  private static String image() {
    return "expect-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
