package dev.voi.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.chain.Checksum;
import dev.voi.qcow2.Qemu;
import dev.voi.testing.FreshDatabase;
import dev.voi.testing.ServerProcess;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 7's end-to-end test: a terminal's life with the real server ({@code bin/voi-server} on
 * PostgreSQL), the real agent ({@code bin/voi-agent}, a child process per run) and real qemu-img
 * files. Every agent request goes through a {@link WireProxy} that records what went over the wire
 * (so "only that diff was downloaded" and "the second run resumed" are asserted in bytes) and can
 * tamper with downloads. After every step each qcow2 file in each terminal's directory passes
 * {@code qemu-img check}, and the terminal's tip reads the same guest data as the server's chain.
 *
 * <p>One server for the whole life; the steps build on each other and run in order in one test.
 */
@ExtendWith(OpenApiValidation.class)
class AgentEndToEndIT {

  static final Duration START = Duration.ofMinutes(8);
  static final String ADMIN_TOKEN = "e2e-admin-token";
  static final String ADMIN = "Bearer " + ADMIN_TOKEN;
  static final String IMAGE = "win10-lab";
  static final String OVERLAY = "boot.qcow2";

  /** Response bytes of one run that are not layer downloads: answers, 304s, 202s, headers. */
  static final long OVERHEAD = 64 * 1024;

  /** Layers are larger than that, so a layer downloaded by mistake cannot hide in it. */
  static final long SMALLEST_LAYER = 2 * OVERHEAD;

  Path work;
  ServerProcess server;
  WireProxy proxy;
  String api;
  Publisher publisher;
  int runs;
  long started = System.nanoTime();

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void aTerminalsLifeAgainstTheRealServer() throws Exception {
    Qemu.requireInstalled();
    assertThat(Path.of("target/voi-agent.jar"))
        .as("the agent jar is built in the package phase, before the integration tests")
        .isRegularFile();
    try (ZipFile war = new ZipFile("target/voi-update.war")) {
      assertThat(war.stream().map(ZipEntry::getName))
          .as("the agent's classes stay out of the WAR that this test deploys")
          .isNotEmpty()
          .noneMatch(name -> name.startsWith("WEB-INF/classes/dev/voi/agent/"));
    }
    work = Files.createDirectories(Path.of("target/agent-e2e").toAbsolutePath());
    FreshDatabase.emptyDirectory(work);
    try (ServerProcess started = ServerProcess.start(work, serverEnvironment())) {
      server = started;
      assertThat(server.awaitStarted(START)).as(server.output()).isTrue();
      api = server.baseUrl() + "/api/v1";
      step("the server is up");
      try (WireProxy wire = new WireProxy(port(server.baseUrl()))) {
        proxy = wire;
        life();
      } finally {
        Files.writeString(work.resolve("server.log"), server.output());
      }
    } finally {
      step("done");
    }
  }

