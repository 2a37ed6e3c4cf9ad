package dev.voi.agent;

import dev.voi.chain.ChecksumList;
import dev.voi.qcow2.Qemu;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A terminal and its server for tests: a {@link Lineage} of real qcow2 files, a {@link FakeServer}
 * serving it, the terminal's image directory and token file, and ways to run the agent against them
 * (the {@link Sync} directly, with test download settings, or the whole command line).
 */
final class Rig implements AutoCloseable {

  static final String IMAGE = "win10-lab";
  static final String TERMINAL = "t-1";
  static final String TOKEN = "terminal-token-1";

  /** Fast retries for tests. */
  static final Downloader.Settings RETRYING =
      new Downloader.Settings(3, Duration.ofSeconds(5), Duration.ofMillis(10), 0);

  /** One attempt: a broken connection ends the run, like a killed agent. */
  static final Downloader.Settings ONE_ATTEMPT =
      new Downloader.Settings(1, Duration.ofSeconds(5), Duration.ofMillis(10), 0);

  final Path root;
  final Lineage lineage;
  final FakeServer server;
  final Path dir;
  final Path tokenFile;

  private ByteArrayOutputStream out = new ByteArrayOutputStream();
  private ByteArrayOutputStream err = new ByteArrayOutputStream();
  AgentException failure;

  Rig(Path root) throws IOException {
    this.root = root;
    this.lineage = new Lineage(root.resolve("server-store"), IMAGE);
    this.server = new FakeServer(lineage, TERMINAL, TOKEN);
    this.dir = root.resolve("terminal");
    this.tokenFile = root.resolve("token");
    Files.writeString(tokenFile, TOKEN + "\n");
  }

  @Override
  public void close() {
    server.close();
  }

  Console console() {
    out = new ByteArrayOutputStream();
    err = new ByteArrayOutputStream();
    return new Console(
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        true,
        false);
  }

  String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  ServerClient client(Console console) {
    return new ServerClient(server.uri(), TERMINAL, IMAGE, TOKEN, console);
  }

  /** Runs a sync; returns its exit code (the failure, if any, in {@link #failure}). */
  int sync(Downloader.Settings settings, boolean flatten, String bootOverlay) {
    return sync(new Sync.Options(flatten, bootOverlay, settings).withInit(), false);
  }

  /** Runs a sync with exactly these options ({@code --init} included or not). */
  int sync(Sync.Options options, boolean verify) {
    Console console = console();
    failure = null;
    try {
      return new Sync(
              client(console),
              new ImageDirectory(dir, IMAGE, console, QemuImg.fromEnvironment(console)),
              new ChainReader(dir, IMAGE, options.bootOverlay(), verify),
              new ChecksumList(new SecureRandom()),
              options,
              console)
          .run();
    } catch (AgentException e) {
      failure = e;
      return e.exitCode();
    }
  }

  int sync() {
    return sync(RETRYING, false, null);
  }

  /** Runs the command line in-process with captured output. */
  int cli(String... args) {
    out = new ByteArrayOutputStream();
    err = new ByteArrayOutputStream();
    return VoiAgent.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        false);
  }

  /** The options {@code status} and {@code sync} need, then {@code more}. */
  String[] serverArgs(String command, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                command,
                "--server",
                server.uri().toString(),
                "--terminal",
                TERMINAL,
                "--token-file",
                tokenFile.toString(),
                "--image",
                IMAGE,
                "--dir",
                dir.toString()));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  /** Every file in DIR (not staging) with its SHA-256: to prove a failed run changed nothing. */
  Map<String, String> snapshot() {
    Map<String, String> files = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return files;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path entry : entries.toList()) {
        if (Files.isRegularFile(entry) && !entry.getFileName().toString().equals(Sync.LOCK_FILE)) {
          files.put(entry.getFileName().toString(), dev.voi.chain.Checksum.sha256Of(entry).hex());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /** The qcow2 files in DIR, by name. */
  List<String> qcow2Files() {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".qcow2"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code qemu-img check} is clean on every qcow2 file in DIR. */
  void assertAllChecksClean() {
    for (String name : qcow2Files()) {
      Qemu.check(dir.resolve(name)).assertOk();
    }
  }

  Manifest manifest() {
    try {
      return Manifest.read(dir).orElseThrow();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
