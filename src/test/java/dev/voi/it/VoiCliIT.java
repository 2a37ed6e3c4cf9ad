package dev.voi.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.chain.Checksum;
import dev.voi.qcow2.Qemu;
import dev.voi.testing.FreshDatabase;
import dev.voi.testing.ServerProcess;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14's end-to-end test of the administrator's command line: the real server ({@code
 * bin/voi-server} on PostgreSQL), {@code bin/voi} and {@code bin/voi-agent} as child processes,
 * real qemu-img files. The administrator publishes a base and three diffs, each built on a local
 * copy of the tip under a name of its own (so that the backing name differs from the server's
 * canonical one); the files stay byte for byte as they were; a diff on an old layer is refused
 * before anything is sent; a terminal syncs and holds exactly the last published image. Every other
 * command runs with {@code --json} and once with an error.
 *
 * <p>{@code bin/voi} names each file's SHA-256 in the URL ({@code digest=}), or with {@code
 * --digest-after} sends the file chunked with its SHA-256 in a {@code Content-Digest} trailer (the
 * base and the second diff); uploads whose trailer is wrong, missing or at odds with {@code
 * digest=} are refused on every upload endpoint and leave no row and no file, and a plain upload
 * with {@code digest=} still publishes.
 */
class VoiCliIT {

  static final Duration START = Duration.ofMinutes(8);
  static final String ADMIN_TOKEN = "cli-admin-token";
  static final String IMAGE = "win10-lab";

  Path work;
  Path admin;
  Path tokenFile;
  ServerProcess server;
  String api;
  int runs;
  long started = System.nanoTime();

  /** One {@code bin/voi} or {@code bin/voi-agent} run. */
  record Run(int exit, String out, String err) {
    JsonPath json() {
      assertThat(out).as("stdout of a --json run; stderr: %s", err).startsWith("{");
      return JsonPath.from(out);
    }

    Run ok() {
      assertThat(exit).as("exit code; stderr: %s; stdout: %s", err, out).isZero();
      return this;
    }

    Run fails(int code, String... stderrParts) {
      assertThat(exit).as("exit code; stderr: %s; stdout: %s", err, out).isEqualTo(code);
      assertThat(err.lines().filter(line -> line.startsWith("voi: error: ")).count())
          .as("one error line: %s", err)
          .isOne();
      assertThat(err).contains(stderrParts);
      return this;
    }
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void anAdministratorsDayWithBinVoi() throws Exception {
    Qemu.requireInstalled();
    assertThat(Path.of("target/voi-agent.jar")).isRegularFile();
    try (ZipFile war = new ZipFile("target/voi-update.war")) {
      assertThat(war.stream().map(ZipEntry::getName))
          .as("the command line's classes stay out of the WAR")
          .isNotEmpty()
          .noneMatch(name -> name.startsWith("WEB-INF/classes/dev/voi/cli/"));
    }
    work = Files.createDirectories(Path.of("target/voi-cli-e2e").toAbsolutePath());
    FreshDatabase.emptyDirectory(work);
    admin = Files.createDirectories(work.resolve("admin"));
    tokenFile = Files.writeString(work.resolve("admin.token"), ADMIN_TOKEN + "\n");
    Map<String, String> env =
        Map.of(
            "VOI_ADMIN_TOKEN",
            ADMIN_TOKEN,
            "VOI_DATA_DIR",
            work.resolve("voi-data").toString(),
            "VOI_AUDIT_INTERVAL_MINUTES",
            "0",
            "VOI_DB_URL",
            FreshDatabase.besideTheItDatabase("cli"));
    try (ServerProcess process = ServerProcess.start(work, env)) {
      server = process;
      assertThat(server.awaitStarted(START)).as(server.output()).isTrue();
      api = server.baseUrl() + "/api/v1";
      step("the server is up");
      try {
        day();
      } finally {
        Files.writeString(work.resolve("server.log"), server.output());
      }
    }
  }

