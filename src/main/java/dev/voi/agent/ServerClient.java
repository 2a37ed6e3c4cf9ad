package dev.voi.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.voi.chain.ChainNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The terminal's side of the HTTP API (docs/design.md §9): report the list, re-check the answer,
 * send feedback, open layer downloads. Every request carries the terminal's bearer token, so
 * requests only ever go to the configured server's origin: redirects are not followed and an
 * absolute download URL of another origin is refused.
 */
final class ServerClient {

  /** Feedback states (docs/design.md §9). */
  enum FeedbackState {
    DOWNLOADING,
    APPLYING,
    DONE,
    FAILED
  }

  /** Terminal ids go into a URL path; the server's ids are plain tokens. */
  private static final Pattern TERMINAL_ID = Pattern.compile("[A-Za-z0-9._~-]{1,128}");

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
  private static final int MAX_ERROR_BODY = 64 * 1024;

  private final URI server;
  private final String terminalId;
  private final String image;
  private final String token;
  private final HttpClient http;
  private final Console console;

  ServerClient(URI server, String terminalId, String image, String token, Console console) {
    this(
        server,
        terminalId,
        image,
        token,
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(CONNECT_TIMEOUT)
            .build(),
        console);
  }

  ServerClient(
      URI server, String terminalId, String image, String token, HttpClient http, Console console) {
    this.server = requireServerUri(server);
    if (!TERMINAL_ID.matcher(terminalId).matches()) {
      throw AgentException.usage(
          "--terminal: " + LocalNames.quote(terminalId) + " is not a terminal id");
    }
    this.terminalId = terminalId;
    this.image = image;
    this.token = Objects.requireNonNull(token, "token");
    this.http = http;
    this.console = console;
  }

  /** Parses and checks {@code --server}: an http(s) URL without query or fragment. */
  static URI parseServer(String text) {
    try {
      return requireServerUri(new URI(text));
    } catch (URISyntaxException e) {
      throw AgentException.usage("--server: not a URL: " + e.getMessage());
    }
  }

