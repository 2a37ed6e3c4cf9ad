package dev.voi.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A Payara Server domain of its own for one test, driven through {@code asadmin} as an
 * administrator drives it: created under a directory of the test's on free ports, started, given
 * commands, stopped. {@link #close()} stops it whatever happened before (and a JVM shutdown hook
 * calls it when the test run is cut short), so a failing test leaves no server running.
 */
final class PayaraDomain implements AutoCloseable {

  /** What {@code create-domain --portbase} adds to the base: every port a domain opens. */
  private static final int[] PORT_OFFSETS = {9, 37, 38, 39, 48, 49, 59, 66, 76, 80, 81, 86};

  private static final int ADMIN = 48;

  /** Property names whose values are secrets, never to be written down. */
  private static final Pattern SECRET = Pattern.compile("(?i)token|password");

  /** A secret {@code name=value} in a {@code --property} list; the value ends at a colon. */
  private static final Pattern SECRET_PROPERTY =
      Pattern.compile("((?:^|:)[^:=]*(?i:token|password)[^:=]*=)[^:]*");

  private static final int HTTP = 80;

  private final Path home;
  private final Path domainDir;
  private final String name;
  private final int portBase;
  private final Path log;
  private final Thread shutdownHook;
  private volatile boolean started;

  private PayaraDomain(Path home, Path domainDir, String name, int portBase) {
    this.home = home;
    this.domainDir = domainDir;
    this.name = name;
    this.portBase = portBase;
    this.log = domainDir.resolve(name + "-asadmin.log");
    this.shutdownHook = new Thread(this::stopQuietly, "payara-domain-stop");
  }

  /**
   * Creates the domain {@code name} under {@code domainDir} on free ports, after stopping and
   * removing whatever an earlier, interrupted run left there.
   */
  static PayaraDomain create(Path home, Path domainDir, String name) throws Exception {
    if (!Files.isExecutable(home.resolve("bin/asadmin"))) {
      throw new IllegalStateException(
          "no Payara Server at " + home + " (the build unpacks it in pre-integration-test)");
    }
    Files.createDirectories(domainDir);
    PayaraDomain leftOver = new PayaraDomain(home, domainDir, name, 0);
    if (Files.exists(domainDir.resolve(name))) {
      leftOver.run(
          List.of("stop-domain", "--kill=true", "--domaindir", domainDir.toString(), name));
      dev.voi.testing.FreshDatabase.emptyDirectory(domainDir.resolve(name));
      Files.delete(domainDir.resolve(name));
    }
    PayaraDomain domain = new PayaraDomain(home, domainDir, name, freePortBase());
    domain.local(
        "create-domain",
        "--nopassword=true",
        "--savelogin=false",
        "--portbase",
        Integer.toString(domain.portBase),
        "--domaindir",
        domainDir.toString(),
        name);
    return domain;
  }

  /** Starts the domain; from now on {@link #close()} (or the JVM's end) stops it. */
  void start() throws Exception {
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    started = true;
    local("start-domain", "--domaindir", domainDir.toString(), name);
  }

  /**
   * Restarts the running domain: listener settings changed with {@code set} are applied by
   * restarting each listener on the fly, several times over for a file of them, and one of those
   * restarts can leave a listener unbound ("GrizzlyProxy is NULL" in the log, then connection
   * refused); a restart brings every listener up once with its final settings.
   */
  void restart() throws Exception {
    local("restart-domain", "--domaindir", domainDir.toString(), name);
  }

  /** Runs a remote command against the running domain's admin port; fails unless it succeeds. */
  String asadmin(String... command) throws Exception {
    List<String> arguments = new ArrayList<>(List.of("--port", Integer.toString(adminPort())));
    arguments.add("--interactive=false");
    arguments.addAll(List.of(command));
    return checked(arguments);
  }