  private void day() throws Exception {
    // A base, then three diffs, each on a local copy of the tip under a name of its own.
    Path base = admin.resolve("template-v1.qcow2");
    Qemu.create(base, "64M", "");
    Qemu.io(base, "write -P 0x11 0 8M").assertOk();
    JsonPath published = publish(base, "--note", "the template", "--digest-after").json();
    assertThat(published.getString("kind")).isEqualTo("new-image");
    assertThat(published.getInt("layer.depth")).isZero();
    assertThat(published.getString("digest")).isEqualTo("sha256:" + sha256(base));
    assertThat(published.getString("digestSent")).isEqualTo("trailer");
    assertThat(published.getString("layer.contentDigest")).isEqualTo(sha256(base));
    List<String> chain = new ArrayList<>(List.of(published.getString("layer.fileName")));
    download(chain.get(0));
    assertThat(sha256(admin.resolve(chain.get(0))))
        .as("the stamped file's SHA-256, as the server published it")
        .isEqualTo(published.getString("layer.sha256"));
    step("base published");

    Path lastDiff = null;
    for (int n = 1; n <= 3; n++) {
      String tip = chain.get(chain.size() - 1);
      String localCopy = "my-tip-copy-" + n + ".qcow2";
      Files.copy(admin.resolve(tip), admin.resolve(localCopy));
      Path diff = admin.resolve("patch-" + n + ".qcow2");
      // the second diff names its backing file by an absolute path, the others relatively
      Qemu.overlay(diff, n == 2 ? admin.resolve(localCopy).toString() : localCopy, "");
      Qemu.io(diff, "write -P 0x" + (n + 2) * 11 + " " + n * 2 + "M 512k").assertOk();
      // the digest in the URL (the default) for the first and third, in a trailer for the second
      boolean after = n == 2;
      Run run =
          after
              ? publish(diff, "--version", "20", "--note", "patch 2", "--digest-after")
              : publish(diff, "--version", Integer.toString(10 * n), "--note", "patch " + n);
      JsonPath layer = run.json();
      assertThat(layer.getString("kind")).isEqualTo("diff");
      assertThat(layer.getString("digestSent")).isEqualTo(after ? "trailer" : "query");
      assertThat(layer.getInt("layer.depth")).isEqualTo(n);
      assertThat(layer.getLong("layer.version")).isEqualTo(10L * n);
      assertThat(layer.getString("sentBackingFile")).isEqualTo(tip).isNotEqualTo(localCopy);
      assertThat(layer.getString("layer.contentDigest"))
          .as("the server digested exactly what voi hashed")
          .isEqualTo(layer.getString("digest").substring("sha256:".length()));
      String fileName = layer.getString("layer.fileName");
      download(fileName);
      assertThat(sha256(admin.resolve(fileName))).isEqualTo(layer.getString("layer.sha256"));
      assertThat(Qemu.infoJson(admin.resolve(fileName)))
          .as("the published layer names the tip's canonical file as its backing file")
          .contains("\"backing-filename\": \"" + tip + "\"");
      Qemu.compare(admin.resolve(fileName), diff).assertOk();
      chain.add(fileName);
      lastDiff = diff;
    }
    step("three diffs published, each built on a local copy of the tip");

    digestTrailerRefusals(base, chain.get(chain.size() - 1));
    step("uploads with a wrong, missing or contradicted digest trailer are refused; nothing kept");

    // A diff on an old layer: refused locally, nothing sent, the server unchanged.
    Files.copy(admin.resolve(chain.get(1)), admin.resolve("old-copy.qcow2"));
    Path stale = admin.resolve("stale.qcow2");
    Qemu.overlay(stale, "old-copy.qcow2", "");
    Qemu.io(stale, "write -P 0x77 0 64k").assertOk();
    int layersBefore = lineage().getList("layers").size();
    long filesBefore = dataFiles();
    remember(stale);
    remember(admin.resolve("old-copy.qcow2"));
    Run refused = voi("publish", IMAGE, stale.toString());
    refused.fails(
        4,
        "is not built on the tip of " + IMAGE,
        lineage().getString("layers[1].checksum"),
        lineage().getString("tip.checksum"),
        "nothing was sent");
    assertThat(lineage().getList("layers")).hasSize(layersBefore);
    assertThat(dataFiles()).isEqualTo(filesBefore);
    step("a diff on an old layer is refused locally; the server has no new layer");

    // Every file voi was given, and every backing file it read, is as it was.
    for (Map.Entry<Path, String> given : givenFiles.entrySet()) {
      assertThat(sha256(given.getKey())).as(given.getKey().toString()).isEqualTo(given.getValue());
    }
    assertThat(givenFiles).hasSize(9);
    step("the administrator's files are byte for byte as they were");

    // A terminal: registered and assigned through voi, synced by the agent.
    JsonPath registered =
        voi(
                "register",
                "lab-pc-01",
                "--group",
                "lab",
                "--save-token",
                work.resolve("lab-pc-01.token").toString(),
                "--json")
            .ok()
            .json();
    long id = registered.getLong("id");
    assertThat(registered.getString("group")).isEqualTo("lab");
    assertThat(registered.getString("token")).isNull();
    assertThat(voi("assign", Long.toString(id), IMAGE, "--json").ok().json().getBoolean("assigned"))
        .isTrue();
    Path terminal = work.resolve("lab-pc-01");
    // a new terminal's directory exists and is empty (the agent refuses a missing one as a typo)
    Files.createDirectories(terminal);
    agent(id, terminal).ok();
    String tip = chain.get(chain.size() - 1);
    Qemu.compare(terminal.resolve(tip), lastDiff).assertOk();
    Qemu.check(terminal.resolve(tip)).assertOk();
    step("the terminal synced with bin/voi-agent and holds the last published image");

    otherCommands(id, terminal);
  }

