package dev.voi.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.qcow2.Qemu;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The hostile inputs the suite throws at a running server, by kind: each must be refused with its
 * status and problem type as {@code application/problem+json}, with no stack trace, and the whole
 * run must leave nothing behind (docs/hostile-inputs.md). The same catalogue runs on PostgreSQL
 * ({@code PlatformIT}) and on the embedded database ({@code EmbeddedServerIT}).
 */
final class HostileInputs {

  /** What the catalogue needs of the server under test. */
  record Fixture(
      String image,
      String tip,
      String layerFileName,
      long terminal,
      String terminalToken,
      long otherTerminal,
      byte[] overlay) {}

  /** One hostile request and the refusal it must get. */
  /**
   * One hostile request and the refusal it must get.
   *
   * @param detail words the problem's detail must contain, where the status and type alone would
   *     not tell this refusal from another one (null: not checked)
   */
  record Case(String kind, String what, byte[] request, int status, String slug, String detail) {}

  /** The kinds, in the order of the table. */
  static final List<String> KINDS =
      List.of(
          "authentication",
          "names and identifiers",
          "JSON bodies",
          "uploads",
          "query parameters and ranges",
          "methods and media types");

  private final String prefix;
  private final String admin;
  private final Fixture fixture;
  private final List<Case> cases = new ArrayList<>();

  /**
   * @param prefix the API's path on the server, e.g. {@code /api/v1}
   * @param admin the administrator's {@code Authorization} value
   */
  HostileInputs(String prefix, String admin, Fixture fixture) {
    this.prefix = prefix;
    this.admin = admin;
    this.fixture = fixture;
    authentication();
    names();
    jsonBodies();
    uploads();
    queries();
    methods();
  }

  List<Case> cases() {
    return cases;
  }