  private void life() throws Exception {
    publisher = new Publisher(Files.createDirectories(work.resolve("admin")));
    publisher.base("write -P 0x11 0 8M");
    publisher.diff(2);
    Terminal a = register("lab-pc-01", OVERLAY);
    Terminal b = register("lab-pc-02", null);
    step("terminals created and assigned, image published (base and one diff)");

    // Empty DIR: everything, then STOP; a second run changes nothing and downloads nothing.
    for (Terminal terminal : List.of(a, b)) {
      Run full = sync(terminal, "--init");
      full.assertUpdated("FULL (NO_LOCAL_CHAIN, policy patent)", publisher.chain);
      assertHolds(terminal, publisher.chain);
    }
    assertThat(feedback(a).getList("items.state", String.class))
        .as("feedback, newest first")
        .startsWith("DONE", "APPLYING", "DOWNLOADING")
        .containsOnly("DONE", "APPLYING", "DOWNLOADING");
    assertThat(feedback(a).getInt("items[2].progress")).isEqualTo(100);
    Map<String, String> before = snapshot(a.dir);
    Run again = sync(a);
    again.assertUpToDate();
    assertThat(snapshot(a.dir)).isEqualTo(before);
    assertClean(a, b);
    step("empty DIR -> FULL -> STOP; again: STOP, nothing on the wire but the answers");

    // One new diff: only its bytes go over the wire.
    Layer third = publisher.diff(3);
    for (Terminal terminal : List.of(a, b)) {
      Run incremental = sync(terminal);
      incremental.assertUpdated("INCREMENTAL (ONE_BEHIND, policy patent)", List.of(third));
      assertThat(incremental.out).contains("keep 2 layers, download 1 layer");
      assertHolds(terminal, publisher.chain);
    }
    assertClean(a, b);
    step("one diff -> INCREMENTAL (that diff's bytes only) -> STOP");

    // Three new diffs: FULL above the base under the patent, INCREMENTAL under catch-up.
    publisher.diff(4);
    publisher.diff(5);
    publisher.diff(6);
    Run patent = sync(a);
    patent.assertUpdated(
        "FULL (BEHIND, policy patent)", publisher.chain.subList(1, publisher.chain.size()));
    assertThat(patent.out).contains("keep 1 layer, download 5 layers");
    assertHolds(a, publisher.chain);
    policy("catch-up", 8);
    Run catchUp = sync(b);
    catchUp.assertUpdated(
        "INCREMENTAL (BEHIND, policy catch-up)",
        publisher.chain.subList(3, publisher.chain.size()));
    assertThat(catchUp.out).contains("keep 3 layers, download 3 layers");
    assertHolds(b, publisher.chain);
    assertClean(a, b);
    step("three diffs -> FULL under patent, INCREMENTAL over three under catch-up");

    // The template is rebuilt with the same version numbers: the checksums tell.
    List<Layer> old = List.copyOf(publisher.chain);
    publisher.rebuild("write -P 0x22 0 8M");
    assertThat(publisher.chain.stream().map(Layer::version))
        .containsExactlyElementsOf(old.stream().map(Layer::version).toList());
    Run diverged = sync(a);
    diverged.assertUpdated(
        "FULL (DIVERGED, policy catch-up, diverged at depth 0)", publisher.chain);
    assertHolds(a, publisher.chain);
    assertClean(a, b);
    step("rebuilt with the same version numbers -> FULL (DIVERGED) -> STOP");

    // Killed half-way through the rebuilt base (rate-limited), then resumed.
    resumeAfterKill(b, old);
    assertClean(a, b);
    step("kill -9 half-way, the next run resumes");

    // A corrupted layer file on the server: refused in every round, DIR unchanged; a download
    // tampered with once on the wire: fetched again in the next round, and applied.
    Layer seventh = publisher.diff(7);
    refusesCorruptedDownloads(a, seventh);
    retriesATamperedDownload(a, seventh);
    assertClean(a, b);
    step(
        "corrupted on the server -> exit 4 after 5 rounds, DIR unchanged; tampered once -> retried");

    repairsDamagedHeldLayers(b);
    assertClean(a, b);
    step("a flipped byte and a truncation in held layers -> found, FAILED feedback, repaired");

    flatten(a);
    assertClean(a, b);
    step("--flatten -> one file, the same guest data; a later diff still applies on it");

    refusesAHeldBootOverlay(a);
    assertClean(a, b);
    step("a boot overlay held by QEMU -> exit 5, nothing changed; then replaced, .prev kept");

    refusesATypoDir(a);
    step("a typo DIR -> exit 1, nothing created, the server's record unchanged");

    interruptedBy("INT", b);
    assertClean(a, b);
    step("SIGINT mid-download -> one line, exit 130, FAILED (interrupted) on the server; resumed");
    interruptedBy("TERM", b);
    assertClean(a, b);
    step("SIGTERM mid-download -> the same");
  }

  // ---------------------------------------------------------------------- issue 14's steps

  private void retriesATamperedDownload(Terminal a, Layer layer) throws Exception {
    proxy.tamperOnce(layer.size / 3);
    Run tampered;
    try {
      tampered = sync(a);
    } finally {
      proxy.tamper(-1);
    }
    assertThat(proxy.tampered()).as("bytes flipped by the proxy").isOne();
    assertThat(tampered.exit).as(tampered.describe()).isZero();
    assertThat(tampered.err)
        .contains(layer.fileName + ": SHA-256 mismatch")
        .contains("fetching it again in round 2 of 5");
    assertThat(tampered.out)
        .contains("server: INCREMENTAL (ONE_BEHIND, policy catch-up)")
        .contains("up to date after the update")
        .contains("server: STOP (UP_TO_DATE");
    assertThat(tampered.downloads())
        .as("the layer went over the wire twice")
        .isEqualTo(Map.of(layer.checksum, 2 * layer.size));
    assertHolds(a, publisher.chain);
  }

  private void repairsDamagedHeldLayers(Terminal b) throws Exception {
    sync(b).assertUpdated("INCREMENTAL (ONE_BEHIND, policy catch-up)", List.of(last()));
    assertHolds(b, publisher.chain);
    Layer flipped = publisher.chain.get(2);
    Layer truncated = publisher.chain.get(4);
    Path flippedFile = b.dir.resolve(flipped.fileName);
    long dataOffset = guestDataOffset(flippedFile);
    flipByte(flippedFile, dataOffset + 1000);
    try (RandomAccessFile raw =
        new RandomAccessFile(b.dir.resolve(truncated.fileName).toFile(), "rw")) {
      raw.setLength(truncated.size / 2);
    }
    assertThat(
            Qemu.compare(b.dir.resolve(last().fileName), publisher.dir.resolve(last().fileName))
                .exitCode())
        .as("the flipped byte is guest data: the terminal's image differs")
        .isNotZero();

    Run repair = sync(b);
    assertThat(repair.exit).as(repair.describe()).isZero();
    assertThat(repair.err)
        .contains(flipped.fileName + ": damaged: its SHA-256 is")
        .contains("layers from depth 2 up are not reported");
    assertThat(repair.out)
        .contains("server: INCREMENTAL (BEHIND, policy catch-up)")
        .contains("keep 2 layers")
        .contains("up to date after the update");
    assertThat(repair.downloads())
        .as("the damaged layers and those above them")
        .isEqualTo(sizes(publisher.chain.subList(2, publisher.chain.size())));
    assertHolds(b, publisher.chain);
    for (Layer layer : publisher.chain) {
      assertThat(Checksum.sha256Of(b.dir.resolve(layer.fileName)).hex())
          .as(layer.fileName)
          .isEqualTo(layer.sha256);
    }
    JsonPath feedback = feedback(b, 20);
    assertThat(feedback.getList("items.state", String.class)).contains("FAILED").startsWith("DONE");
    assertThat(feedback.getList("items.detail", String.class))
        .anyMatch(
            d ->
                d.startsWith("damaged layer file: " + flipped.fileName + ": damaged: its SHA-256")
                    && d.contains("the server's answer repairs it"));

    // The truncation alone (the base, found by its size) on the next run.
    Layer base = publisher.chain.get(0);
    try (RandomAccessFile raw = new RandomAccessFile(b.dir.resolve(base.fileName).toFile(), "rw")) {
      raw.setLength(base.size - 4096);
    }
    Run again = sync(b);
    assertThat(again.exit).as(again.describe()).isZero();
    assertThat(again.err)
        .contains(base.fileName + ": damaged: its size is " + (base.size - 4096) + " bytes");
    assertThat(again.downloads()).isEqualTo(sizes(publisher.chain));
    assertHolds(b, publisher.chain);

    Run verify = agentOffline(b, "verify", "--image", IMAGE, "--dir", b.dir.toString());
    assertThat(verify.exit).as(verify.describe()).isZero();
    assertThat(verify.out).contains("verified: " + publisher.chain.size() + " files");
  }