  private void otherCommands(long id, Path terminal) throws Exception {
    JsonPath images = voi("images", "--json").ok().json();
    assertThat(images.getList("items.name", String.class)).containsExactly(IMAGE);
    assertThat(images.getInt("items[0].tip.depth")).isEqualTo(3);
    assertThat(voi("images").ok().out()).contains(IMAGE).contains("patent");

    JsonPath lineage = voi("lineage", IMAGE, "--json").ok().json();
    assertThat(lineage.getList("layers.note", String.class))
        .containsExactly("the template", "patch 1", "patch 2", "patch 3");
    assertThat(voi("lineage", IMAGE).ok().out()).contains("patch 3").contains("PUBLISHED");
    voi("lineage", "no-such-image").fails(3, "404");

    JsonPath terminals = voi("terminals", "--image", IMAGE, "--json").ok().json();
    assertThat(terminals.getList("items.id", Long.class)).containsExactly(id);
    assertThat(terminals.getString("items[0].images[0].strategy")).isEqualTo("STOP");
    assertThat(terminals.getString("items[0].images[0].reason")).isEqualTo("UP_TO_DATE");
    assertThat(voi("terminals", "--strategy", "FULL", "--json").ok().json().getList("items"))
        .isEmpty();
    assertThat(voi("terminals", "--group", "lab").ok().out()).contains("lab-pc-01");
    voi("terminals", "--strategy", "SIDEWAYS").fails(3, "server answered 4");

    voi("register", "lab-pc-02", "--group", "not a group!").fails(3, "server answered 400");
    voi("assign", Long.toString(id), "no-such-image").fails(3, "404");
    JsonPath unassigned = voi("assign", Long.toString(id), IMAGE, "--remove", "--json").ok().json();
    assertThat(unassigned.getBoolean("assigned")).isFalse();
    voi("assign", Long.toString(id), IMAGE).ok();

    JsonPath audit = voi("audit", "--wait", "--json").ok().json();
    assertThat(audit.getString("state")).isEqualTo("FINISHED");
    assertThat(audit.getInt("sweep.layersChecked")).isEqualTo(4);
    assertThat(audit.getList("findings")).isEmpty();
    Run badToken =
        voi(
            "audit",
            "--token-file",
            Files.writeString(work.resolve("bad.token"), "nope").toString());
    badToken.fails(3, "401");
    step("images, lineage, terminals, register, assign, audit: --json and their errors");

    voi("rollout", IMAGE).fails(3, "404");
    JsonPath plan =
        voi("rollout", IMAGE, "set", "--wave", "canary", "--wave", "*", "--json").ok().json();
    assertThat(plan.getList("waves")).hasSize(2);
    assertThat(plan.getList("waves[0].groups", String.class)).containsExactly("canary");
    assertThat(plan.getDouble("successThreshold")).isEqualTo(0.9);
    Path planFile =
        Files.writeString(
            work.resolve("plan.json"),
            "{\"waves\": [[\"canary\"], [\"lab\"]], \"successThreshold\": 0.5,"
                + " \"autoAdvance\": false}");
    JsonPath fromFile =
        voi("rollout", IMAGE, "set", "--plan", planFile.toString(), "--json").ok().json();
    assertThat(fromFile.getList("waves[1].groups", String.class)).containsExactly("lab");
    assertThat(fromFile.getDouble("successThreshold")).isEqualTo(0.5);
    assertThat(fromFile.getBoolean("autoAdvance")).isFalse();
    JsonPath shown = voi("rollout", IMAGE, "show", "--json").ok().json();
    assertThat(shown.getString("image")).isEqualTo(IMAGE);
    assertThat(voi("rollout", IMAGE).ok().out()).contains("canary").contains("lab");
    assertThat(voi("rollout", IMAGE, "halt", "--json").ok().json().getString("state"))
        .isEqualTo("HALTED");
    assertThat(voi("rollout", IMAGE, "advance", "--json").ok().json().getString("state"))
        .isNotEqualTo("HALTED");
    assertThat(voi("rollout", IMAGE, "remove", "--json").ok().json().getBoolean("removed"))
        .isTrue();
    voi("rollout", IMAGE, "show").fails(3, "404");
    voi("rollout", "no-such-image", "halt").fails(3, "404");
    step("rollout set (flags, file), show, halt, advance, remove, and their errors");

    // The template rebuilt: a base without --new-base is refused, with it every layer retires.
    Path rebuilt = admin.resolve("template-v2.qcow2");
    Qemu.create(rebuilt, "64M", "");
    Qemu.io(rebuilt, "write -P 0x99 0 8M").assertOk();
    voi("publish", IMAGE, rebuilt.toString()).fails(1, "--new-base");
    JsonPath newBase = publish(rebuilt, "--new-base").json();
    assertThat(newBase.getString("kind")).isEqualTo("new-base");
    assertThat(newBase.getInt("layer.depth")).isZero();
    assertThat(voi("lineage", IMAGE, "--json").ok().json().getList("layers.state", String.class))
        .containsExactly("RETIRED", "RETIRED", "RETIRED", "RETIRED", "PUBLISHED");
    agent(id, terminal).ok();
    Qemu.compare(terminal.resolve(newBase.getString("layer.fileName")), rebuilt).assertOk();
    step("a new base through --new-base; the terminal rebuilt on it");

    // curl's way still works: the whole body with its digest named up front.
    byte[] plain = Files.readAllBytes(rebuilt);
    JsonPath plainImage =
        given()
            .header("Authorization", "Bearer " + ADMIN_TOKEN)
            .contentType("application/octet-stream")
            .body(plain)
            .post(api + "/images?name=plain-lab&digest=sha256:" + sha256(rebuilt))
            .then()
            .statusCode(201)
            .extract()
            .jsonPath();
    assertThat(plainImage.getString("layers[0].contentDigest")).isEqualTo(sha256(rebuilt));
    step("a plain upload with digest= publishes as before");
  }

