package dev.voi.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upload over plain HTTP: {@code Expect: 100-continue} is honoured both ways (a refusal before
 * the interim answer means no body byte is sent; after {@code 100 Continue} the body is exactly the
 * rewritten prefix plus the rest of the file), and a chunked answer is read.
 */
class PlainUploadTest {

  @TempDir Path dir;

  @Test
  void aRefusalBeforeTheInterimAnswerMeansNoBodyIsSent() throws Exception {
    Path file = file(3 << 20);
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Long> bodyBytes =
          CompletableFuture.supplyAsync(
              () -> {
                try (Socket socket = listener.accept()) {
                  String head = readHead(socket.getInputStream());
                  assertThat(head).contains("Expect: 100-continue").contains("Content-Length: ");
                  String problem = "{\"title\":\"Conflict\",\"detail\":\"stale or wrong parent\"}";
                  socket
                      .getOutputStream()
                      .write(
                          ("HTTP/1.1 409 Conflict\r\nContent-Type: application/problem+json\r\n"
                                  + "Content-Length: "
                                  + problem.length()
                                  + "\r\nConnection: close\r\n\r\n"
                                  + problem)
                              .getBytes(StandardCharsets.US_ASCII));
                  socket.shutdownOutput();
                  socket.setSoTimeout(2000);
                  long received = 0;
                  try {
                    received = socket.getInputStream().transferTo(OutputStream.nullOutputStream());
                  } catch (IOException timeoutOrReset) {
                    // nothing more came
                  }
                  return received;
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      PlainUpload.Response response =
          PlainUpload.post(
              URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/api/v1/images?name=x"),
              "token",
              new UploadSource(file, Files.size(file), new byte[0]),
              progress(Files.size(file)));
      assertThat(response.status()).isEqualTo(409);
      assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains("stale or wrong");
      assertThat(bodyBytes.get(10, TimeUnit.SECONDS)).as("body bytes sent").isZero();
    }
  }

  @Test
  void afterContinueTheBodyIsThePrefixAndTheRestOfTheFile() throws Exception {
    Path file = file(5 << 20);
    byte[] prefix = "A NEW HEADER".getBytes(StandardCharsets.US_ASCII);
    byte[] expected = Files.readAllBytes(file);
    System.arraycopy(prefix, 0, expected, 0, prefix.length);
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<byte[]> received =
          CompletableFuture.supplyAsync(
              () -> {
                try (Socket socket = listener.accept()) {
                  InputStream in = socket.getInputStream();
                  String head = readHead(in);
                  int length =
                      Integer.parseInt(head.replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
                  OutputStream out = socket.getOutputStream();
                  out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                  byte[] body = in.readNBytes(length);
                  out.write(
                      ("HTTP/1.1 201 Created\r\nLocation: /api/v1/images/x\r\n"
                              + "Transfer-Encoding: chunked\r\n\r\n"
                              + "5\r\n{\"a\":\r\n3\r\n 1}\r\n0\r\n\r\n")
                          .getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                  return body;
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      PlainUpload.Response response =
          PlainUpload.post(
              URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/api/v1/images?name=x"),
              "token",
              new UploadSource(file, Files.size(file), prefix),
              progress(Files.size(file)));
      assertThat(response.status()).isEqualTo(201);
      assertThat(response.location()).isEqualTo("/api/v1/images/x");
      assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("{\"a\": 1}");
      assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo(expected);
    }
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

  private static String readHead(InputStream in) throws IOException {
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
