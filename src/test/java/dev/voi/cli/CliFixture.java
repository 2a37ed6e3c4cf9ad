package dev.voi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A fake server that records requests and answers canned documents, and a way to run voi. */
abstract class CliFixture {

  /**
   * @param transferEncoding the request's Transfer-Encoding, or null
   * @param trailer the request's Trailer header (the fields it announces after a chunked body), or
   *     null
   */
  record Request(
      String method,
      String uri,
      String authorization,
      String body,
      byte[] raw,
      String transferEncoding,
      String trailer) {}

  record Canned(int status, String contentType, String body) {}

  @TempDir Path dir;

  HttpServer server;
  String url;
  final List<Request> requests = new CopyOnWriteArrayList<>();
  final Map<String, Canned> answers = new ConcurrentHashMap<>();
  final Map<String, String> env = new HashMap<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort();
    env.put("VOI_SERVER", url);
    env.put("VOI_TOKEN", "env-token");
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] raw = exchange.getRequestBody().readAllBytes();
    String body = new String(raw, StandardCharsets.UTF_8);
    String key = exchange.getRequestMethod() + " " + exchange.getRequestURI();
    requests.add(
        new Request(
            exchange.getRequestMethod(),
            exchange.getRequestURI().toString(),
            exchange.getRequestHeaders().getFirst("Authorization"),
            body,
            raw,
            exchange.getRequestHeaders().getFirst("Transfer-Encoding"),
            exchange.getRequestHeaders().getFirst("Trailer")));
    Canned canned = answers.get(key);
    if (canned == null) {
      canned =
          new Canned(
              404,
              "application/problem+json",
              "{\"title\":\"Not Found\",\"status\":404,\"detail\":\"nothing at " + key + "\"}");
    }
    byte[] bytes = canned.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", canned.contentType());
    exchange.sendResponseHeaders(canned.status(), bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
    exchange.close();
  }

  void answer(String methodAndUri, int status, String json) {
    answers.put(methodAndUri, new Canned(status, "application/json", json));
  }

  record Run(int exit, String out, String err) {
    JsonNode json() {
      return Json.parse(out.getBytes(StandardCharsets.UTF_8));
    }
  }

  Run voi(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        Voi.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            false,
            env,
            System::nanoTime);
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