  /**
   * Chunked uploads with a {@code Content-Digest} trailer, sent by hand: a trailer that differs
   * from the body (new image, diff, new base alike), an announced trailer that does not come, one
   * that contradicts {@code digest=}, and one announced on a body with a Content-Length. Each is
   * refused with {@code bad-request}; no row, no image directory, no temporary file remains.
   */
  private void digestTrailerRefusals(Path base, String tipFileName) throws Exception {
    byte[] baseBytes = Files.readAllBytes(base);
    String tipChecksum = lineage().getString("tip.checksum");
    Path diff = admin.resolve("trailer-diff.qcow2");
    Qemu.overlay(diff, tipFileName, "");
    Qemu.io(diff, "write -P 0x42 0 256k").assertOk();
    byte[] diffBytes = Files.readAllBytes(diff);
    String wrong = "sha-256=:" + Base64.getEncoder().encodeToString(new byte[32]) + ":";
    String right = digestField(baseBytes);
    int layersBefore = lineage().getList("layers").size();
    long filesBefore = dataFiles();

    refusedWith(
        chunked("/images?name=trailer-lab", baseBytes, "Content-Digest", wrong, false),
        "digest mismatch");
    refusedWith(
        chunked(
            "/images/" + IMAGE + "/layers?parent=" + tipChecksum,
            diffBytes,
            "Content-Digest",
            wrong,
            false),
        "digest mismatch");
    refusedWith(
        chunked("/images/" + IMAGE + "/base", baseBytes, "Content-Digest", null, false),
        "did not come");
    refusedWith(
        chunked(
            "/images?name=trailer-lab&digest=sha256:" + "0".repeat(64),
            baseBytes,
            "Content-Digest",
            right,
            false),
        "digest= says");
    refusedWith(
        chunked("/images?name=trailer-lab", baseBytes, "Content-Digest", "sha-256=:AAAA:", false),
        "32 bytes");
    refusedWith(
        chunked("/images?name=trailer-lab", baseBytes, "Content-Digest", right, true),
        "only a chunked body");

    given()
        .header("Authorization", "Bearer " + ADMIN_TOKEN)
        .get(api + "/images/trailer-lab")
        .then()
        .statusCode(404);
    assertThat(lineage().getList("layers")).hasSize(layersBefore);
    assertThat(dataFiles()).isEqualTo(filesBefore);
    assertThat(work.resolve("voi-data/images/trailer-lab")).doesNotExist();
    try (Stream<Path> temp = Files.walk(work.resolve("voi-data/tmp"))) {
      assertThat(temp.filter(Files::isRegularFile)).as("temporary files").isEmpty();
    }
  }

