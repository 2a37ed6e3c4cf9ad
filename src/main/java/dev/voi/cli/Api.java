package dev.voi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The administrator's side of the HTTP API ({@code /api/v1}, docs/design.md §9): every request
 * carries the admin token, goes to the configured server only (redirects are not followed), and an
 * error answer becomes one line from its problem document ({@code title: detail}) with exit code 3.
 */
final class Api {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(120);
  private static final int MAX_PROBLEM_TEXT = 400;

  /** An answer: status, body, and the {@code Location} header if any. */
  record Answer(int status, JsonNode body, String location) {}

  private final URI server;
  private final String token;
  private final Console console;
  private final HttpClient http;

  Api(URI server, String token, Console console) {
    this(
        server,
        token,
        console,
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(CONNECT_TIMEOUT)
            .build());
  }

  Api(URI server, String token, Console console, HttpClient http) {
    this.server = Objects.requireNonNull(server, "server");
    this.token = Objects.requireNonNull(token, "token");
    this.console = Objects.requireNonNull(console, "console");
    this.http = Objects.requireNonNull(http, "http");
  }

  URI server() {
    return server;
  }

  /** The URI of {@code /api/v1/<path>} with the query parameters whose value is not null. */
  URI uri(String path, Map<String, ?> query) {
    StringBuilder uri = new StringBuilder(stripSlash(server.toString())).append("/api/v1/");
    uri.append(path);
    char separator = '?';
    for (Map.Entry<String, ?> parameter : query.entrySet()) {
      if (parameter.getValue() == null) {
        continue;
      }
      uri.append(separator)
          .append(parameter.getKey())
          .append('=')
          .append(URLEncoder.encode(parameter.getValue().toString(), StandardCharsets.UTF_8));
      separator = '&';
    }
    return URI.create(uri.toString());
  }

  URI uri(String path) {
    return uri(path, Map.of());
  }

  /** Resolves a {@code Location} or {@code url} of the server's answers against the server. */
  URI resolve(String location) {
    URI resolved = server.resolve(location);
    if (!Objects.equals(resolved.getHost(), server.getHost())
        || resolved.getPort() != server.getPort()) {
      throw CliException.server("the server pointed at another origin: " + location);
    }
    return resolved;
  }

  JsonNode get(URI uri, String what) {
    return send(request(uri).GET(), what, 200).body();
  }

  Answer put(URI uri, JsonNode body, String what, int... expected) {
    HttpRequest.Builder builder = request(uri);
    if (body == null) {
      builder.PUT(HttpRequest.BodyPublishers.noBody());
    } else {
      builder.PUT(json(body)).header("Content-Type", "application/json");
    }
    return send(builder, what, expected);
  }

  Answer post(URI uri, JsonNode body, String what, int... expected) {
    HttpRequest.Builder builder = request(uri);
    if (body == null) {
      builder.POST(HttpRequest.BodyPublishers.noBody());
    } else {
      builder.POST(json(body)).header("Content-Type", "application/json");
    }
    return send(builder, what, expected);
  }

  Answer delete(URI uri, String what, int... expected) {
    return send(request(uri).DELETE(), what, expected);
  }

  /**
   * Posts the upload with {@code Expect: 100-continue} (so that a refused upload is answered before
   * its body is sent) and no request timeout (a 40 GB template takes as long as it takes). Over
   * plain HTTP the file goes through {@link PlainUpload} (the kernel copies it to the socket); over
   * HTTPS through the JDK's client.
   */
  Answer upload(URI uri, UploadSource source, Progress progress, String what, int... expected) {
    return upload(uri, source, progress, null, what, expected);
  }

  /** Whether {@link #upload} can send the body's digest in a trailer: over plain HTTP only. */
  boolean trailers() {
    return "http".equalsIgnoreCase(server.getScheme());
  }