  private static URI requireServerUri(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https"))
        || uri.getHost() == null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw AgentException.usage(
          "--server: expected an http or https URL like http://voi-server:8080, got " + uri);
    }
    return uri;
  }

  URI server() {
    return server;
  }

  private URI terminalImage(String suffix) {
    return server.resolve("/api/v1/terminals/" + terminalId + "/images/" + image + "/" + suffix);
  }

  /** {@code PUT …/chain} with the node list: the answer for it. */
  Answer report(List<ChainNode> nodes) {
    ObjectNode body = Json.object();
    ArrayNode array = body.putArray("nodes");
    for (ChainNode node : nodes) {
      array.addObject().put("head", node.head().hex()).put("tail", node.tail().hex());
    }
    HttpRequest request =
        json(terminalImage("chain"))
            .PUT(HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8))
            .header("Content-Type", "application/json")
            .build();
    HttpResponse<byte[]> response = send(request, "report the chain");
    requireStatus(response, "report the chain", 200);
    return parseAnswer(response);
  }

  /**
   * {@code GET …/strategy} with {@code If-None-Match}: true when the server answers 304, i.e. the
   * answer the download was made for still holds; false when it changed. Without an ETag (the
   * server should always send one) the answers are compared.
   */
  boolean answerStillHolds(Answer answer) {
    String etag = answer.etag();
    HttpRequest.Builder builder = json(terminalImage("strategy")).GET();
    if (etag != null) {
      builder.header("If-None-Match", etag);
    }
    HttpResponse<byte[]> response = send(builder.build(), "re-check the answer");
    if (response.statusCode() == 304) {
      return true;
    }
    requireStatus(response, "re-check the answer", 200);
    if (etag != null) {
      return false;
    }
    console.detail("the answer carries no ETag; comparing the answers instead");
    Answer again = parseAnswer(response);
    return again.withEtag(null).equals(answer.withEtag(null));
  }

  /** {@code POST …/feedback}; failures are the caller's to judge (feedback is best effort). */
  void feedback(FeedbackState state, int progress, String detail) {
    ObjectNode body = Json.object();
    body.put("state", state.name());
    body.put("progress", Math.max(0, Math.min(100, progress)));
    body.put("detail", detail == null ? "" : truncate(detail, 1000));
    HttpRequest request =
        json(terminalImage("feedback"))
            .POST(HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8))
            .header("Content-Type", "application/json")
            .build();
    HttpResponse<byte[]> response = send(request, "send feedback");
    requireStatus(response, "send feedback", 202, 200, 204);
  }

  /**
   * {@code POST …/feedback} that gives up after {@code limit} (connection and answer included): for
   * the last word of an interrupted run, which must not hang on an unreachable server.
   *
   * @return whether the server accepted it in time
   */
  boolean feedbackWithin(FeedbackState state, int progress, String detail, Duration limit) {
    ObjectNode body = Json.object();
    body.put("state", state.name());
    body.put("progress", Math.max(0, Math.min(100, progress)));
    body.put("detail", detail == null ? "" : truncate(detail, 1000));
    HttpRequest request =
        json(terminalImage("feedback"))
            .timeout(limit)
            .POST(HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8))
            .header("Content-Type", "application/json")
            .build();
    CompletableFuture<HttpResponse<Void>> sent =
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding());
    try {
      int status = sent.get(limit.toMillis(), TimeUnit.MILLISECONDS).statusCode();
      return status == 202 || status == 200 || status == 204;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      sent.cancel(true);
      return false;
    }
  }

  /**
   * Resolves a download URL from an answer against the server, refusing any other origin (the
   * bearer token must not go anywhere else).
   */
  URI resolveDownload(String url) {
    URI resolved;
    try {
      resolved = server.resolve(new URI(url));
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw AgentException.server(
          "server answer: download url " + LocalNames.quote(url) + " is not a URL");
    }
    if (!sameOrigin(server, resolved)) {
      throw AgentException.server(
          "server answer: download url " + resolved + " is not on " + server + "; refused");
    }
    return resolved;
  }

  private static boolean sameOrigin(URI a, URI b) {
    return Objects.equals(lower(a.getScheme()), lower(b.getScheme()))
        && Objects.equals(lower(a.getHost()), lower(b.getHost()))
        && port(a) == port(b);
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  private static int port(URI uri) {
    if (uri.getPort() >= 0) {
      return uri.getPort();
    }
    return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  /** Starts a download; the caller reads and closes the body. */
  HttpResponse<InputStream> download(URI uri, Map<String, String> headers) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(uri)
            .GET()
            .header("Authorization", "Bearer " + token)
            .timeout(REQUEST_TIMEOUT);
    headers.forEach(builder::header);
    try {
      return http.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw unreachable("download " + uri.getPath(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw AgentException.server("interrupted while downloading", e);
    }
  }

  private HttpRequest.Builder json(URI uri) {
    return HttpRequest.newBuilder(uri)
        .header("Authorization", "Bearer " + token)
        .header("Accept", "application/json, application/problem+json")
        .timeout(REQUEST_TIMEOUT);
  }

  private HttpResponse<byte[]> send(HttpRequest request, String what) {
    console.detail(request.method() + " " + request.uri());
    try {
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      console.detail(
          "-> "
              + response.statusCode()
              + response.headers().firstValue("ETag").map(e -> " ETag " + e).orElse(""));
      return response;
    } catch (IOException e) {
      throw unreachable(what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw AgentException.server("interrupted while trying to " + what, e);
    }
  }

  private AgentException unreachable(String what, IOException e) {
    String reason;
    if (e instanceof HttpConnectTimeoutException) {
      reason = "connection timed out";
    } else if (e instanceof HttpTimeoutException) {
      reason = "no answer in time";
    } else if (e instanceof ConnectException) {
      reason = "connection refused";
    } else {
      reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    return AgentException.server("cannot " + what + " at " + server + ": " + reason, e);
  }

  private Answer parseAnswer(HttpResponse<byte[]> response) {
    try {
      return Answer.parse(response.body(), response.headers().firstValue("ETag").orElse(null));
    } catch (IllegalArgumentException e) {
      throw AgentException.server("the server's answer is not valid: " + e.getMessage(), e);
    }
  }

  private static void requireStatus(HttpResponse<byte[]> response, String what, int... expected) {
    for (int status : expected) {
      if (response.statusCode() == status) {
        return;
      }
    }
    throw AgentException.server(describeError(what, response.statusCode(), response.body()));
  }

  /**
   * One line for an error answer: {@code cannot report the chain: server answered 403: Forbidden:
   * terminal 7 is not assigned image win10-lab}, from a problem+json body where there is one.
   */
  static String describeError(String what, int status, byte[] body) {
    StringBuilder line = new StringBuilder("cannot ").append(what).append(": server answered ");
    line.append(status);
    String problem = problemText(body);
    if (problem != null) {
      line.append(": ").append(problem);
    }
    switch (status) {
      case 401 -> line.append(" (check --token-file)");
      case 403 -> line.append(" (is the image assigned to this terminal, is the id right?)");
      case 404 -> line.append(" (unknown image or terminal?)");
      default -> {}
    }
    return line.toString();
  }

  private static String problemText(byte[] body) {
    if (body == null || body.length == 0 || body.length > MAX_ERROR_BODY) {
      return null;
    }
    try {
      JsonNode problem = Json.parse(body);
      String title = problem.path("title").asText(null);
      String detail = problem.path("detail").asText(null);
      if (title == null && detail == null) {
        return null;
      }
      String text = title == null ? detail : detail == null ? title : title + ": " + detail;
      return truncate(text.replaceAll("\\p{Cntrl}", " "), 300);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String truncate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "…";
  }
}