  /** How many cases of each kind. */
  Map<String, Integer> counts() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    KINDS.forEach(kind -> counts.put(kind, 0));
    cases.forEach(c -> counts.merge(c.kind(), 1, Integer::sum));
    return counts;
  }

  // ------------------------------------------------------------------------- the catalogue

  private void authentication() {
    String kind = "authentication";
    String images = prefix + "/images";
    add(kind, "no token", get(images, null), 401, "unauthorized");
    add(
        kind,
        "an unknown bearer token",
        get(images, "Bearer voia_not-a-token"),
        401,
        "unauthorized");
    add(kind, "a 4 KiB token", get(images, "Bearer " + "x".repeat(4 << 10)), 401, "unauthorized");
    add(kind, "the Basic scheme with garbage", get(images, "Basic !!!"), 401, "unauthorized");
    add(kind, "an empty bearer", get(images, "Bearer "), 401, "unauthorized");
    String terminal = "Bearer " + fixture.terminalToken();
    add(
        kind,
        "a terminal listing terminals",
        get(prefix + "/terminals", terminal),
        403,
        "forbidden");
    add(
        kind,
        "a terminal polling another terminal",
        get(strategy(fixture.otherTerminal()), terminal),
        403,
        "forbidden");
    add(
        kind,
        "a terminal publishing an image",
        post(
            prefix + "/images?name=" + fixture.image() + "-t",
            terminal,
            "application/octet-stream",
            fixture.overlay()),
        403,
        "forbidden");
    add(
        kind,
        "a terminal retiring a layer",
        request(
            "DELETE", prefix + "/images/" + fixture.image() + "/layers/0", terminal, null, null),
        403,
        "forbidden");
  }

  private void names() {
    String kind = "names and identifiers";
    add(
        kind,
        "an image name starting with a dot",
        post(prefix + "/images?name=.hidden", admin, "application/octet-stream", fixture.overlay()),
        400,
        "bad-request");
    add(
        kind,
        "an image name with '..'",
        post(prefix + "/images?name=..", admin, "application/octet-stream", fixture.overlay()),
        400,
        "bad-request");
    add(
        kind,
        "an image name of 300 characters",
        get(prefix + "/images/" + "n".repeat(300), admin),
        400,
        "bad-request");
    add(
        kind,
        "an image name with a space",
        get(prefix + "/images/a%20b", admin),
        400,
        "bad-request");
    add(
        kind,
        "a group name with a space",
        get(prefix + "/groups/a%20b", admin),
        400,
        "bad-request");
    add(
        kind,
        "an advance of an image without a plan",
        post(
            prefix + "/images/" + fixture.image() + "/rollout/advance",
            admin,
            "application/json",
            new byte[0]),
        404,
        "not-found");
    add(
        kind,
        "an encoded slash in a name",
        get(prefix + "/images/a%2fb", admin),
        400,
        "bad-request");
    add(
        kind,
        "a terminal id that is not a number",
        get(prefix + "/terminals/abc", admin),
        404,
        "not-found");
    add(
        kind,
        "a terminal id beyond 64 bits",
        get(prefix + "/terminals/99999999999999999999", admin),
        404,
        "not-found");
    add(kind, "a negative terminal id", get(prefix + "/terminals/-1", admin), 404, "not-found");
    add(
        kind,
        "a checksum in capitals",
        get(content(fixture.tip().toUpperCase(Locale.ROOT)), admin),
        400,
        "bad-request");
    add(kind, "a checksum too short", get(content("abc"), admin), 400, "bad-request");
    add(kind, "an unknown checksum", get(content("0".repeat(64)), admin), 404, "not-found");
  }

  private void jsonBodies() {
    String kind = "JSON bodies";
    String terminals = prefix + "/terminals";
    add(
        kind,
        "a registration that is not JSON",
        json("POST", terminals, admin, "nope"),
        400,
        "bad-request");
    add(
        kind,
        "a registration with a key twice",
        json("POST", terminals, admin, "{\"name\":\"a\",\"name\":\"b\"}"),
        400,
        "bad-request");
    add(
        kind,
        "a registration nested 1,001 deep",
        json("POST", terminals, admin, "{\"name\":" + "[".repeat(1001) + "]".repeat(1001) + "}"),
        400,
        "bad-request");
    add(
        kind,
        "a name with a NUL",
        json("POST", terminals, admin, "{\"name\":\"a\\u0000b\"}"),
        400,
        "bad-request");
    add(
        kind,
        "a name of 10,000 characters",
        json("POST", terminals, admin, "{\"name\":\"" + "n".repeat(10_000) + "\"}"),
        400,
        "bad-request");
    add(
        kind,
        "a name that is a number",
        json("POST", terminals, admin, "{\"name\":7}"),
        400,
        "bad-request");
    add(
        kind,
        "trailing data after the value",
        json("POST", terminals, admin, "{\"name\":\"a\"} {}"),
        400,
        "bad-request");
    add(
        kind,
        "a registration over 64 KiB",
        json("POST", terminals, admin, "{\"name\":\"" + "n".repeat(70_000) + "\"}"),
        413,
        "body-too-large");
    String rollout = prefix + "/images/" + fixture.image() + "/rollout";
    add(
        kind,
        "a rollout plan that is not JSON",
        json("PUT", rollout, admin, "waves"),
        400,
        "bad-request");
    add(
        kind,
        "a rollout plan with \"*\" before the last wave",
        json("PUT", rollout, admin, "{\"waves\":[[\"*\"],[\"lab\"]]}"),
        400,
        "bad-request");
    add(
        kind,
        "a rollout plan with a success threshold of 1.5",
        json("PUT", rollout, admin, "{\"waves\":[[\"lab\"]],\"successThreshold\":1.5}"),
        400,
        "bad-request");
    add(
        kind,
        "a rollout plan over 256 KiB",
        json("PUT", rollout, admin, "{\"waves\":[[\"" + "g".repeat(270_000) + "\"]]}"),
        413,
        "body-too-large");
    String windows = prefix + "/groups/hostile-windows";
    add(
        kind,
        "windows in an unknown time zone",
        json("PUT", windows, admin, "{\"zone\":\"Mars/Olympus\",\"windows\":[]}"),
        400,
        "bad-request");
    add(
        kind,
        "a window opening at 25:00",
        json(
            "PUT",
            windows,
            admin,
            "{\"windows\":[{\"days\":[\"MON\"],\"from\":\"25:00\",\"to\":\"06:00\"}]}"),
        400,
        "bad-request");
    add(
        kind,
        "a group move to a number",
        json("PUT", prefix + "/terminals/" + fixture.terminal() + "/group", admin, "{\"group\":7}"),
        400,
        "bad-request");
    String terminal = "Bearer " + fixture.terminalToken();
    String chain =
        prefix + "/terminals/" + fixture.terminal() + "/images/" + fixture.image() + "/chain";
    add(
        kind,
        "a checksum list that is not a list",
        json("PUT", chain, terminal, "{\"nodes\":{}}"),
        400,
        "bad-request");
    add(
        kind,
        "a checksum list nested 1,001 deep",
        json("PUT", chain, terminal, "{\"nodes\":" + "[".repeat(1001) + "]".repeat(1001) + "}"),
        400,
        "bad-request");
    add(
        kind,
        "a node whose head is a number",
        json(
            "PUT",
            chain,
            terminal,
            "{\"nodes\":[{\"head\":7,\"tail\":\"" + "b".repeat(64) + "\"}]}"),
        400,
        "bad-request");
    add(
        kind,
        "a checksum list over 1 MiB",
        json("PUT", chain, terminal, "{\"nodes\":[" + " ".repeat(1 << 20) + "]}"),
        413,
        "body-too-large");
    String feedback =
        prefix + "/terminals/" + fixture.terminal() + "/images/" + fixture.image() + "/feedback";
    add(
        kind,
        "feedback in lower case",
        json("POST", feedback, terminal, "{\"state\":\"done\"}"),
        400,
        "bad-request");
    add(
        kind,
        "feedback progress 101",
        json("POST", feedback, terminal, "{\"state\":\"DONE\",\"progress\":101}"),
        400,
        "bad-request");
    add(
        kind,
        "feedback progress 2.5",
        json("POST", feedback, terminal, "{\"state\":\"DONE\",\"progress\":2.5}"),
        400,
        "bad-request");
    add(
        kind,
        "feedback detail with a NUL",
        json("POST", feedback, terminal, "{\"state\":\"DONE\",\"detail\":\"a\\u0000b\"}"),
        400,
        "bad-request");
    add(
        kind,
        "feedback over 64 KiB",
        json(
            "POST",
            feedback,
            terminal,
            "{\"state\":\"DONE\",\"detail\":\"" + "d".repeat(70_000) + "\"}"),
        413,
        "body-too-large");
    String policy = prefix + "/images/" + fixture.image() + "/policy";
    add(
        kind,
        "a policy limit of 2.5",
        json("PUT", policy, admin, "{\"policy\":\"patent\",\"maxIncrementalLayers\":2.5}"),
        400,
        "bad-request");
    add(
        kind,
        "a policy limit as text",
        json("PUT", policy, admin, "{\"policy\":\"patent\",\"maxIncrementalLayers\":\"3\"}"),
        400,
        "bad-request");
    add(
        kind,
        "an unknown policy",
        json("PUT", policy, admin, "{\"policy\":\"yolo\",\"maxIncrementalLayers\":3}"),
        400,
        "bad-request");
  }

  private void uploads() {
    String kind = "uploads";
    String diffs = prefix + "/images/" + fixture.image() + "/layers?parent=" + fixture.tip();
    String octets = "application/octet-stream";
    add(
        kind,
        "70 KB of zeros as a base",
        post(prefix + "/images?name=" + fixture.image() + "-z", admin, octets, new byte[70_000]),
        400,
        "not-qcow2");
    add(
        kind,
        "70 KB of zeros as a diff",
        post(diffs, admin, octets, new byte[70_000]),
        400,
        "not-qcow2");
    add(
        kind,
        "a diff cut after 50 bytes",
        post(diffs, admin, octets, Arrays.copyOf(fixture.overlay(), 50)),
        400,
        "not-qcow2");
    add(
        kind,
        "a diff cut after its first cluster",
        post(diffs, admin, octets, Arrays.copyOf(fixture.overlay(), 65_536 + 4096)),
        422,
        "qcow2-damaged");
    add(
        kind,
        "a diff without a parent",
        post(prefix + "/images/" + fixture.image() + "/layers", admin, octets, fixture.overlay()),
        400,
        "bad-request");
    add(
        kind,
        "a stale parent",
        post(
            prefix + "/images/" + fixture.image() + "/layers?parent=" + "a".repeat(64),
            admin,
            octets,
            fixture.overlay()),
        409,
        "stale-or-wrong-parent");
    add(
        kind,
        "a note with a NUL",
        post(diffs + "&note=a%00b", admin, octets, fixture.overlay()),
        400,
        "bad-request");
    add(
        kind,
        "a note of 1,001 characters",
        post(diffs + "&note=" + "n".repeat(1001), admin, octets, fixture.overlay()),
        400,
        "bad-request");
    add(
        kind,
        "a negative version",
        post(diffs + "&version=-1", admin, octets, fixture.overlay()),
        400,
        "bad-request");
    add(
        kind,
        "a malformed digest",
        post(diffs + "&digest=md5:abc", admin, octets, fixture.overlay()),
        400,
        "bad-request");
    add(
        kind,
        "a digest the body does not have",
        post(diffs + "&digest=sha256:" + "b".repeat(64), admin, octets, fixture.overlay()),
        400,
        "bad-request");
    String noSuchDigest = "sha-256=:" + Base64.getEncoder().encodeToString(new byte[32]) + ":";
    add(
        kind,
        "a digest trailer the body does not have",
        chunked(diffs, admin, fixture.overlay(), "Content-Digest: " + noSuchDigest),
        400,
        "bad-request",
        "digest mismatch");
    add(
        kind,
        "a digest trailer the body does not have, unannounced",
        chunked(diffs, admin, fixture.overlay(), "Content-Digest: " + noSuchDigest, false, ""),
        400,
        "bad-request",
        "digest mismatch");
    add(
        kind,
        "a Content-Digest header before the body",
        chunked(
            diffs,
            admin,
            fixture.overlay(),
            "Content-Digest: " + noSuchDigest,
            true,
            "Content-Digest: " + sha256Field(fixture.overlay()) + "\r\n"),
        400,
        "bad-request",
        "goes in a trailer");
    add(
        kind,
        "an announced digest trailer that does not come",
        chunked(diffs, admin, fixture.overlay(), null),
        400,
        "bad-request",
        "did not come after the body");
    add(
        kind,
        "a digest trailer of 3 bytes",
        chunked(diffs, admin, fixture.overlay(), "Content-Digest: sha-256=:AAAA:"),
        400,
        "bad-request",
        "is 32 bytes, this one is 3");
    add(
        kind,
        "a digest trailer that contradicts digest=",
        chunked(
            diffs + "&digest=sha256:" + "b".repeat(64),
            admin,
            fixture.overlay(),
            "Content-Digest: " + sha256Field(fixture.overlay())),
        400,
        "bad-request",
        "the Content-Digest trailer says");
    add(
        kind,
        "a digest trailer announced on a body with a Content-Length",
        request("POST", diffs, admin, octets, fixture.overlay(), "Trailer: Content-Digest\r\n"),
        400,
        "bad-request",
        "only a chunked body");
    add(
        kind,
        "an image that exists",
        post(prefix + "/images?name=" + fixture.image(), admin, octets, fixture.overlay()),
        409,
        "image-exists");
    add(
        kind,
        "a petabyte declared",
        headersOnly(prefix + "/images?name=" + fixture.image() + "-p", 1L << 50),
        507,
        "insufficient-storage");
  }

  private void queries() {
    String kind = "query parameters and ranges";
    String terminals = prefix + "/terminals";
    add(
        kind,
        "a limit that is not a number",
        get(terminals + "?limit=abc", admin),
        400,
        "bad-request");
    add(
        kind,
        "a limit beyond 32 bits",
        get(terminals + "?limit=99999999999", admin),
        400,
        "bad-request");
    add(kind, "a fractional limit", get(terminals + "?limit=2.5", admin), 400, "bad-request");
    add(
        kind,
        "an unknown strategy filter",
        get(terminals + "?strategy=NOPE", admin),
        400,
        "bad-request");
    add(
        kind,
        "a cursor that was never given",
        get(terminals + "?cursor=nonsense", admin),
        400,
        "bad-request");
    String fleet = prefix + "/fleet";
    add(
        kind,
        "fleet counts for an unknown reason",
        get(fleet + "/decisions?reason=NOPE", admin),
        400,
        "bad-request");
    add(
        kind,
        "fleet counts for a group with a space",
        get(fleet + "/decisions?group=a%20b", admin),
        400,
        "bad-request");
    add(
        kind,
        "latest feedback of no terminal",
        get(fleet + "/feedback", admin),
        400,
        "bad-request");
    add(
        kind,
        "latest feedback of a terminal id that is not a number",
        get(fleet + "/feedback?terminals=1,x", admin),
        400,
        "bad-request");
    add(
        kind,
        "latest feedback of 201 terminals",
        get(fleet + "/feedback?terminals=" + "1,".repeat(200) + "1", admin),
        400,
        "bad-request");
    byte[] beyond =
        request(
            "GET",
            content(fixture.tip()),
            admin,
            null,
            null,
            "Range: bytes=99999999999999999999-\r\n");
    add(kind, "a range beyond 64 bits", beyond, 416, "range-not-satisfiable");
    byte[] past =
        request("GET", content(fixture.tip()), admin, null, null, "Range: bytes=999999999-\r\n");
    add(kind, "a range past the end", past, 416, "range-not-satisfiable");
  }

  private void methods() {
    String kind = "methods and media types";
    add(
        kind,
        "POST where only GET is",
        request("POST", prefix + "/server", admin, null, null),
        405,
        "method-not-allowed");
    add(
        kind,
        "an Accept the API does not speak",
        request("GET", prefix + "/server", admin, null, null, "Accept: application/xml\r\n"),
        406,
        "not-acceptable");
    add(
        kind,
        "a policy as XML",
        request(
            "PUT",
            prefix + "/images/" + fixture.image() + "/policy",
            admin,
            "application/xml",
            "<policy/>".getBytes(StandardCharsets.UTF_8)),
        415,
        "unsupported-media-type");
    add(kind, "an unknown path", get(prefix + "/no-such-thing", admin), 404, "not-found");
  }

  // ------------------------------------------------------------------------- requests

  private void add(String kind, String what, byte[] request, int status, String slug) {
    add(kind, what, request, status, slug, null);
  }

  private void add(
      String kind, String what, byte[] request, int status, String slug, String detail) {
    assertThat(KINDS).contains(kind);
    cases.add(new Case(kind, what, request, status, slug, detail));
  }

  private String strategy(long terminal) {
    return prefix + "/terminals/" + terminal + "/images/" + fixture.image() + "/strategy";
  }

  private String content(String checksum) {
    return prefix + "/images/" + fixture.image() + "/layers/" + checksum + "/content";
  }

  private static byte[] get(String path, String authorization) {
    return request("GET", path, authorization, null, null);
  }

  private static byte[] post(String path, String authorization, String type, byte[] body) {
    return request("POST", path, authorization, type, body);
  }

  /**
   * A chunked upload (one chunk) that announces a {@code Content-Digest} trailer and ends with
   * {@code trailer} (a whole field line without its CRLF), or with no trailer when null.
   */
  private static byte[] chunked(String path, String authorization, byte[] body, String trailer) {
    return chunked(path, authorization, body, trailer, true, "");
  }

  /**
   * The same, announcing the trailer or not, with {@code moreHeaders} (whole lines with their CRLF)
   * in the head.
   */
  private static byte[] chunked(
      String path,
      String authorization,
      byte[] body,
      String trailer,
      boolean announced,
      String moreHeaders) {
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    String head =
        "POST "
            + path
            + " HTTP/1.1\r\nHost: h\r\nAuthorization: "
            + authorization
            + "\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n"
            + (announced ? "Trailer: Content-Digest\r\n" : "")
            + moreHeaders
            + "Connection: close\r\n\r\n"
            + Integer.toHexString(body.length)
            + "\r\n";
    request.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
    request.writeBytes(body);
    String end = "\r\n0\r\n" + (trailer == null ? "" : trailer + "\r\n") + "\r\n";
    request.writeBytes(end.getBytes(StandardCharsets.ISO_8859_1));
    return request.toByteArray();
  }

  /** {@code sha-256=:<base64>:} of {@code bytes}. */
  private static String sha256Field(byte[] bytes) {
    try {
      return "sha-256=:"
          + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes))
          + ":";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] json(String method, String path, String authorization, String body) {
    return request(
        method, path, authorization, "application/json", body.getBytes(StandardCharsets.UTF_8));
  }

  private byte[] headersOnly(String path, long declared) {
    return ("POST "
            + path
            + " HTTP/1.1\r\nHost: h\r\nAuthorization: "
            + admin
            + "\r\nContent-Type: application/octet-stream\r\nExpect: 100-continue\r\nContent-Length: "
            + declared
            + "\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] request(
      String method, String path, String authorization, String type, byte[] body, String... extra) {
    StringBuilder head =
        new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: h\r\n");
    if (authorization != null) {
      head.append("Authorization: ").append(authorization).append("\r\n");
    }
    if (type != null) {
      head.append("Content-Type: ").append(type).append("\r\n");
    }
    head.append("Content-Length: ").append(body == null ? 0 : body.length).append("\r\n");
    for (String header : extra) {
      head.append(header);
    }
    head.append("Connection: close\r\n\r\n");
    byte[] start = head.toString().getBytes(StandardCharsets.ISO_8859_1);
    if (body == null) {
      return start;
    }
    byte[] whole = Arrays.copyOf(start, start.length + body.length);
    System.arraycopy(body, 0, whole, start.length, body.length);
    return whole;
  }

  // ------------------------------------------------------------------------- running

  /** What one case got back. */
  record Answer(int status, String head, String body) {}

  /**
   * Sends every case to {@code server} (scheme, host and port) and checks each refusal; gives back
   * the failures, one line each (empty when all held).
   */
  List<String> run(URI server) throws IOException {
    List<String> failures = new ArrayList<>();
    for (Case c : cases) {
      Answer answer = exchange(server, c.request());
      String problem = c.kind() + " / " + c.what() + ": ";
      if (answer.status() != c.status()) {
        failures.add(
            problem
                + "status "
                + answer.status()
                + ", expected "
                + c.status()
                + " "
                + answer.body());
      } else if (!answer
          .head()
          .toLowerCase(Locale.ROOT)
          .contains("content-type: application/problem+json")) {
        failures.add(problem + "not problem+json: " + answer.head());
      } else if (!answer.body().contains("\"urn:voi-update:problem:" + c.slug() + "\"")) {
        failures.add(problem + "type is not " + c.slug() + ": " + answer.body());
      } else if (c.detail() != null && !answer.body().contains(c.detail())) {
        failures.add(problem + "the detail does not say \"" + c.detail() + "\": " + answer.body());
      } else if (answer.body().contains("at dev.voi") || answer.body().contains("Exception")) {
        failures.add(problem + "a trace in the answer: " + answer.body());
      }
    }
    return failures;
  }

  /**
   * Sends one request; a large body is sent only after a {@code 100 Continue} (a refusal comes
   * first, as a careful client would have it).
   */
  static Answer exchange(URI server, byte[] request) throws IOException {
    try (Socket socket = new Socket(server.getHost(), server.getPort())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      int headEnd = indexOf(request, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)) + 4;
      boolean large = request.length - headEnd > 256 << 10;
      if (large) {
        String head = new String(request, 0, headEnd - 2, StandardCharsets.ISO_8859_1);
        out.write((head + "Expect: 100-continue\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String first = RawHttp.readHead(in);
        if (!first.startsWith("HTTP/1.1 100")) {
          return answer(first, in);
        }
        out.write(request, headEnd, request.length - headEnd);
      } else {
        try {
          out.write(request);
        } catch (SocketException refusedEarly) {
          // the answer came before the whole body went: read it
        }
      }
      out.flush();
      String head = RawHttp.readHead(in);
      while (head.startsWith("HTTP/1.1 100")) {
        head = RawHttp.readHead(in);
      }
      return answer(head, in);
    }
  }

  private static Answer answer(String head, InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try {
      in.transferTo(body);
    } catch (SocketException reset) {
      // the server closed after its answer
    }
    int status = Integer.parseInt(head.substring(9, 12));
    return new Answer(status, head, body.toString(StandardCharsets.UTF_8));
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    outer:
    for (int i = 0; i + pattern.length <= data.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * Publishes an image, registers two terminals, assigns the image to both and reports an empty
   * disk for the first: what the catalogue aims at.
   */
  static Fixture prepare(String api, String admin, Path work, String image) throws IOException {
    Path base = Qemu.create(work.resolve(image + "-base.qcow2"), "64M", "");
    JsonPath published =
        given()
            .header("Authorization", admin)
            .contentType("application/octet-stream")
            .body(Files.readAllBytes(base))
            .post(api + "/images?name=" + image)
            .then()
            .statusCode(201)
            .extract()
            .jsonPath();
    String tip = published.getString("tip.checksum");
    String fileName = published.getString("layers[0].fileName");
    Files.copy(base, work.resolve(fileName), StandardCopyOption.REPLACE_EXISTING);
    Path overlay = Qemu.overlay(work.resolve(image + "-diff.qcow2"), fileName, "");
    long[] ids = new long[2];
    String token = null;
    for (int i = 0; i < 2; i++) {
      JsonPath registered =
          given()
              .header("Authorization", admin)
              .contentType("application/json")
              .body("{\"name\":\"" + image + "-terminal-" + i + "\"}")
              .post(api + "/terminals")
              .then()
              .statusCode(201)
              .extract()
              .jsonPath();
      ids[i] = registered.getLong("id");
      if (i == 0) {
        token = registered.getString("token");
      }
      given()
          .header("Authorization", admin)
          .put(api + "/terminals/" + ids[i] + "/images/" + image)
          .then()
          .statusCode(201);
    }
    given()
        .header("Authorization", "Bearer " + token)
        .contentType("application/json")
        .body("{\"nodes\":[]}")
        .put(api + "/terminals/" + ids[0] + "/images/" + image + "/chain")
        .then()
        .statusCode(200);
    return new Fixture(image, tip, fileName, ids[0], token, ids[1], Files.readAllBytes(overlay));
  }

  /**
   * What the API shows of everything a hostile request could have left: images and their layers,
   * terminals and their assignments, the first terminal's answer, feedback and history, audits.
   */
  static String apiState(String api, String admin, Fixture fixture) {
    StringBuilder state = new StringBuilder();
    for (String path :
        List.of(
            "/images",
            "/images/" + fixture.image(),
            "/terminals?limit=1000",
            "/terminals/" + fixture.terminal() + "/feedback",
            "/terminals/" + fixture.terminal() + "/history",
            "/terminals/" + fixture.terminal() + "/images/" + fixture.image() + "/strategy",
            "/groups",
            "/audits")) {
      String authorization =
          path.endsWith("/strategy") ? "Bearer " + fixture.terminalToken() : admin;
      Response response = given().header("Authorization", authorization).get(api + path);
      assertThat(response.statusCode()).as(path).isEqualTo(200);
      // "last seen" moves with every request a terminal makes, refused or not: not a leftover.
      state
          .append(path)
          .append(' ')
          .append(response.asString().replaceAll("\"lastSeen\":(\"[^\"]*\"|null)", ""))
          .append('\n');
    }
    return state.toString();
  }

  /** The files under a directory with their sizes: the data directory before and after. */
  static Map<String, Long> files(Path root) throws IOException {
    Map<String, Long> files = new TreeMap<>();
    if (!Files.isDirectory(root)) {
      return files;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.filter(Files::isRegularFile).toList()) {
        files.put(root.relativize(path).toString(), Files.size(path));
      }
    }
    return files;
  }
}