  private void refusesAHeldBootOverlay(Terminal a) throws Exception {
    Layer ninth = publisher.diff(9);
    Path overlay = a.dir.resolve(OVERLAY);
    Map<String, String> before = snapshot(a.dir);
    Process guest = holdOpen(overlay);
    try {
      Run held = sync(a);
      assertThat(held.exit).as(held.describe()).isEqualTo(5);
      assertThat(held.err)
          .contains(
              "voi-agent: error: the boot overlay boot.qcow2 is open in another process (QEMU's"
                  + " lock is held");
      assertThat(snapshot(a.dir)).as("DIR while the guest runs").isEqualTo(before);
      assertThat(feedback(a).getString("items[0].state")).isEqualTo("FAILED");
      assertThat(feedback(a).getString("items[0].detail")).contains("is open in another process");
    } finally {
      guest.getOutputStream().close();
      assertThat(guest.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    Run replaced = sync(a);
    assertThat(replaced.exit).as(replaced.describe()).isZero();
    assertThat(replaced.downloads()).as("the staged download is reused").isEmpty();
    assertThat(replaced.err)
        .contains("replacing the boot overlay boot.qcow2")
        .contains("kept as boot.qcow2.prev");
    Path previous = a.dir.resolve(OVERLAY + ".prev");
    assertThat(Checksum.sha256Of(previous).hex()).isEqualTo(before.get(OVERLAY));
    List<String> files = manifest(a).getList("files.name", String.class);
    assertHolds(a, publisher.chain, Set.copyOf(files), "STOP");
    assertThat(files).endsWith(ninth.fileName);
    Qemu.compare(a.dir.resolve(OVERLAY), publisher.dir.resolve(ninth.fileName)).assertOk();

    sync(a).assertUpToDate();
    assertThat(previous).as("deleted by the next successful sync").doesNotExist();
  }

  private void refusesATypoDir(Terminal a) throws Exception {
    JsonPath record = JsonPath.from(terminalRecord(a));
    Terminal typo = new Terminal(a.id, a.tokenFile, work.resolve("lab-pc-0l"), null);
    for (String command : List.of("status", "sync")) {
      Run run = agent(typo, command);
      assertThat(run.exit).as(run.describe()).isEqualTo(1);
      assertThat(run.err.lines())
          .singleElement()
          .isEqualTo(
              "voi-agent: error: --dir: "
                  + typo.dir
                  + " does not exist (a typo?); "
                  + command
                  + " changed nothing; "
                  + (command.equals("sync")
                      ? "if it is the right one, run sync with --init"
                      : "run sync --init there first if it is the right one"));
      assertThat(run.wire).as("nothing reached the server").isEmpty();
      assertThat(typo.dir).doesNotExist();
    }
    JsonPath after = JsonPath.from(terminalRecord(a));
    assertThat(after.getList("images"))
        .as("the terminal's images")
        .isEqualTo(record.getList("images"));
    // lastSeen is shown with nanoseconds while cached and with microseconds from the database.
    assertThat(
            Duration.between(
                    java.time.Instant.parse(record.getString("lastSeen")),
                    java.time.Instant.parse(after.getString("lastSeen")))
                .abs())
        .as("lastSeen unchanged")
        .isLessThanOrEqualTo(Duration.ofNanos(1000));
  }

  private void interruptedBy(String signal, Terminal b) throws Exception {
    publisher.rebuild("write -P " + (signal.equals("INT") ? "0x33" : "0x44") + " 0 8M");
    Layer base = publisher.chain.get(0);
    Path part = b.dir.resolve(".staging").resolve(base.fileName + ".part");
    Process running = startAgent(b, "sync", "--max-mbps", "16");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (size(part) < base.size / 5) {
      assertThat(running.isAlive()).as("the rate-limited run is still downloading").isTrue();
      assertThat(System.nanoTime()).as("the download reached 20 %").isLessThan(deadline);
      Thread.sleep(20);
    }
    new ProcessBuilder("kill", "-" + signal, Long.toString(running.pid())).start().waitFor();
    assertThat(running.waitFor(30, TimeUnit.SECONDS)).isTrue();
    int number = runs;
    String err = Files.readString(work.resolve("logs/run-" + number + ".err"));
    assertThat(running.exitValue()).as(err).isEqualTo(130);
    assertThat(err.lines().filter(l -> l.startsWith("voi-agent: interrupted")))
        .singleElement()
        .satisfies(
            l ->
                assertThat(l)
                    .startsWith("voi-agent: interrupted (downloading")
                    .endsWith("the server was told"));
    proxy.drain();
    JsonPath feedback = feedback(b);
    assertThat(feedback.getString("items[0].state")).isEqualTo("FAILED");
    assertThat(feedback.getString("items[0].detail"))
        .startsWith("interrupted (SIGINT/SIGTERM) while downloading");
    long have = size(part);
    assertThat(have).as("bytes kept for the next run").isPositive().isLessThan(base.size);

    Run resumed = sync(b);
    resumed.assertSucceeded();
    assertThat(resumed.err).contains("resuming at");
    assertThat(resumed.out).contains("up to date after the update");
    assertHolds(b, publisher.chain);
  }

  private Layer last() {
    return publisher.chain.get(publisher.chain.size() - 1);
  }

  private String terminalRecord(Terminal terminal) {
    return given()
        .header("Authorization", ADMIN)
        .get(api + "/terminals/" + terminal.id)
        .then()
        .statusCode(200)
        .extract()
        .asString();
  }

  /** The host offset of a cluster of guest data that {@code file} itself holds. */
  private static long guestDataOffset(Path file) {
    String map =
        Qemu.img(file.getParent(), "map", "--output=json", file.getFileName().toString())
            .assertOk()
            .stdout();
    java.util.regex.Matcher matcher =
        java.util.regex.Pattern.compile("\"depth\": 0,[^}]*\"data\": true,[^}]*\"offset\": (\\d+)")
            .matcher(map);
    assertThat(matcher.find()).as(map).isTrue();
    return Long.parseLong(matcher.group(1));
  }

  /**
   * Starts {@code qemu-io} on {@code file}, as a running guest holds it, and waits for its lock.
   */
  private static Process holdOpen(Path file) throws Exception {
    Process process =
        new ProcessBuilder("qemu-io", "-f", "qcow2", file.toString())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!locksListed(file)) {
      assertThat(process.isAlive()).as("qemu-io is running").isTrue();
      assertThat(System.nanoTime()).as("qemu-io took its lock").isLessThan(deadline);
      Thread.sleep(20);
    }
    return process;
  }

  /** Whether /proc/locks lists an OFD lock on the file's inode (QEMU's image locks). */
  private static boolean locksListed(Path file) throws IOException {
    long inode = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
    return Files.readAllLines(Path.of("/proc/locks")).stream()
        .anyMatch(l -> l.contains("OFDLCK") && l.contains(":" + inode + " "));
  }

  // ------------------------------------------------------------------------------- the steps

  private void resumeAfterKill(Terminal b, List<Layer> old) throws Exception {
    Layer base = publisher.chain.get(0);
    Map<String, String> before = snapshot(b.dir);
    Path part = b.dir.resolve(".staging").resolve(base.fileName + ".part");
    Process killed = startAgent(b, "sync", "--max-mbps", "16");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (size(part) < base.size * 35 / 100) {
      assertThat(killed.isAlive()).as("the rate-limited run is still downloading").isTrue();
      assertThat(System.nanoTime()).as("the download reached 35 %").isLessThan(deadline);
      Thread.sleep(20);
    }
    killed.destroyForcibly();
    assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();
    List<WireProxy.Exchange> cut = proxy.drain();
    Files.write(
        work.resolve("logs/run-" + runs + ".wire"), cut.stream().map(Object::toString).toList());
    long have = size(part);
    assertThat(have).as("bytes kept from the killed run").isPositive().isLessThan(base.size);
    assertThat(cut).anyMatch(e -> e.path.endsWith(base.checksum + "/content"));
    assertThat(snapshot(b.dir)).as("DIR after kill -9").isEqualTo(before);
    assertHolds(b, old, fileNames(old), "FULL");
    assertClean(b);

    Run resumed = sync(b);
    resumed.assertSucceeded();
    assertThat(resumed.out)
        .contains("server: FULL (DIVERGED, policy catch-up, diverged at depth 0)")
        .contains("up to date after the update");
    assertThat(resumed.err).contains("resuming at");
    WireProxy.Exchange range =
        resumed.wire.stream()
            .filter(e -> e.path.endsWith(base.checksum + "/content"))
            .findFirst()
            .orElseThrow();
    assertThat(range.requestHeader("range")).isEqualTo("bytes=" + have + "-");
    assertThat(range.requestHeader("if-range")).isEqualTo("\"" + base.sha256 + "\"");
    assertThat(range.status).isEqualTo(206);
    Map<String, Long> expected = sizes(publisher.chain);
    expected.put(base.checksum, base.size - have);
    assertThat(resumed.downloads()).as("second run's layer bytes").isEqualTo(expected);
    assertThat(resumed.otherBytes()).isLessThan(OVERHEAD);
    assertHolds(b, publisher.chain);
    System.out.printf(
        "[e2e] resume: %d of %d bytes of %s kept by the killed run; the second run fetched %d%n",
        have,
        base.size,
        base.fileName,
        resumed.downloads().values().stream().mapToLong(l -> l).sum());
  }

  /** The layer is fetched in every round and refused every time: exit 4, DIR unchanged. */
  private void refusesCorruptedDownloads(Terminal a, Layer layer) throws Exception {
    Map<String, String> before = snapshot(a.dir);
    Path stored = work.resolve("voi-data/images").resolve(IMAGE).resolve(layer.fileName);
    assertThat(stored).as("the server's layer file").isRegularFile();
    long middle = layer.size / 2;
    flipByte(stored, middle);
    try {
      Run corrupted = sync(a);
      assertRefused(a, corrupted, layer, before);
    } finally {
      flipByte(stored, middle);
    }
    assertThat(Checksum.sha256Of(stored).hex()).isEqualTo(layer.sha256);
  }

  private void assertRefused(Terminal a, Run run, Layer layer, Map<String, String> before)
      throws IOException {
    assertThat(run.exit).as(run.describe()).isEqualTo(4);
    assertThat(run.out).contains("server: INCREMENTAL (ONE_BEHIND");
    assertThat(run.err)
        .contains("voi-agent: error: " + layer.fileName + ": SHA-256 mismatch")
        .contains("the download was discarded (the last of 5 rounds; DIR is unchanged)");
    assertThat(run.downloads())
        .as("fetched again in each of the 5 rounds")
        .isEqualTo(Map.of(layer.checksum, 5 * layer.size));
    assertThat(snapshot(a.dir)).as("DIR after a refused download").isEqualTo(before);
    assertThat(staging(a)).as("nothing of the refused download is kept").isEmpty();
    assertClean(a);
    JsonPath feedback = feedback(a);
    assertThat(feedback.getString("items[0].state")).isEqualTo("FAILED");
    assertThat(feedback.getString("items[0].detail")).contains("SHA-256 mismatch");
    List<Layer> held = publisher.chain.subList(0, publisher.chain.size() - 1);
    assertHolds(a, held, fileNames(held), "INCREMENTAL");
  }

  private void flatten(Terminal a) throws Exception {
    Path copy = Files.createDirectories(work.resolve("a-before-flatten"));
    for (Layer layer : publisher.chain) {
      Files.copy(a.dir.resolve(layer.fileName), copy.resolve(layer.fileName));
    }
    Layer tip = publisher.chain.get(publisher.chain.size() - 1);

    Run flat = sync(a, "--flatten");
    flat.assertSucceeded();
    assertThat(flat.out).contains("server: STOP (UP_TO_DATE").contains("up to date");
    assertThat(flat.downloads()).isEmpty();
    assertThat(qcow2Files(a.dir)).containsExactlyInAnyOrder(tip.fileName, OVERLAY);
    JsonPath manifest = manifest(a);
    assertThat(manifest.getList("files.name")).containsExactly(tip.fileName);
    assertThat(manifest.getInt("files[0].from")).isZero();
    assertThat(manifest.getInt("files[0].to")).isEqualTo(tip.depth);
    assertThat(Qemu.infoJson(a.dir.resolve(tip.fileName))).doesNotContain("backing-filename");
    Qemu.compare(a.dir.resolve(tip.fileName), copy.resolve(tip.fileName)).assertOk();
    Qemu.compare(a.dir.resolve(OVERLAY), copy.resolve(tip.fileName)).assertOk();
    assertHolds(a, publisher.chain, Set.of(tip.fileName), "STOP");

    Run status = agent(a, "status");
    status.assertSucceeded();
    assertThat(status.out).contains("server: STOP (UP_TO_DATE");

    Layer next = publisher.diff(8);
    Run onTop = sync(a);
    onTop.assertUpdated("INCREMENTAL (ONE_BEHIND, policy catch-up)", List.of(next));
    assertHolds(a, publisher.chain, Set.of(tip.fileName, next.fileName), "STOP");
  }

  // ------------------------------------------------------------------------- assertions

  /**
   * The terminal holds exactly {@code chain}: its manifest lists the chain's checksums, DIR holds
   * its files (and the boot overlay), the tip reads the same guest data as the administrator's copy
   * of the chain, and the server shows the terminal with {@code STOP}.
   */
  private void assertHolds(Terminal terminal, List<Layer> chain) throws IOException {
    assertHolds(terminal, chain, fileNames(chain), "STOP");
  }

  private void assertHolds(Terminal terminal, List<Layer> chain, Set<String> files, String strategy)
      throws IOException {
    JsonPath manifest = manifest(terminal);
    assertThat(manifest.getList("layers.checksum", String.class))
        .containsExactlyElementsOf(chain.stream().map(Layer::checksum).toList());
    Set<String> expected = new LinkedHashSet<>(files);
    if (terminal.overlay != null) {
      expected.add(terminal.overlay);
    }
    List<String> obsolete = manifest.getList("obsolete", String.class);
    if (!obsolete.isEmpty()) {
      // A replaced boot overlay is kept as NAME.prev until the next successful sync, and with it
      // the old chain it sits on; nothing else keeps old files.
      assertThat(terminal.overlay).as("old files %s kept without an overlay", obsolete).isNotNull();
      Path previous = terminal.dir.resolve(terminal.overlay + ".prev");
      assertThat(previous).isRegularFile();
      String previousInfo = Qemu.infoJson(previous);
      assertThat(obsolete)
          .as("NAME.prev sits on one of the old files")
          .anyMatch(n -> previousInfo.contains("\"backing-filename\": \"" + n + "\""));
      expected.addAll(obsolete);
    }
    assertThat(qcow2Files(terminal.dir)).containsExactlyInAnyOrderElementsOf(expected);
    Layer tip = chain.get(chain.size() - 1);
    List<String> localFiles = manifest.getList("files.name", String.class);
    Path localTip = terminal.dir.resolve(localFiles.get(localFiles.size() - 1));
    Qemu.compare(localTip, publisher.dir.resolve(tip.fileName)).assertOk();
    if (terminal.overlay != null) {
      assertThat(Qemu.infoJson(terminal.dir.resolve(terminal.overlay)))
          .contains("\"backing-filename\": \"" + localTip.getFileName() + "\"");
    }
    assertThat(
            given()
                .header("Authorization", ADMIN)
                .get(api + "/terminals/" + terminal.id)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getString("images[0].strategy"))
        .isEqualTo(strategy);
  }

  /** {@code qemu-img check} passes on every qcow2 file in every terminal's directory. */
  private static void assertClean(Terminal... terminals) throws IOException {
    for (Terminal terminal : terminals) {
      for (String name : qcow2Files(terminal.dir)) {
        Qemu.check(terminal.dir.resolve(name)).assertOk();
      }
    }
  }

  // ---------------------------------------------------------------------- the agent

  /** One finished agent run: exit code, output and what went over the wire. */
  final class Run {
    final int exit;
    final String out;
    final String err;
    final List<WireProxy.Exchange> wire;

    Run(int exit, String out, String err, List<WireProxy.Exchange> wire) {
      this.exit = exit;
      this.out = out;
      this.err = err;
      this.wire = wire;
    }

    /** Body bytes of layer downloads, by checksum. */
    Map<String, Long> downloads() {
      Map<String, Long> bytes = new TreeMap<>();
      for (WireProxy.Exchange e : wire) {
        if (e.isDownload()) {
          String[] parts = e.path.split("/");
          bytes.merge(parts[parts.length - 2], e.bodyBytes(), Long::sum);
        }
      }
      return bytes;
    }

    /** Response bytes (headers included) of everything but layer downloads. */
    long otherBytes() {
      return wire.stream().filter(e -> !e.isDownload()).mapToLong(e -> e.responseBytes).sum()
          + wire.stream()
              .filter(WireProxy.Exchange::isDownload)
              .mapToLong(e -> Math.max(0, e.headerBytes))
              .sum();
    }

    String describe() {
      return "exit "
          + exit
          + "\n--- stdout\n"
          + out
          + "--- stderr\n"
          + err
          + "--- wire\n"
          + wire.stream().map(Object::toString).collect(Collectors.joining("\n"));
    }

    void assertSucceeded() {
      assertThat(exit).as(describe()).isZero();
      assertThat(wire)
          .as("every request succeeded\n" + describe())
          .allMatch(e -> e.status == 200 || e.status == 202 || e.status == 206 || e.status == 304);
    }

    /**
     * The run reported, got {@code summary}, downloaded exactly {@code layers} (every byte of each,
     * nothing else), re-checked the answer (304), sent its feedback, applied, and was told STOP.
     */
    void assertUpdated(String summary, List<Layer> layers) {
      assertSucceeded();
      assertThat(out)
          .as(describe())
          .contains("server: " + summary)
          .contains("server: STOP (UP_TO_DATE")
          .contains("up to date after the update");
      assertThat(downloads()).as("layer bytes on the wire\n" + describe()).isEqualTo(sizes(layers));
      assertThat(otherBytes()).as("other bytes on the wire\n" + describe()).isLessThan(OVERHEAD);
      assertThat(wire.stream().map(e -> e.method + " " + e.status + " " + tail(e.path)))
          .as(describe())
          .startsWith("PUT 200 chain")
          .contains("GET 304 strategy", "POST 202 feedback")
          .endsWith("PUT 200 chain");
    }

    void assertUpToDate() {
      assertSucceeded();
      assertThat(out).contains("server: STOP (UP_TO_DATE").contains("up to date");
      assertThat(downloads()).isEmpty();
      assertThat(otherBytes()).isLessThan(OVERHEAD);
    }
  }

  private Run sync(Terminal terminal, String... extra) throws Exception {
    List<String> arguments = new ArrayList<>(List.of("sync"));
    if (terminal.overlay != null) {
      arguments.addAll(List.of("--boot-overlay", terminal.overlay));
    }
    arguments.addAll(List.of(extra));
    return agent(terminal, arguments.toArray(String[]::new));
  }

  private Run agent(Terminal terminal, String... arguments) throws Exception {
    Process process = startAgent(terminal, arguments);
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the agent finished").isTrue();
    int number = runs;
    Run run =
        new Run(
            process.exitValue(),
            Files.readString(work.resolve("logs/run-" + number + ".out")),
            Files.readString(work.resolve("logs/run-" + number + ".err")),
            proxy.drain());
    Files.write(
        work.resolve("logs/run-" + number + ".wire"),
        run.wire.stream().map(Object::toString).toList());
    System.out.printf(
        "[e2e]           run %d (%s): exit %d, layer bytes %s, other response bytes %d%n",
        number, arguments[0], run.exit, run.downloads().values(), run.otherBytes());
    return run;
  }

  /** Runs {@code bin/voi-agent ARGUMENTS…} without server options (verify, inspect). */
  private Run agentOffline(Terminal terminal, String... arguments) throws Exception {
    proxy.drain();
    List<String> command =
        new ArrayList<>(List.of(Path.of("bin/voi-agent").toAbsolutePath().toString()));
    command.addAll(List.of(arguments));
    Path logs = Files.createDirectories(work.resolve("logs"));
    int number = ++runs;
    Files.writeString(logs.resolve("run-" + number + ".cmd"), String.join(" ", command) + "\n");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(work.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(logs.resolve("run-" + number + ".out").toFile())
            .redirectError(logs.resolve("run-" + number + ".err").toFile());
    builder.environment().keySet().removeIf(key -> key.startsWith("VOI_"));
    Process process = builder.start();
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the agent finished").isTrue();
    return new Run(
        process.exitValue(),
        Files.readString(logs.resolve("run-" + number + ".out")),
        Files.readString(logs.resolve("run-" + number + ".err")),
        proxy.drain());
  }

  /** Starts {@code bin/voi-agent COMMAND --server <proxy> …} as a terminal would. */
  private Process startAgent(Terminal terminal, String... arguments) throws IOException {
    proxy.drain();
    List<String> command =
        new ArrayList<>(List.of(Path.of("bin/voi-agent").toAbsolutePath().toString()));
    command.add(arguments[0]);
    command.addAll(
        List.of(
            "--server",
            proxy.baseUrl(),
            "--terminal",
            Long.toString(terminal.id),
            "--token-file",
            terminal.tokenFile.toString(),
            "--image",
            IMAGE,
            "--dir",
            terminal.dir.toString()));
    command.addAll(List.of(arguments).subList(1, arguments.length));
    Path logs = Files.createDirectories(work.resolve("logs"));
    int number = ++runs;
    Files.writeString(logs.resolve("run-" + number + ".cmd"), String.join(" ", command) + "\n");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(work.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(logs.resolve("run-" + number + ".out").toFile())
            .redirectError(logs.resolve("run-" + number + ".err").toFile());
    builder.environment().keySet().removeIf(key -> key.startsWith("VOI_"));
    builder
        .environment()
        .put("VOI_AGENT_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx128m");
    return builder.start();
  }

  // ---------------------------------------------------------------------- terminals

  /** A registered terminal with its token file and its image directory. */
  record Terminal(long id, Path tokenFile, Path dir, String overlay) {}

  private Terminal register(String name, String overlay) throws IOException {
    Response created =
        given()
            .header("Authorization", ADMIN)
            .contentType(ContentType.JSON)
            .body("{\"name\":\"" + name + "\"}")
            .post(api + "/terminals");
    created.then().statusCode(201);
    long id = created.jsonPath().getLong("id");
    Path tokenFile = work.resolve(name + ".token");
    Files.writeString(tokenFile, created.jsonPath().getString("token") + "\n");
    given()
        .header("Authorization", ADMIN)
        .put(api + "/terminals/" + id + "/images/" + IMAGE)
        .then()
        .statusCode(201);
    return new Terminal(id, tokenFile, work.resolve(name), overlay);
  }

  private JsonPath feedback(Terminal terminal) {
    return feedback(terminal, 5);
  }

  private JsonPath feedback(Terminal terminal, int limit) {
    return given()
        .header("Authorization", ADMIN)
        .queryParam("image", IMAGE)
        .queryParam("limit", limit)
        .get(api + "/terminals/" + terminal.id + "/feedback")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  private void policy(String policy, int maxIncrementalLayers) {
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(
            "{\"policy\":\"" + policy + "\",\"maxIncrementalLayers\":" + maxIncrementalLayers + "}")
        .put(api + "/images/" + IMAGE + "/policy")
        .then()
        .statusCode(200);
  }

  // ------------------------------------------------------------------- the lineage

  /** A published layer as the images API shows it. */
  record Layer(
      int depth, long version, String checksum, String fileName, long size, String sha256) {
    static Layer of(JsonPath json, String at) {
      String prefix = at.isEmpty() ? "" : at + ".";
      return new Layer(
          json.getInt(prefix + "depth"),
          json.getLong(prefix + "version"),
          json.getString(prefix + "checksum"),
          json.getString(prefix + "fileName"),
          json.getLong(prefix + "size"),
          json.getString(prefix + "sha256"));
    }
  }

  /**
   * The administrator: makes each layer with qemu-img and qemu-io in its own folder, publishes it,
   * and keeps its copy under the canonical name, so that the next diff is built on it and the
   * terminal's tip can be compared with it.
   */
  final class Publisher {
    final Path dir;
    final List<Layer> chain = new ArrayList<>();
    private int uploads;

    Publisher(Path dir) {
      this.dir = dir;
    }

    Layer base(String write) throws IOException {
      Path upload = newBase(write);
      Response created =
          upload(upload).queryParam("name", IMAGE).queryParam("version", 1).post(api + "/images");
      created.then().statusCode(201);
      return placed(upload, Layer.of(created.jsonPath(), "layers[0]"));
    }

    /** A diff on the tip with the given version, writing a pattern of its own. */
    Layer diff(long version) throws IOException {
      Layer tip = chain.get(chain.size() - 1);
      Path upload = dir.resolve("upload-" + ++uploads + ".qcow2");
      Qemu.overlay(upload, tip.fileName, "");
      int pattern = (int) (version * 7 + chain.get(0).checksum.charAt(0)) % 250 + 1;
      Qemu.io(upload, "write -P " + pattern + " " + version + "M " + (version % 3 + 1) * 128 + "k")
          .assertOk();
      Response created =
          upload(upload)
              .queryParam("version", version)
              .queryParam("parent", tip.checksum)
              .post(api + "/images/" + IMAGE + "/layers");
      created.then().statusCode(201);
      return placed(upload, Layer.of(created.jsonPath(), ""));
    }

    /** The template rebuilt: a new base and as many diffs, with the same version numbers. */
    void rebuild(String write) throws IOException {
      List<Long> versions = chain.stream().map(Layer::version).toList();
      Path upload = newBase(write);
      Response created =
          upload(upload)
              .queryParam("version", versions.get(0))
              .post(api + "/images/" + IMAGE + "/base");
      created.then().statusCode(201);
      chain.clear();
      placed(upload, Layer.of(created.jsonPath(), ""));
      for (long version : versions.subList(1, versions.size())) {
        diff(version);
      }
    }

    private Path newBase(String write) {
      Path upload = dir.resolve("upload-" + ++uploads + ".qcow2");
      Qemu.create(upload, "64M", "");
      Qemu.io(upload, write).assertOk();
      return upload;
    }

    private io.restassured.specification.RequestSpecification upload(Path file) throws IOException {
      return given()
          .header("Authorization", ADMIN)
          .contentType("application/octet-stream")
          .body(Files.readAllBytes(file));
    }

    private Layer placed(Path upload, Layer layer) throws IOException {
      assertThat(layer.depth).isEqualTo(chain.size());
      assertThat(layer.size).isGreaterThan(SMALLEST_LAYER);
      Files.move(upload, dir.resolve(layer.fileName));
      chain.add(layer);
      return layer;
    }
  }

  // ------------------------------------------------------------------------- helpers

  private Map<String, String> serverEnvironment() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("VOI_ADMIN_TOKEN", ADMIN_TOKEN);
    env.put("VOI_DATA_DIR", work.resolve("voi-data").toString());
    String itDatabase = System.getProperty("voi.test.db.url");
    String admin = System.getProperty("voi.test.pg.admin.url");
    if (itDatabase != null && admin != null) {
      // A database of its own: the other ITs' server uses voi.test.db.url with another data dir.
      String url = itDatabase.replaceFirst("/([a-z_][a-z0-9_]*)(\\?|$)", "/$1_agent$2");
      FreshDatabase.create(admin, url);
      env.put("VOI_DB_URL", url);
    }
    return env;
  }

  private JsonPath manifest(Terminal terminal) {
    return JsonPath.from(terminal.dir.resolve("voi-manifest.json").toFile());
  }

  private static Map<String, Long> sizes(List<Layer> layers) {
    Map<String, Long> bytes = new TreeMap<>();
    layers.forEach(layer -> bytes.put(layer.checksum, layer.size));
    return bytes;
  }

  private static Set<String> fileNames(List<Layer> layers) {
    return layers.stream().map(Layer::fileName).collect(Collectors.toSet());
  }

  private static List<String> qcow2Files(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".qcow2"))
          .sorted()
          .toList();
    }
  }

  /** Each file directly in DIR (not the staging folder) with its SHA-256. */
  private static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> paths = Files.list(dir)) {
      for (Path path : paths.filter(Files::isRegularFile).toList()) {
        files.put(path.getFileName().toString(), Checksum.sha256Of(path).hex());
      }
    }
    return files;
  }

  private static List<String> staging(Terminal terminal) throws IOException {
    Path staging = terminal.dir.resolve(".staging");
    if (!Files.isDirectory(staging)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(staging)) {
      return files.filter(Files::isRegularFile).map(Path::toString).toList();
    }
  }

  private static long size(Path file) {
    try {
      return Files.isRegularFile(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0; // renamed away in between
    }
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
      raw.seek(offset);
      int b = raw.read();
      raw.seek(offset);
      raw.write(b ^ 0xff);
      raw.getFD().sync();
    }
  }

  private static String tail(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  private static int port(String baseUrl) {
    return Integer.parseInt(baseUrl.substring(baseUrl.lastIndexOf(':') + 1));
  }

  private void step(String what) {
    System.out.printf("[e2e] %6.1f s  %s%n", (System.nanoTime() - started) / 1e9, what);
  }
}
