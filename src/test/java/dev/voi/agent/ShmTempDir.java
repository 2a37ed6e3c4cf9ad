package dev.voi.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/** Puts a {@code @TempDir} on {@code /dev/shm} where there is one: qemu-img fsyncs a lot. */
final class ShmTempDir implements TempDirFactory {

  private static final Path SHM = Path.of("/dev/shm");

  @Override
  public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context)
      throws IOException {
    if (Files.isDirectory(SHM) && Files.isWritable(SHM)) {
      return Files.createTempDirectory(SHM, "voi-agent-");
    }
    return Files.createTempDirectory("voi-agent-");
  }
}
