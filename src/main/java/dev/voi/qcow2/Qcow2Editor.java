package dev.voi.qcow2;

import dev.voi.chain.Checksum;
import dev.voi.chain.StampRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * Writes the VOI stamp, and optionally a new bare backing file name, into the header of a qcow2
 * file, and reads the stamp back (docs/design.md §3 and 4).
 *
 * <p>Every rule is checked before the first byte is written; a refused file is left byte for byte
 * as it was. The write is one positional write of the first 3136 bytes (never changing the file
 * length), then {@code force(true)}, then a read-back that must match. One header write is not
 * crash-safe: use it on a private copy of the file, never on a published one.
 *
 * <p>While editing, the file is locked the way QEMU locks images (an exclusive lock on bytes
 * 100..299), and all reads and writes go through the channel holding the lock.
 */
public final class Qcow2Editor {

  private static final long QEMU_LOCK_START = 100;
  private static final long QEMU_LOCK_LENGTH = 200;

  private Qcow2Editor() {}

  /**
   * Rewrites the backing file name (if {@code backingFileName} is not null) and stamps the file, in
   * one header write.
   *
   * @param backingFileName a bare name ({@link BackingFileName}), or null to keep the backing file
   * @return the header as read back after the write
   * @throws Qcow2FormatException naming the field when the file is malformed, refused or locked;
   *     the file is then unchanged
   * @throws IllegalArgumentException when {@code backingFileName} is not a bare name
   */
  public static Qcow2Header publish(Path file, String backingFileName, StampRecord record)
      throws IOException {
    return rewrite(file, backingFileName, record, true);
  }

  /**
   * As {@link #publish}, without the {@code force} after the write: for a caller that forces the
   * file itself (e.g. while it hashes it) before anything depends on the new header.
   */
  public static Qcow2Header publishUnforced(Path file, String backingFileName, StampRecord record)
      throws IOException {
    return rewrite(file, backingFileName, record, false);
  }