  private static void refusedWith(String answer, String detail) {
    assertThat(answer)
        .startsWith("HTTP/1.1 400")
        .contains("application/problem+json")
        .contains("urn:voi-update:problem:bad-request")
        .contains(detail);
  }

  /**
   * Posts {@code body} to {@code path} (under the API) chunked (512 bytes, then the rest), with
   * {@code Trailer:} {@code announced} and the trailer field {@code Content-Digest: trailer} when
   * not null; or, with {@code contentLength}, in one piece under a Content-Length (so no trailer
   * can come). Sends {@code Expect: 100-continue} and the body only after the interim answer.
   *
   * @return the final answer: head and body as text
   */
  private String chunked(
      String path, byte[] body, String announced, String trailer, boolean contentLength)
      throws IOException {
    URI uri = URI.create(api + path);
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      String head =
          "POST "
              + uri.getRawPath()
              + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
              + " HTTP/1.1\r\nHost: "
              + uri.getHost()
              + ":"
              + uri.getPort()
              + "\r\nAuthorization: Bearer "
              + ADMIN_TOKEN
              + "\r\nContent-Type: application/octet-stream\r\n"
              + (contentLength
                  ? "Content-Length: " + body.length + "\r\n"
                  : "Transfer-Encoding: chunked\r\n")
              + (announced == null ? "" : "Trailer: " + announced + "\r\n")
              + "Expect: 100-continue\r\nConnection: close\r\n\r\n";
      // A first chunk goes with the head, as bin/voi sends it: the server sees a chunked request
      // only once body bytes have arrived.
      int opening = contentLength ? 0 : 512;
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      if (!contentLength) {
        out.write("200\r\n".getBytes(StandardCharsets.US_ASCII));
        out.write(body, 0, opening);
        out.write(
            ("\r\n" + Integer.toHexString(body.length - opening) + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
      }
      out.flush();
      String answer = RawHttp.readHead(in);
      if (answer.startsWith("HTTP/1.1 100")) {
        out.write(body, opening, body.length - opening);
        if (!contentLength) {
          out.write(
              ("\r\n0\r\n"
                      + (trailer == null ? "" : "Content-Digest: " + trailer + "\r\n")
                      + "\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
        }
        out.flush();
        answer = RawHttp.readHead(in);
      }
      return answer + new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String digestField(byte[] bytes) throws Exception {
    return "sha-256=:"
        + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes))
        + ":";
  }

  // ------------------------------------------------------------------------- helpers

  /** The files voi was given and the backing files they name, with their SHA-256 before. */
  private final Map<Path, String> givenFiles = new TreeMap<>();

  private void remember(Path file) throws IOException {
    givenFiles.putIfAbsent(file, sha256(file));
  }

  private Run publish(Path file, String... extra) throws Exception {
    remember(file);
    String backing = JsonPath.from(Qemu.infoJson(file)).getString("'backing-filename'");
    if (backing != null) {
      remember(admin.resolve(backing));
    }
    String before = sha256(file);
    List<String> arguments = new ArrayList<>(List.of("publish", IMAGE, file.toString(), "--json"));
    arguments.addAll(List.of(extra));
    Run run = voi(arguments.toArray(String[]::new)).ok();
    assertThat(sha256(file)).as("the published file is unchanged").isEqualTo(before);
    return run;
  }

  private JsonPath lineage() {
    return given()
        .header("Authorization", "Bearer " + ADMIN_TOKEN)
        .get(api + "/images/" + IMAGE)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  /** The administrator downloads a published layer under its canonical name. */
  private void download(String fileName) throws IOException {
    JsonPath lineage = lineage();
    int index = lineage.getList("layers.fileName", String.class).indexOf(fileName);
    assertThat(index).as(fileName).isNotNegative();
    String url = lineage.getString("layers[" + index + "].url");
    byte[] bytes =
        given()
            .header("Authorization", "Bearer " + ADMIN_TOKEN)
            .get(server.baseUrl() + url)
            .then()
            .statusCode(200)
            .extract()
            .asByteArray();
    Files.write(admin.resolve(fileName), bytes);
  }

  private long dataFiles() throws IOException {
    try (Stream<Path> files = Files.walk(work.resolve("voi-data"))) {
      return files.filter(Files::isRegularFile).count();
    }
  }

  Run voi(String... arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of("bin/voi").toAbsolutePath().toString()));
    command.addAll(List.of(arguments));
    Map<String, String> env =
        Map.of("VOI_SERVER", server.baseUrl(), "VOI_TOKEN_FILE", tokenFile.toString());
    return run(command, env, admin);
  }

  Run agent(long id, Path dir) throws Exception {
    List<String> command =
        List.of(
            Path.of("bin/voi-agent").toAbsolutePath().toString(),
            "sync",
            "--server",
            server.baseUrl(),
            "--terminal",
            Long.toString(id),
            "--token-file",
            work.resolve("lab-pc-01.token").toString(),
            "--image",
            IMAGE,
            "--dir",
            dir.toString());
    return run(command, Map.of(), work);
  }

  private Run run(List<String> command, Map<String, String> env, Path directory) throws Exception {
    Path logs = Files.createDirectories(work.resolve("logs"));
    int number = ++runs;
    Files.writeString(logs.resolve("run-" + number + ".cmd"), String.join(" ", command) + "\n");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(directory.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(logs.resolve("run-" + number + ".out").toFile())
            .redirectError(logs.resolve("run-" + number + ".err").toFile());
    builder.environment().keySet().removeIf(key -> key.startsWith("VOI_"));
    builder.environment().putAll(env);
    Process process = builder.start();
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
    return new Run(
        process.exitValue(),
        Files.readString(logs.resolve("run-" + number + ".out")),
        Files.readString(logs.resolve("run-" + number + ".err")));
  }

  private static String sha256(Path file) throws IOException {
    return Checksum.sha256Of(file).hex();
  }

  private void step(String what) {
    System.out.printf("[voi-cli] %6.1f s  %s%n", (System.nanoTime() - started) / 1e9, what);
  }
}
