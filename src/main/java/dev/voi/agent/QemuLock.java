package dev.voi.agent;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Whether a QEMU process (a running guest, {@code qemu-io}, {@code qemu-nbd}, …) has an image open.
 * QEMU's file-posix driver holds shared open-file-description locks on single bytes of the image
 * while it has it open: byte {@code 100 + bit} for each permission it holds (consistent read,
 * write, …) and {@code 200 + bit} for each permission it does not share with others. Those locks
 * conflict with a POSIX record lock, so a non-blocking exclusive lock attempt on bytes 100..299
 * fails exactly while such a process has the file open. The probe takes no lock it keeps.
 */
final class QemuLock {

  static final long FIRST_BYTE = 100;
  static final long LENGTH = 200;

  private QemuLock() {}

  /** True when another process holds a lock in QEMU's lock bytes of {@code file}. */
  static boolean isHeld(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      FileLock lock;
      try {
        lock = channel.tryLock(FIRST_BYTE, LENGTH, false);
      } catch (OverlappingFileLockException e) {
        return true;
      }
      if (lock == null) {
        return true;
      }
      lock.release();
      return false;
    }
  }
}
