package dev.voi.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real server process started the way an operator starts it: {@code bin/voi-server} with {@code
 * VOI_*} variables. Collects its output so tests can read the log (the generated admin token, the
 * refusal message).
 */
public final class ServerProcess implements AutoCloseable {

  private static final Pattern ADMIN_TOKEN = Pattern.compile("(voia_[A-Za-z0-9_-]{43})");

  private final Process process;
  private final StringBuffer output = new StringBuffer();
  private final int port;
  private final Thread reader;

  private ServerProcess(Process process, int port) {
    this.process = process;
    this.port = port;
    this.reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                  output.append(line).append('\n');
                }
              } catch (IOException ignored) {
                // the process ended
              }
            },
            "server-output");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code bin/voi-server} with a clean {@code VOI_*} environment plus the given one, on the
   * port {@code VOI_HTTP_PORT} names or else on a free one.
   */
  public static ServerProcess start(Path workDir, Map<String, String> env) throws IOException {
    int port =
        env.containsKey("VOI_HTTP_PORT") ? Integer.parseInt(env.get("VOI_HTTP_PORT")) : freePort();
    ProcessBuilder builder =
        new ProcessBuilder(Path.of("bin/voi-server").toAbsolutePath().toString())
            .directory(workDir.toFile())
            .redirectErrorStream(true);
    builder.environment().keySet().removeIf(key -> key.startsWith("VOI_"));
    builder.environment().put("VOI_HTTP_PORT", Integer.toString(port));
    builder
        .environment()
        .put("VOI_JAVA_OPTS", "-Xmx512m -Djava.io.tmpdir=" + workDir.toAbsolutePath());
    builder.environment().putAll(env);
    return new ServerProcess(builder.start(), port);
  }

  /** Waits until the script says it listens (true) or that the server failed (false). */
  public boolean awaitStarted(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String text = output.toString();
      if (text.contains("voi-server: listening")) {
        return true;
      }
      if (text.contains("voi-server: the server failed") || !process.isAlive()) {
        process.waitFor(30, TimeUnit.SECONDS);
        reader.join(5_000);
        return false;
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("the server did not start in " + timeout + ":\n" + output);
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public String output() {
    return output.toString();
  }

  /** The admin token the server printed at its first start. */
  public String generatedAdminToken() {
    Matcher matcher = ADMIN_TOKEN.matcher(output);
    if (!matcher.find()) {
      throw new IllegalStateException("no generated admin token in the log:\n" + output);
    }
    return matcher.group(1);
  }

  public int exitValue() {
    return process.exitValue();
  }

  /** Kills the server's JVM the hard way (kill -9), as a power cut or the OOM killer would. */
  public void kill() throws InterruptedException {
    for (ProcessHandle child : process.toHandle().descendants().toList()) {
      child.destroyForcibly();
      child.onExit().join();
    }
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Stops the server as Ctrl-C would and waits for it to exit. */
  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        process.toHandle().descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly().waitFor();
        }
      }
      reader.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
