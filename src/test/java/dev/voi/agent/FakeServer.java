package dev.voi.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.voi.chain.ChainNode;
import dev.voi.chain.Checksum;
import dev.voi.chain.ChecksumList;
import dev.voi.chain.Decision;
import dev.voi.chain.LayerState;
import dev.voi.chain.Policy;
import dev.voi.chain.ServerLayer;
import dev.voi.chain.StrategyDecider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test double of the server's terminal endpoints (docs/design.md §9) on 127.0.0.1, deciding with
 * the real {@link StrategyDecider} over a {@link Lineage} of real qcow2 files: {@code PUT …/chain},
 * {@code GET …/strategy} with {@code If-None-Match}, {@code POST …/feedback}, and layer content
 * with {@code Range}, {@code If-Range} and {@code ETag}. Faults can be injected: a connection cut
 * after some bytes, a tampered byte, a different ETag, 503s.
 */
final class FakeServer implements AutoCloseable {

  private static final Pattern TERMINAL_IMAGE =
      Pattern.compile("/api/v1/terminals/([^/]+)/images/([^/]+)/(chain|strategy|feedback)");
  private static final Pattern CONTENT =
      Pattern.compile("/api/v1/images/([^/]+)/layers/([0-9a-f]{64})/content");
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

  /** One content request as the server saw it. */
  record ContentRequest(
      String checksum, String range, String ifRange, int status, long bytesSent) {}

  private final HttpServer http;
  private final Lineage lineage;
  private final String terminalId;
  private final String token;

  volatile Policy policy = Policy.PATENT;
  volatile int maxIncrementalLayers = 8;

  /** The next content response breaks off after this many body bytes (then resets to -1). */
  volatile long cutNextAfter = -1;

  /** The next content response sends this many bytes, then stalls for 3 s and breaks off. */
  volatile long stallNextAfter = -1;

  /** Every content response flips one byte in the middle of the file. */
  volatile boolean tamper;

  /** The next this many content responses flip one byte in the middle of the file. */
  final java.util.concurrent.atomic.AtomicInteger tamperNext =
      new java.util.concurrent.atomic.AtomicInteger();

  /** The ETag content responses carry (null: the quoted sha256, as the real server). */
  volatile String etagOverride;

  /** Whether answers carry an ETag (the real server always sends one). */
  volatile boolean answerEtags = true;

  /** When set, the group's maintenance window is closed until then (docs/design.md §11). */
  volatile String windowOpensAt;

  /** This many content requests answer 503 with Retry-After: 1 first. */
  volatile int busyResponses;

  /** Runs at every content request (e.g. publishes a layer "during the download"). */
  volatile Consumer<String> onContentRequest = checksum -> {};

  final AtomicLong contentBytesSent = new AtomicLong();
  final List<ContentRequest> contentRequests = new CopyOnWriteArrayList<>();
  final List<JsonNode> feedback = new CopyOnWriteArrayList<>();
  final List<List<ChainNode>> reports = new CopyOnWriteArrayList<>();
  final List<Integer> strategyStatuses = new CopyOnWriteArrayList<>();

  private volatile List<ChainNode> lastReport;

  FakeServer(Lineage lineage, String terminalId, String token) throws IOException {
    this.lineage = lineage;
    this.terminalId = terminalId;
    this.token = token;
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.setExecutor(Executors.newFixedThreadPool(4));
    http.createContext("/", this::handle);
    http.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
  }

  @Override
  public void close() {
    http.stop(0);
  }

  /** Sum of bytes sent for content since the last reset. */
  long resetCounters() {
    long sent = contentBytesSent.getAndSet(0);
    contentRequests.clear();
    feedback.clear();
    reports.clear();
    strategyStatuses.clear();
    return sent;
  }

