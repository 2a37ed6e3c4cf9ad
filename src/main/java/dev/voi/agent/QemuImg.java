package dev.voi.agent;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Runs {@code qemu-img} ({@code VOI_QEMU_IMG} names another executable) for the two things only
 * QEMU should do to a chain: merging it ({@code commit}) and creating the boot overlay ({@code
 * create}).
 */
final class QemuImg {

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
        available = exec(null, List.of("--version")).exitCode == 0;
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
    Result result;
    try {
      result = exec(directory, args);
    } catch (IOException e) {
      throw AgentException.localIo("cannot run " + executable + ": " + e.getMessage(), e);
    }
    if (result.exitCode != 0) {
      String[] lines = result.stderr.strip().split("\n");
      throw AgentException.localIo(
          "qemu-img "
              + arguments[0]
              + " failed (exit "
              + result.exitCode
              + "): "
              + (lines.length == 0 ? "no message" : lines[lines.length - 1]),
          null);
    }
  }

  private record Result(int exitCode, String stderr) {}

  private Result exec(Path directory, List<String> arguments) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(executable);
    command.addAll(arguments);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    if (directory != null) {
      builder.directory(directory.toFile());
    }
    Process process = builder.start();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    Thread reader = new Thread(() -> copy(process.getErrorStream(), stderr), "qemu-img-stderr");
    reader.start();
    try {
      int exit = process.waitFor();
      reader.join();
      return new Result(exit, stderr.toString(StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      process.destroy();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while qemu-img ran", e);
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