  private static Qcow2Header rewrite(
      Path file, String backingFileName, StampRecord record, boolean force) throws IOException {
    Objects.requireNonNull(record, "record");
    Optional<String> backing =
        Optional.ofNullable(backingFileName).map(BackingFileName::requireBare);
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FileLock lock = lockImage(channel);
      try {
        HeaderPrefix before = HeaderPrefix.read(channel, StampArea.END);
        byte[] updated = HeaderRewrite.build(before.header(), before.bytes(), backing, record);
        writeFully(channel, updated);
        if (force) {
          channel.force(true);
        }
        return verify(channel, before.fileLength(), updated, backing, record);
      } finally {
        lock.release();
      }
    }
  }

  /** Stamps the file and keeps its backing file name: {@code publish(file, null, record)}. */
  public static Qcow2Header stamp(Path file, StampRecord record) throws IOException {
    return publish(file, null, record);
  }

  /** Reads the stamp of a file, without locking it. */
  public static Qcow2Stamp readStamp(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return readStamp(channel);
    }
  }

  /** Reads the stamp through positional reads of cluster 0. */
  public static Qcow2Stamp readStamp(FileChannel channel) throws IOException {
    HeaderPrefix prefix = HeaderPrefix.read(channel, StampArea.END);
    return Qcow2Stamp.of(prefix.header(), prefix.bytes());
  }

  /**
   * Judges whether {@link #publish} would accept a file, from its first bytes alone, e.g. while an
   * upload is still arriving. Nothing is written.
   *
   * @param fileLength the file's length, or -1 while unknown
   * @throws Qcow2FormatException {@code INCOMPLETE} while more bytes are needed (at most the first
   *     cluster), else the reason {@code publish} would refuse the file
   */
  public static Qcow2Header checkPublishable(
      byte[] firstBytes, long fileLength, String backingFileName) throws Qcow2FormatException {
    Qcow2Header header = Qcow2Header.parse(firstBytes, fileLength);
    checkPublishable(header, firstBytes, backingFileName);
    return header;
  }

  /**
   * As {@link #checkPublishable(byte[], long, String)}, for a caller that parsed {@code header}
   * from {@code firstBytes} already ({@link Qcow2Header#parse}) and judges more than one thing on
   * it.
   */
  public static void checkPublishable(Qcow2Header header, byte[] firstBytes, String backingFileName)
      throws Qcow2FormatException {
    Optional<String> backing =
        Optional.ofNullable(backingFileName).map(BackingFileName::requireBare);
    HeaderRewrite.build(header, firstBytes, backing, placeholderRecord());
  }

  /**
   * The first bytes of the file exactly as {@link #publish} would write them, computed from the
   * file's first bytes alone: with a record known before the whole file is (the content digest
   * given up front), the SHA-256 of the published file can be computed while the rest of it
   * arrives.
   *
   * @param firstBytes at least the first {@link #headerWriteLength()} bytes of the file
   * @throws Qcow2FormatException as {@link #publish} would refuse the file
   */
  public static byte[] publishedHeader(
      byte[] firstBytes, long fileLength, String backingFileName, StampRecord record)
      throws Qcow2FormatException {
    return publishedHeader(
        Qcow2Header.parse(firstBytes, fileLength), firstBytes, backingFileName, record);
  }

  /**
   * As {@link #publishedHeader(byte[], long, String, StampRecord)}, with {@code header} parsed from
   * {@code firstBytes} already.
   */
  public static byte[] publishedHeader(
      Qcow2Header header, byte[] firstBytes, String backingFileName, StampRecord record)
      throws Qcow2FormatException {
    Objects.requireNonNull(record, "record");
    Optional<String> backing =
        Optional.ofNullable(backingFileName).map(BackingFileName::requireBare);
    return HeaderRewrite.build(header, firstBytes, backing, record);
  }

  /** How many bytes from the start of the file {@link #publish} rewrites (3136). */
  public static int headerWriteLength() {
    return StampArea.END;
  }

  private static StampRecord placeholderRecord() {
    return new StampRecord(Checksum.sha256(new byte[0]), 0, 0);
  }

  private static FileLock lockImage(FileChannel channel) throws IOException {
    FileLock lock;
    try {
      lock = channel.tryLock(QEMU_LOCK_START, QEMU_LOCK_LENGTH, false);
    } catch (OverlappingFileLockException e) {
      throw Qcow2FormatException.locked("another channel of this JVM holds the image lock");
    }
    if (lock == null) {
      throw Qcow2FormatException.locked(
          "another process (QEMU?) holds a lock on bytes 100..299 of the image");
    }
    return lock;
  }

  private static void writeFully(FileChannel channel, byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      channel.write(buffer, buffer.position());
    }
  }

  private static Qcow2Header verify(
      FileChannel channel,
      long lengthBefore,
      byte[] written,
      Optional<String> backing,
      StampRecord record)
      throws IOException {
    if (channel.size() != lengthBefore) {
      throw new IOException(
          "qcow2 header write changed the file length from "
              + lengthBefore
              + " to "
              + channel.size());
    }
    byte[] readBack = HeaderPrefix.readFully(channel, 0, written.length, "header_cluster");
    if (!Arrays.equals(readBack, written)) {
      throw new IOException("qcow2 header read back differs from what was written");
    }
    HeaderPrefix after = HeaderPrefix.read(channel, StampArea.END);
    Qcow2Stamp stamp = Qcow2Stamp.of(after.header(), after.bytes());
    if (stamp.state() != StampState.STAMPED || !stamp.record().orElseThrow().equals(record)) {
      throw new IOException("qcow2 stamp read back as " + stamp);
    }
    if (backing.isPresent()
        && (!after.header().backingFile().equals(backing)
            || !after.header().backingFormat().equals(Optional.of("qcow2")))) {
      throw new IOException("qcow2 backing file read back as " + after.header().backingFile());
    }
    return after.header();
  }
}
