package dev.voi.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What identifies a file's content without reading it: its size, modification and change times
 * (nanoseconds) and inode. Writing a byte ({@code dd conv=notrunc}), truncating, or replacing the
 * file (copy, rename) changes at least one of them; so while they are the same as at the last
 * verification, the content is taken to be the verified one. Where the file system has no inode
 * (not a Unix file system) it is {@code -1} and the times alone are compared.
 *
 * @param size the size in bytes
 * @param mtimeNanos the last modification time
 * @param ctimeNanos the last status change time ({@code 0} where unknown)
 * @param inode the inode number ({@code -1} where unknown)
 */
public record FileIdentity(long size, long mtimeNanos, long ctimeNanos, long inode) {

  /** The identity of {@code file} now. */
  public static FileIdentity of(Path file) throws IOException {
    try {
      Map<String, Object> unix = Files.readAttributes(file, "unix:size,lastModifiedTime,ctime,ino");
      return new FileIdentity(
          ((Number) unix.get("size")).longValue(),
          nanos((FileTime) unix.get("lastModifiedTime")),
          nanos((FileTime) unix.get("ctime")),
          ((Number) unix.get("ino")).longValue());
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      BasicFileAttributes basic = Files.readAttributes(file, BasicFileAttributes.class);
      return new FileIdentity(basic.size(), nanos(basic.lastModifiedTime()), 0, -1);
    }
  }

  private static long nanos(FileTime time) {
    return time == null ? 0 : time.to(TimeUnit.NANOSECONDS);
  }
}