  /**
   * As {@link #upload(URI, UploadSource, Progress, String, int...)}, the body chunked and followed
   * by a {@code Content-Digest} trailer of {@code trailer} when it is not null (plain HTTP only:
   * {@link #trailers}).
   */
  Answer upload(
      URI uri,
      UploadSource source,
      Progress progress,
      ChunkedBody.Digest trailer,
      String what,
      int... expected) {
    console.detail("POST " + uri);
    if ("http".equalsIgnoreCase(uri.getScheme())) {
      PlainUpload.Response response;
      try {
        response = PlainUpload.post(uri, token, source, progress, trailer);
      } catch (IOException e) {
        throw unreachable(what, e);
      }
      console.detail("-> " + response.status());
      return answer(response.status(), response.body(), response.location(), what, expected);
    }
    if (trailer != null) {
      throw new IllegalArgumentException("the JDK's HTTP client sends no trailers");
    }
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(uri)
            .header("Authorization", "Bearer " + token)
            .header("Accept", "application/json, application/problem+json")
            .header("Content-Type", "application/octet-stream")
            .expectContinue(true)
            .POST(
                HttpRequest.BodyPublishers.fromPublisher(
                    HttpRequest.BodyPublishers.ofInputStream(() -> source.open(progress)),
                    source.length()));
    return send(builder, what, expected);
  }

  private HttpRequest.Builder request(URI uri) {
    return HttpRequest.newBuilder(uri)
        .header("Authorization", "Bearer " + token)
        .header("Accept", "application/json, application/problem+json")
        .timeout(REQUEST_TIMEOUT);
  }

  private static HttpRequest.BodyPublisher json(JsonNode body) {
    return HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8);
  }

  private Answer send(HttpRequest.Builder builder, String what, int... expected) {
    HttpRequest request = builder.build();
    console.detail(request.method() + " " + request.uri());
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw unreachable(what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliException.server("interrupted while trying to " + what, e);
    }
    console.detail("-> " + response.statusCode());
    return answer(
        response.statusCode(),
        response.body(),
        response.headers().firstValue("Location").orElse(null),
        what,
        expected);
  }

  private Answer answer(int status, byte[] bytes, String location, String what, int... expected) {
    if (Arrays.stream(expected).noneMatch(s -> s == status)) {
      throw new ServerRefusal(status, location, describeError(what, status, bytes));
    }
    JsonNode body = null;
    if (bytes.length > 0) {
      try {
        body = Json.parse(bytes);
      } catch (IllegalArgumentException e) {
        throw CliException.server(
            "cannot " + what + ": the server's answer is not JSON: " + e.getMessage(), e);
      }
    }
    return new Answer(status, body, location);
  }

  private CliException unreachable(String what, IOException e) {
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
    return CliException.server("cannot " + what + " at " + server + ": " + reason, e);
  }

  /**
   * One line for an error answer, from its problem document where there is one: {@code cannot show
   * image win10-lab: server answered 404 Not Found: no image named win10-lab}.
   */
  static String describeError(String what, int status, byte[] body) {
    StringBuilder line = new StringBuilder("cannot ").append(what).append(": server answered ");
    line.append(status);
    String problem = problemText(body);
    if (problem != null) {
      line.append(' ').append(problem);
    }
    if (status == 401) {
      line.append(" (check --token-file or VOI_TOKEN: the admin token)");
    } else if (status == 403) {
      line.append(" (this command needs the admin token, not a terminal's)");
    }
    return line.toString();
  }

  private static String problemText(byte[] body) {
    if (body == null || body.length == 0 || body.length > 64 * 1024) {
      return null;
    }
    JsonNode problem;
    try {
      problem = Json.parse(body);
    } catch (IllegalArgumentException e) {
      return null;
    }
    String title = Json.text(problem, "title", null);
    String detail = Json.text(problem, "detail", null);
    if (title == null && detail == null) {
      return null;
    }
    String text = title == null ? detail : detail == null ? title : title + ": " + detail;
    text = text.replaceAll("\\p{Cntrl}", " ");
    return text.length() <= MAX_PROBLEM_TEXT ? text : text.substring(0, MAX_PROBLEM_TEXT) + "…";
  }

  private static String stripSlash(String text) {
    return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
  }

  /** Query parameters in the order given. */
  static Map<String, Object> query(Object... keysAndValues) {
    Map<String, Object> query = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      query.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return query;
  }

  /** An answer with a status the caller did not expect: exit code 3, one line. */
  static final class ServerRefusal extends CliException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String location;

    ServerRefusal(int status, String location, String message) {
      super(Exit.SERVER, message, null);
      this.status = status;
      this.location = location;
    }

    int status() {
      return status;
    }

    String location() {
      return location;
    }
  }
}