  List<String> feedbackStates() {
    List<String> states = new ArrayList<>();
    feedback.forEach(f -> states.add(f.path("state").asText()));
    return states;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      if (!("Bearer " + token).equals(auth)) {
        problem(exchange, 401, "Unauthorized", "no or a bad token");
        return;
      }
      String path = exchange.getRequestURI().getPath();
      Matcher terminal = TERMINAL_IMAGE.matcher(path);
      Matcher content = CONTENT.matcher(path);
      if (terminal.matches()) {
        if (!terminal.group(1).equals(terminalId)) {
          problem(exchange, 403, "Forbidden", "not this terminal's resource");
          return;
        }
        if (!terminal.group(2).equals(lineage.image())) {
          problem(exchange, 404, "Not Found", "no image " + terminal.group(2));
          return;
        }
        switch (terminal.group(3)) {
          case "chain" -> chain(exchange);
          case "strategy" -> strategy(exchange);
          default -> feedback(exchange);
        }
      } else if (content.matches() && content.group(1).equals(lineage.image())) {
        content(exchange, Checksum.ofHex(content.group(2)));
      } else {
        problem(exchange, 404, "Not Found", path);
      }
    } catch (IOException e) {
      // the client went away, or a cut was injected
    }
  }

  private void chain(HttpExchange exchange) throws IOException {
    if (!exchange.getRequestMethod().equals("PUT")) {
      problem(exchange, 405, "Method Not Allowed", "");
      return;
    }
    JsonNode body = Json.parse(exchange.getRequestBody().readAllBytes());
    List<JsonNode> nodes = new ArrayList<>();
    body.path("nodes").forEach(nodes::add);
    List<ChainNode> list;
    try {
      list =
          ChecksumList.parse(
              nodes, n -> n.path("head").asText(null), n -> n.path("tail").asText(null));
    } catch (IllegalArgumentException e) {
      problem(exchange, 400, "Bad Request", e.getMessage());
      return;
    }
    lastReport = list;
    reports.add(list);
    answer(exchange, list, null);
  }

  private void strategy(HttpExchange exchange) throws IOException {
    List<ChainNode> list = lastReport;
    if (list == null) {
      problem(exchange, 404, "Not Found", "no report yet");
      return;
    }
    answer(exchange, list, exchange.getRequestHeaders().getFirst("If-None-Match"));
  }

  private void answer(HttpExchange exchange, List<ChainNode> list, String ifNoneMatch)
      throws IOException {
    byte[] json = answerJson(list).getBytes(StandardCharsets.UTF_8);
    String etag = "\"" + Checksum.sha256(json).hex() + "\"";
    if (answerEtags) {
      exchange.getResponseHeaders().set("ETag", etag);
    }
    if (answerEtags && etag.equals(ifNoneMatch)) {
      strategyStatuses.add(304);
      exchange.sendResponseHeaders(304, -1);
      return;
    }
    if (exchange.getRequestMethod().equals("GET")) {
      strategyStatuses.add(200);
    }
    send(exchange, 200, "application/json", json);
  }

  /** The docs/design.md §9 answer for a list against the lineage's current chain. */
  String answerJson(List<ChainNode> list) {
    List<Lineage.Layer> chain = lineage.chain();
    List<ServerLayer> layers = chain.stream().map(Lineage.Layer::serverLayer).toList();
    Decision decision = new StrategyDecider(policy, maxIncrementalLayers).decide(list, layers);
    String opensAt = windowOpensAt;
    if (opensAt != null && StrategyDecider.heldByWindows(decision)) {
      decision = StrategyDecider.outsideWindow(decision);
    } else {
      opensAt = null;
    }
    ObjectNode root = Json.object();
    root.put("image", lineage.image());
    root.put("strategy", decision.strategy().name());
    root.put("reason", decision.reason().name());
    root.put("policy", decision.policy().wireName());
    root.putPOJO("moveCount", decision.moveCount());
    root.putPOJO("divergedAt", decision.divergedAt());
    root.put("keep", decision.keep());
    if (decision.tip() == null) {
      root.putNull("tip");
    } else {
      root.putObject("tip")
          .put("depth", decision.tip().depth())
          .put("version", decision.tip().version())
          .put("checksum", decision.tip().checksum().hex());
    }
    ArrayNode downloads = root.putArray("downloads");
    for (ServerLayer layer : decision.downloads()) {
      Lineage.Layer published = chain.get(layer.depth());
      downloads
          .addObject()
          .put("depth", published.depth())
          .put("version", published.version())
          .put("checksum", published.checksum().hex())
          .put("fileName", published.fileName())
          .put("size", published.size())
          .put("sha256", published.sha256().hex())
          .put(
              "url",
              "/api/v1/images/"
                  + lineage.image()
                  + "/layers/"
                  + published.checksum().hex()
                  + "/content");
    }
    root.put("windowOpensAt", opensAt);
    root.put("totalBytes", decision.totalBytes());
    root.put("pollAfterSeconds", 60);
    return Json.write(root);
  }

  private void feedback(HttpExchange exchange) throws IOException {
    feedback.add(Json.parse(exchange.getRequestBody().readAllBytes()));
    exchange.sendResponseHeaders(202, -1);
  }

  private void content(HttpExchange exchange, Checksum checksum) throws IOException {
    onContentRequest.accept(checksum.hex());
    Lineage.Layer layer = lineage.byChecksum(checksum);
    String range = exchange.getRequestHeaders().getFirst("Range");
    String ifRange = exchange.getRequestHeaders().getFirst("If-Range");
    if (layer == null) {
      record(checksum, range, ifRange, 404, 0);
      problem(exchange, 404, "Not Found", "no layer " + checksum);
      return;
    }
    if (layer.state() == LayerState.QUARANTINED) {
      record(checksum, range, ifRange, 410, 0);
      problem(exchange, 410, "Gone", "quarantined");
      return;
    }
    if (busyResponses > 0) {
      busyResponses--;
      record(checksum, range, ifRange, 503, 0);
      exchange.getResponseHeaders().set("Retry-After", "1");
      problem(exchange, 503, "Service Unavailable", "too many downloads");
      return;
    }
    byte[] bytes = Files.readAllBytes(layer.file());
    if (tamper || tamperNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      bytes[bytes.length / 2] ^= 0x01;
    }
    String etag = etagOverride != null ? etagOverride : "\"" + layer.sha256().hex() + "\"";
    exchange.getResponseHeaders().set("ETag", etag);
    exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
    exchange
        .getResponseHeaders()
        .set("Content-Disposition", "attachment; filename=" + layer.fileName());
    exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
    int start = 0;
    int status = 200;
    Matcher matcher = range == null ? null : RANGE.matcher(range);
    if (matcher != null && matcher.matches() && (ifRange == null || ifRange.equals(etag))) {
      start = Integer.parseInt(matcher.group(1));
      if (start >= bytes.length) {
        record(checksum, range, ifRange, 416, 0);
        exchange.getResponseHeaders().set("Content-Range", "bytes */" + bytes.length);
        exchange.sendResponseHeaders(416, -1);
        return;
      }
      status = 206;
      exchange
          .getResponseHeaders()
          .set("Content-Range", "bytes " + start + "-" + (bytes.length - 1) + "/" + bytes.length);
    }
    int length = bytes.length - start;
    long cut = cutNextAfter;
    cutNextAfter = -1;
    long stall = stallNextAfter;
    stallNextAfter = -1;
    if (stall >= 0) {
      cut = stall;
    }
    int toSend = cut >= 0 ? (int) Math.min(cut, length) : length;
    record(checksum, range, ifRange, status, toSend);
    exchange.sendResponseHeaders(status, length);
    OutputStream out = exchange.getResponseBody();
    out.write(bytes, start, toSend);
    out.flush();
    contentBytesSent.addAndGet(toSend);
    if (stall >= 0) {
      try {
        Thread.sleep(3000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    // With a cut, closing the exchange short of Content-Length drops the connection.
  }

  private void record(Checksum checksum, String range, String ifRange, int status, long sent) {
    contentRequests.add(new ContentRequest(checksum.hex(), range, ifRange, status, sent));
  }

  private static void problem(HttpExchange exchange, int status, String title, String detail)
      throws IOException {
    ObjectNode problem = Json.object();
    problem.put("type", "about:blank");
    problem.put("title", title);
    problem.put("status", status);
    problem.put("detail", detail);
    send(
        exchange,
        status,
        "application/problem+json",
        Json.write(problem).getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
