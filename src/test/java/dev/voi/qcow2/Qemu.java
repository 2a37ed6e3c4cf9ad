package dev.voi.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.voi.agent.QemuImg;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The tests' one way to run the real qemu-img and qemu-io (7.2, Debian's qemu-utils) to make and
 * check fixtures, through the agent's {@link QemuImg#exec} (the benchmarks' Java code uses that
 * too; their scripts use {@code bench/qemu.sh}).
 */
public final class Qemu {

  public record Result(int exitCode, String stdout, String stderr) {
    public Result assertOk() {
      assertThat(exitCode).as("exit code; stderr: %s; stdout: %s", stderr, stdout).isZero();
      return this;
    }
  }

  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final long CACHE_LIMIT = 1 << 20;
  private static final Map<String, byte[]> CREATED = new ConcurrentHashMap<>();
  private static volatile boolean installed;

  private Qemu() {}

  public static Result run(Path directory, String... command) {
    requireInstalled();
    return exec(directory, command);
  }

  private static Result exec(Path directory, String... command) {
    try {
      QemuImg.Output output = QemuImg.exec(directory, List.of(command), TIMEOUT);
      return new Result(output.exitCode(), output.stdout(), output.stderr());
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command[0] + ": " + e.getMessage(), e);
    }
  }

  /** Fails the test with an install hint when qemu-img or qemu-io is missing. */
  public static void requireInstalled() {
    if (installed) {
      return;
    }
    for (String tool : List.of("qemu-img", "qemu-io")) {
      try {
        Result result = exec(null, tool, "--version");
        assertThat(result.exitCode()).as(tool + " --version").isZero();
      } catch (AssertionError e) {
        fail(
            "%s is required by the qcow2 tests (apt-get install -y --no-install-recommends"
                + " qemu-utils): %s",
            tool, e.getMessage());
      }
    }
    installed = true;
  }

  /** {@code qemu-img create -f qcow2 [-o options] file size}, in the file's directory. */
  public static Path create(Path file, String size, String options) {
    List<String> command = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", "qcow2"));
    if (!options.isEmpty()) {
      command.addAll(List.of("-o", options));
    }
    command.addAll(List.of(file.getFileName().toString(), size));
    return createOnce(file, command, "");
  }

  /** An overlay on {@code backing} (a name relative to the overlay's directory). */
  public static Path overlay(Path file, String backing, String options) {
    List<String> command = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", "qcow2"));
    command.addAll(List.of("-b", backing, "-F", "qcow2"));
    if (!options.isEmpty()) {
      command.addAll(List.of("-o", options));
    }
    command.add(file.getFileName().toString());
    try {
      Path backingFile = file.resolveSibling(backing);
      if (Files.size(backingFile) > CACHE_LIMIT) {
        run(file.getParent(), command.toArray(String[]::new)).assertOk();
        return file;
      }
      // the overlay takes its virtual size, and so its L1 size, from the backing file
      return createOnce(file, command, RawHeader.sha256(backingFile));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs a {@code qemu-img create} once per distinct command line and copies its bytes after that:
   * a fresh image does not depend on its directory (backing names are stored as given), and
   * spawning qemu-img dominates the run time of these tests. {@code inputs} identifies anything
   * else the result depends on (the backing file's content).
   */
  private static Path createOnce(Path file, List<String> command, String inputs) {
    String key = inputs + "\u0000" + String.join("\u0000", command);
    byte[] bytes = CREATED.get(key);
    try {
      if (bytes != null) {
        Files.write(file, bytes);
        return file;
      }
      run(file.getParent(), command.toArray(String[]::new)).assertOk();
      if (Files.size(file) <= CACHE_LIMIT) {
        CREATED.put(key, Files.readAllBytes(file));
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Result img(Path directory, String... arguments) {
    List<String> command = new ArrayList<>(List.of("qemu-img"));
    command.addAll(List.of(arguments));
    return run(directory, command.toArray(String[]::new));
  }

  public static Result check(Path file) {
    return img(file.getParent(), "check", file.getFileName().toString());
  }

  /** {@code qemu-img compare}: exit 0 when the guest-visible contents are identical. */
  public static Result compare(Path a, Path b) {
    return img(a.getParent(), "compare", "-f", "qcow2", "-F", "qcow2", a.toString(), b.toString());
  }

  public static String infoJson(Path file) {
    return img(file.getParent(), "info", "--output=json", file.getFileName().toString())
        .assertOk()
        .stdout();
  }

  /**
   * qemu-io commands, e.g. {@code write -P 0xab 0 1M}; a failed {@code read -P} (pattern mismatch)
   * makes the exit code non-zero.
   */
  public static Result io(Path file, String... commands) {
    List<String> command = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
    for (String c : commands) {
      command.addAll(List.of("-c", c));
    }
    command.add(file.getFileName().toString());
    return run(file.getParent(), command.toArray(String[]::new));
  }

  /**
   * Keeps the image open in an interactive qemu-io, which holds QEMU's image locks, until closed.
   */
  static final class Holder implements AutoCloseable {
    private final Process process;

    Holder(Path file) throws IOException {
      requireInstalled();
      process =
          new ProcessBuilder("qemu-io", "-f", "qcow2", file.toString())
              .redirectErrorStream(true)
              .start();
      awaitPrompt();
    }

    boolean isAlive() {
      return process.isAlive();
    }

    private void awaitPrompt() throws IOException {
      StringBuilder seen = new StringBuilder();
      InputStream out = process.getInputStream();
      while (!seen.toString().endsWith("qemu-io> ")) {
        int c = out.read();
        if (c < 0) {
          throw new IOException("qemu-io exited before its prompt: " + seen);
        }
        seen.append((char) c);
      }
    }

    @Override
    public void close() throws IOException {
      process.getOutputStream().write("quit\n".getBytes(StandardCharsets.US_ASCII));
      process.getOutputStream().close();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
