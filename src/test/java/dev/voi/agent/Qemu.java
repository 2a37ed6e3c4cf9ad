package dev.voi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real qemu-img and qemu-io (Debian's qemu-utils) for fixtures and checks. */
final class Qemu {

  record Result(int exitCode, String stdout, String stderr) {
    Result assertOk() {
      assertThat(exitCode).as("exit code; stderr: %s; stdout: %s", stderr, stdout).isZero();
      return this;
    }
  }

  private Qemu() {}

  static Result run(Path directory, List<String> command) {
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(directory == null ? null : directory.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      ByteArrayOutputStream stderr = new ByteArrayOutputStream();
      Thread errors = new Thread(() -> copy(process.getErrorStream(), stderr));
      errors.start();
      String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("timed out: " + command);
      }
      errors.join();
      return new Result(process.exitValue(), stdout, stderr.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError(
          "cannot run "
              + command.get(0)
              + " (apt-get install -y --no-install-recommends qemu-utils): "
              + e.getMessage(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    try {
      in.transferTo(out);
    } catch (IOException ignored) {
      // the process died; its exit code tells
    }
  }

  /** {@code qemu-img ARGS} in {@code directory}. */
  static Result img(Path directory, String... arguments) {
    List<String> command = new ArrayList<>(List.of("qemu-img"));
    command.addAll(List.of(arguments));
    return run(directory, command);
  }

  /** {@code qemu-io -f qcow2 -c CMD… FILE}, e.g. {@code write -P 0xab 0 64k}. */
  static Result io(Path file, String... commands) {
    List<String> command = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
    for (String c : commands) {
      command.addAll(List.of("-c", c));
    }
    command.add(file.getFileName().toString());
    return run(file.getParent(), command);
  }

  static void check(Path file) {
    img(file.getParent(), "check", "-q", file.getFileName().toString()).assertOk();
  }

  /** Exit 0 when the guest-visible contents are identical. */
  static Result compare(Path a, Path b) {
    return img(a.getParent(), "compare", "-f", "qcow2", "-F", "qcow2", a.toString(), b.toString());
  }
}
