package dev.voi.agent;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code qemu-img} ({@code VOI_QEMU_IMG} names another executable) for the two things only
 * QEMU should do to a chain: merging it ({@code commit}) and creating the boot overlay ({@code
 * create}). {@link #exec} runs any QEMU tool for the tests and benchmarks too.
 */
public final class QemuImg {

  /** The environment variable naming the executable; default {@code qemu-img} on the PATH. */
  static final String ENVIRONMENT = "VOI_QEMU_IMG";

  private final String executable;
  private final Console console;
  private Boolean available;

  QemuImg(String executable, Console console) {
    this.executable = Objects.requireNonNull(executable, "executable");
    this.console = console;
  }

  static QemuImg fromEnvironment(Console console) {
    String configured = System.getenv(ENVIRONMENT);
    return new QemuImg(
        configured == null || configured.isBlank() ? "qemu-img" : configured, console);
  }

  /** True when {@code qemu-img --version} runs. */
  boolean isAvailable() {
    if (available == null) {
      try {
        available = exec(null, List.of("--version")).exitCode() == 0;
      } catch (IOException e) {
        console.detail(executable + " --version: " + e.getMessage());
        available = false;
      }
    }
    return available;
  }

  /**
   * Runs {@code qemu-img ARGS} in {@code directory}.
   *
   * @throws AgentException {@link Failure#LOCAL_IO} with qemu-img's last error line when it fails
   */
  void run(Path directory, String... arguments) {
    List<String> args = List.of(arguments);
    console.detail("(in " + directory + ") " + executable + " " + String.join(" ", args));
    Output result;
    try {
      result = exec(directory, args);
    } catch (IOException e) {
      throw AgentException.localIo("cannot run " + executable + ": " + e.getMessage(), e);
    }
    if (result.exitCode() != 0) {
      String[] lines = result.stderr().strip().split("\n");
      throw AgentException.localIo(
          "qemu-img "
              + arguments[0]
              + " failed (exit "
              + result.exitCode()
              + "): "
              + (lines.length == 0 ? "no message" : lines[lines.length - 1]),
          null);
    }
  }

  /** What a run of a QEMU tool gave back. */
  public record Output(int exitCode, String stdout, String stderr) {}

  private Output exec(Path directory, List<String> arguments) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(executable);
    command.addAll(arguments);
    return exec(directory, command, null);
  }

  /**
   * Runs a QEMU tool ({@code qemu-img}, {@code qemu-io}: {@code command.get(0)}) in {@code
   * directory} (null: the current one) with no input, and collects what it prints. The one place
   * that starts QEMU's tools: the agent's two jobs, the tests' fixtures and the benchmarks' layers
   * all go through it.
   *
   * @param timeout how long to wait for it, null for as long as it takes
   * @throws IOException when it cannot be started, or did not end in time (it is then killed)
   */
  public static Output exec(Path directory, List<String> command, Duration timeout)
      throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    if (directory != null) {
      builder.directory(directory.toFile());
    }
    Process process = builder.start();
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    Thread out = new Thread(() -> copy(process.getInputStream(), stdout), "qemu-stdout");
    Thread err = new Thread(() -> copy(process.getErrorStream(), stderr), "qemu-stderr");
    out.start();
    err.start();
    try {
      if (timeout == null) {
        process.waitFor();
      } else if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IOException(
            "timed out after " + timeout.toSeconds() + " s: " + String.join(" ", command));
      }
      out.join();
      err.join();
      return new Output(
          process.exitValue(),
          stdout.toString(StandardCharsets.UTF_8),
          stderr.toString(StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      process.destroy();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while " + command.get(0) + " ran", e);
    }
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    try {
      in.transferTo(out);
    } catch (IOException e) {
      // the process ended; its exit code tells
    }
  }
}
