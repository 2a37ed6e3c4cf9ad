package dev.voi.images.control;

import static dev.voi.images.control.UploadRefusals.insufficientStorage;
import static dev.voi.images.control.UploadRefusals.refused;
import static dev.voi.images.control.UploadRefusals.tooLarge;

import dev.voi.chain.Checksum;
import dev.voi.chain.ImageName;
import dev.voi.chain.StampRecord;
import dev.voi.platform.ProblemType;
import dev.voi.qcow2.Qcow2Editor;
import dev.voi.qcow2.Qcow2FormatException;
import dev.voi.qcow2.Qcow2Header;
import dev.voi.storage.LayerStore;
import dev.voi.storage.StreamingFileWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * Receives the body of one upload (docs/design.md §4): streams it into the temporary file,
 * digesting it on the way and judging the qcow2 header as soon as enough of it has arrived, so that
 * a refused file stops the transfer at once. The request thread reads and writes; the digest runs
 * on a second thread ({@link ContentDigester}) over a small ring of buffers, so that SHA-256 does
 * not add to the time on the wire. When the upload named its digest up front, the stamped header is
 * known as soon as the header has been judged, and the SHA-256 of the published file is computed on
 * a third thread while the rest arrives ({@link Received#stamped()}).
 *
 * <p>One instance receives one body; the header is parsed once, and what was parsed travels on in
 * {@link Received#header()}.
 */
final class Reception {

  /**
   * The unit read from the request and handed to the digest worker and the file writer. Each
   * hand-over wakes another thread, which costs dearly in a VM: in {@code bench/transfer} receiving
   * 1 GiB took 1.37–1.83 s with 256 KiB buffers and 1.19–1.35 s with 4 MiB ones. The ring of an
   * upload is 16 MiB of heap (two rings when the digest is named up front), the same for any size,
   * and is reused ({@link RingBuffers}). 16 bytes short of 4 MiB, so that with the array's header
   * each one fills four 1 MiB G1 regions exactly instead of taking a fifth.
   */
  static final int BUFFER = 4 * 1024 * 1024 - 16;

  /** Enough of the file to judge its header: everything we accept ends before byte 3072. */
  private static final int HEADER_PREFIX = 64 * 1024;

  /** Buffers in flight between the request thread and the digest worker of one upload. */
  private static final int RING = 4;

  /**
   * What the body must be.
   *
   * @param backingName the tip's file name a diff must be built on; null for a base
   * @param contentLength the declared body length, or -1 when unknown (chunked)
   * @param planned the stamp the file will get, when it is known before the body (the digest was
   *     named up front); else null
   */
  record Expected(
      PublishKind kind,
      ImageName imageName,
      String backingName,
      long contentLength,
      long maxBytes,
      StampRecord planned) {}

  /**
   * What arrived.
   *
   * @param contentDigest the SHA-256 of the body
   * @param header the body's qcow2 header, judged publishable from the body's first bytes
   * @param stamped the SHA-256 the file will have once stamped with the planned record, when it was
   *     computed on the way in
   */
  record Received(Checksum contentDigest, Qcow2Header header, Optional<StampedSha256> stamped) {}

  /**
   * The SHA-256 of the file as it will be once stamped with {@code record}, computed with its first
   * bytes replaced by {@code header}.
   */
  record StampedSha256(StampRecord record, byte[] header, Checksum sha256) {

    /**
     * Whether {@link #sha256} is the SHA-256 of the stamped file: the record is the one planned,
     * and the file starts with the very header it was computed with.
     */
    boolean matches(StampRecord stamp, Path file) throws IOException {
      if (!stamp.equals(record)) {
        return false;
      }
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
        ByteBuffer start = ByteBuffer.allocate(header.length);
        while (start.hasRemaining() && channel.read(start, start.position()) >= 0) {
          // read the rewritten header back
        }
        return Arrays.equals(start.array(), header);
      }
    }
  }

  private final ExecutorService workers;
  private final LayerStore store;
  private final Expected expected;

  /** The body's first bytes, kept until the header is judged. */
  private final byte[] firstBytes = new byte[HEADER_PREFIX];

  private int firstLength;
  private long total;

  /** The judged header; null while more bytes are needed. */
  private Qcow2Header header;

  /** The digest of the stamped file; null unless planned and under way. */
  private StampedDigest stamped;

  Reception(ExecutorService workers, LayerStore store, Expected expected) {
    this.workers = workers;
    this.store = store;
    this.expected = expected;
  }

  /** Streams {@code body} into {@code temp}; refuses it as soon as it is known to be unfit. */
  Received receive(InputStream body, Path temp) throws IOException {
    try (ContentDigester content = new ContentDigester(workers, RING, BUFFER);
        StreamingFileWriter out = StreamingFileWriter.open(temp, workers)) {
      try {
        while (true) {
          byte[] buffer = content.take();
          int read = readBody(body, buffer, header != null);
          if (read == -1) {
            content.giveBack(buffer);
            break;
          }
          accept(buffer, read, out);
          content.digest(buffer, read);
        }
        return finish(content, out);
      } finally {
        if (stamped != null) {
          stamped.close();
        }
      }
    }
  }

  /** Counts, judges (until judged), writes and, once planned, digests the chunk as stamped. */
  private void accept(byte[] buffer, int read, StreamingFileWriter out) throws IOException {
    total += read;
    if (total > expected.maxBytes()) {
      throw tooLarge(expected.maxBytes());
    }
    boolean judging = header == null;
    int kept = judging ? keepFirstBytes(buffer, read) : 0;
    if (judging) {
      header = judge(-1);
    }
    writeOrReport(() -> out.write(buffer, 0, read));
    if (stamped != null) {
      stamped.digester().feed(buffer, 0, read);
    } else if (judging && header != null && expected.planned() != null) {
      stamped = startStampedDigest(buffer, kept, read);
    }
  }

  private Received finish(ContentDigester content, StreamingFileWriter out) throws IOException {
    if (header == null) {
      header = judge(total);
    }
    if (expected.contentLength() >= 0 && total != expected.contentLength()) {
      throw ProblemType.BAD_REQUEST.refuse(
          "the body ended after " + total + " of " + expected.contentLength() + " bytes");
    }
    writeOrReport(out::finish);
    // No force here: the one after the stamp makes the whole file durable.
    Checksum contentDigest = content.finish();
    Optional<StampedSha256> stampedSha256 =
        stamped == null ? Optional.empty() : Optional.of(stamped.finish());
    return new Received(contentDigest, header, stampedSha256);
  }

  /**
   * @return how many bytes of the chunk went into {@link #firstBytes}
   */
  private int keepFirstBytes(byte[] buffer, int read) {
    int kept = Math.min(read, firstBytes.length - firstLength);
    System.arraycopy(buffer, 0, firstBytes, firstLength, kept);
    firstLength += kept;
    return kept;
  }

  /**
   * Judges the header from the bytes received so far: parsed once, then checked against what the
   * upload is (base or diff on the tip) and against what publishing it would write.
   *
   * @param fileLength the body's length once it has ended, or -1 while it arrives
   * @return the header, or null when more bytes are needed
   */
  private Qcow2Header judge(long fileLength) {
    byte[] bytes = Arrays.copyOf(firstBytes, firstLength);
    try {
      Qcow2Header parsed = Qcow2Header.parse(bytes, fileLength);
      checkBacking(parsed);
      Qcow2Editor.checkPublishable(parsed, bytes, expected.backingName());
      return parsed;
    } catch (Qcow2FormatException e) {
      if (e.kind() == Qcow2FormatException.Kind.INCOMPLETE
          && fileLength < 0
          && firstLength < firstBytes.length) {
        return null;
      }
      throw refused(e);
    }
  }

  private void checkBacking(Qcow2Header parsed) {
    if (expected.kind().isBase()) {
      if (parsed.hasBackingFile()) {
        throw ProblemType.BASE_HAS_BACKING_FILE.refuse(
            "this file has the backing file "
                + parsed.backingFile().orElse("")
                + "; publish it as a diff on the tip of "
                + expected.imageName());
      }
      return;
    }
    if (!parsed.hasBackingFile()) {
      throw ProblemType.DIFF_WITHOUT_BACKING_FILE.refuse(
          "this file has no backing file; a diff is a qcow2 overlay built on the tip");
    }
    String uploaded = parsed.backingFile().orElseThrow();
    String lastComponent = uploaded.substring(uploaded.lastIndexOf('/') + 1);
    if (!lastComponent.equals(expected.backingName())) {
      throw ProblemType.STALE_OR_WRONG_PARENT.refuse(
          "the diff was built on "
              + uploaded
              + ", not on the tip's file "
              + expected.backingName()
              + " (download the tip and build the overlay on it)");
    }
  }

  /**
   * With the stamp known before the body (the digest was given), the stamped header is known as
   * soon as the header is judged, and so the SHA-256 of the published file can be computed while
   * the rest arrives, on a third thread: the stamped header, the first bytes behind it, and the
   * rest of this chunk ({@code buffer[kept, read)}). Null leaves it to the pass after the stamp.
   */
  private StampedDigest startStampedDigest(byte[] buffer, int kept, int read) throws IOException {
    byte[] bytes = Arrays.copyOf(firstBytes, firstLength);
    byte[] stampedHeader;
    try {
      stampedHeader =
          Qcow2Editor.publishedHeader(header, bytes, expected.backingName(), expected.planned());
    } catch (Qcow2FormatException e) {
      return null; // judged publishable already; the stamp itself will say why not
    }
    int headerLength = stampedHeader.length;
    StampedDigest digest =
        new StampedDigest(
            expected.planned(), stampedHeader, new ContentDigester(workers, RING, BUFFER));
    digest.digester().feed(stampedHeader, 0, headerLength);
    digest.digester().feed(firstBytes, headerLength, firstLength - headerLength);
    digest.digester().feed(buffer, kept, read - kept);
    return digest;
  }

  /** The digest of the stamped file under way. */
  private record StampedDigest(StampRecord record, byte[] header, ContentDigester digester)
      implements AutoCloseable {

    StampedSha256 finish() throws IOException {
      return new StampedSha256(record, header, digester.finish());
    }

    @Override
    public void close() {
      digester.close();
    }
  }

  /**
   * Reads the next chunk: small reads until the header is judged (so a refusal comes as soon as the
   * first cluster is in), then whole buffers.
   *
   * @return the bytes read, or -1 at the end of the body
   */
  private static int readBody(InputStream body, byte[] buffer, boolean wholeBuffer) {
    try {
      if (!wholeBuffer) {
        return body.read(buffer, 0, buffer.length);
      }
      int read = body.readNBytes(buffer, 0, buffer.length);
      return read == 0 ? -1 : read;
    } catch (IOException e) {
      throw ProblemType.BAD_REQUEST.refuse("the upload was interrupted: " + e.getMessage());
    }
  }

  /** A write to the temporary file. */
  @FunctionalInterface
  private interface FileWrite {
    void run() throws IOException;
  }

  /** Runs the write; failing with the data directory full, it is refused as out of room (507). */
  private void writeOrReport(FileWrite write) throws IOException {
    try {
      write.run();
    } catch (IOException e) {
      if (store.usableSpace() < BUFFER) {
        throw insufficientStorage(-1);
      }
      throw e;
    }
  }
}
