package dev.voi.qcow2;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Puts a {@code @TempDir} on {@code /dev/shm} where there is one: qemu-img flushes every image it
 * writes, and on a busy disk that dominates the run time of these tests.
 */
final class TmpfsTempDir implements TempDirFactory {

  private static final Path SHM = Path.of("/dev/shm");

  @Override
  public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context)
      throws IOException {
    if (Files.isDirectory(SHM) && Files.isWritable(SHM)) {
      return Files.createTempDirectory(SHM, "voi-qcow2-");
    }
    return Files.createTempDirectory("voi-qcow2-");
  }
}