  /** Runs a remote command that must fail; gives back what it said. */
  String asadminRefused(String... command) throws Exception {
    List<String> arguments = new ArrayList<>(List.of("--port", Integer.toString(adminPort())));
    arguments.add("--interactive=false");
    arguments.addAll(List.of(command));
    Result result = run(arguments);
    if (result.exit() == 0) {
      throw new AssertionError("asadmin " + shown(arguments) + " succeeded:\n" + result.output());
    }
    return result.output();
  }

  /** Runs a local command (one that works on the domain's directory); fails unless it succeeds. */
  String local(String... command) throws Exception {
    return checked(List.of(command));
  }

  int adminPort() {
    return portBase + ADMIN;
  }

  int httpPort() {
    return portBase + HTTP;
  }

  /** The server's log as it is now. */
  String serverLog() throws IOException {
    return Files.readString(domainDir.resolve(name).resolve("logs/server.log"));
  }

  /** The end of the server's log, for the message of a failure. */
  String serverLogTail(int lines) {
    Path file = domainDir.resolve(name).resolve("logs/server.log");
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no server log: " + e.getMessage() + ")";
    }
  }

  /** Stops the domain (killing it if it does not stop) if it was started. */
  @Override
  public void close() {
    if (!started) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or about to
    }
    stopQuietly();
  }

  private void stopQuietly() {
    if (!started) {
      return;
    }
    started = false;
    try {
      Result stop = run(List.of("stop-domain", "--domaindir", domainDir.toString(), name));
      if (stop.exit() != 0) {
        run(List.of("stop-domain", "--kill=true", "--domaindir", domainDir.toString(), name));
      }
    } catch (Exception e) {
      System.err.println("PayaraDomain: could not stop " + name + ": " + e);
    }
  }

  private String checked(List<String> arguments) throws Exception {
    Result result = run(arguments);
    if (result.exit() != 0) {
      throw new IllegalStateException(
          "asadmin " + shown(arguments) + " failed:\n" + result.output());
    }
    return result.output();
  }

  private record Result(int exit, String output) {}

  private Result run(List<String> arguments) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(home.resolve("bin/asadmin").toString());
    command.addAll(arguments);
    Path output = Files.createTempFile(domainDir, "asadmin", ".out");
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor();
        throw new IllegalStateException(
            "asadmin " + shown(arguments) + " did not end in 5 minutes");
      }
      String text = Files.readString(output, StandardCharsets.UTF_8);
      Files.writeString(
          log,
          "$ asadmin " + shown(arguments) + "\n" + text + "\n",
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      return new Result(process.exitValue(), text);
    } finally {
      Files.deleteIfExists(output);
    }
  }

  /**
   * The command line as the log and failure messages show it: the value of a property whose name
   * says it is a secret ({@code token}, {@code password}) is {@code ***}, so that the admin token
   * set with {@code set-config-property} stays out of {@code target/}.
   */
  static String shown(List<String> arguments) {
    List<String> shown = new ArrayList<>(arguments);
    for (int i = 0; i + 1 < shown.size(); i++) {
      String argument = shown.get(i);
      String next = shown.get(i + 1);
      if (argument.startsWith("--propertyName=")
          && SECRET.matcher(argument).find()
          && next.startsWith("--propertyValue=")) {
        shown.set(i + 1, "--propertyValue=***");
      } else if (argument.equals("--property")) {
        // name=value:name=value, as create-jdbc-connection-pool takes its properties
        shown.set(i + 1, SECRET_PROPERTY.matcher(next).replaceAll("$1***"));
      }
    }
    return String.join(" ", shown);
  }

  /** A port base whose every port (see {@link #PORT_OFFSETS}) is free now. */
  private static int freePortBase() {
    Random random = new Random();
    for (int attempt = 0; attempt < 100; attempt++) {
      int base = 20_000 + 100 * random.nextInt(400);
      if (allFree(base)) {
        return base;
      }
    }
    throw new IllegalStateException("no free port base found");
  }

  private static boolean allFree(int base) {
    for (int offset : PORT_OFFSETS) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(false);
        socket.bind(new InetSocketAddress(base + offset));
      } catch (IOException taken) {
        return false;
      }
    }
    return true;
  }
}
