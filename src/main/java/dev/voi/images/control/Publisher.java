package dev.voi.images.control;

import dev.voi.chain.CheckInfo;
import dev.voi.chain.Checksum;
import dev.voi.chain.FileNames;
import dev.voi.chain.StampRecord;
import dev.voi.images.entity.Layer;
import dev.voi.platform.ProblemType;
import dev.voi.platform.Refused;
import dev.voi.platform.VoiConfig;
import dev.voi.qcow2.Qcow2Editor;
import dev.voi.qcow2.Qcow2FormatException;
import dev.voi.qcow2.Qcow2Header;
import dev.voi.server.control.ServerIdentity;
import dev.voi.storage.FileDigest;
import dev.voi.storage.LayerStore;
import dev.voi.storage.StreamingFileWriter;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishes an uploaded layer (SPEC 4): streams the body to a temporary file while digesting it and
 * validating its first cluster as soon as it has arrived, computes the checksum, rewrites the
 * backing name and stamps the temporary file, hashes the result, moves it into place and commits
 * the row. Any failure leaves neither a row nor a file behind.
 */
@ApplicationScoped
public class Publisher {

  private static final Logger LOG = Logger.getLogger(Publisher.class.getName());

  /**
   * The unit read from the request and handed to the digest worker and the file writer. Each
   * hand-over wakes another thread, which costs dearly in a VM: in {@code bench/transfer} receiving
   * 1 GiB took 1.37–1.83 s with 256 KiB buffers and 1.19–1.35 s with 4 MiB ones. The ring of an
   * upload is 16 MiB of heap (two rings when the digest is named up front), the same for any size,
   * and is reused ({@link RingBuffers}). 16 bytes short of 4 MiB, so that with the array's header
   * each one fills four 1 MiB G1 regions exactly instead of taking a fifth.
   */
  private static final int BUFFER = 4 * 1024 * 1024 - 16;

  /** Enough of the file to judge its header: everything we accept ends before byte 3072. */
  private static final int HEADER_PREFIX = 64 * 1024;

  /** Buffers in flight between the request thread and the digest worker of one upload. */
  private static final int RING = 4;

  @Inject Lineage lineage;
  @Inject LayerStore store;
  @Inject ServerIdentity identity;
  @Inject VoiConfig config;

  /** The digest workers of the uploads in progress: one thread each, idle threads expire. */
  private ExecutorService digestWorkers;

  @PostConstruct
  void start() {
    AtomicInteger count = new AtomicInteger();
    digestWorkers =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, "voi-upload-digest-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  @PreDestroy
  void stop() {
    digestWorkers.shutdownNow();
  }

  /** Refusals that need no body: checked before a single byte of it is read. */
  public Lineage.Target precheck(Upload upload) throws IOException {
    if (upload.contentLength() > 0 && upload.contentLength() > store.usableSpace()) {
      throw insufficientStorage(upload.contentLength());
    }
    Optional<Long> max = config.uploadMaxBytes();
    if (max.isPresent() && upload.contentLength() > max.get()) {
      throw tooLarge(max.get());
    }
    return lineage.precheck(upload.kind(), upload.imageName(), upload.parent());
  }

  public Layer publish(Upload upload, InputStream in) throws IOException {
    Lineage.Target target = precheck(upload);
    Optional<Layer> parent = upload.kind().isBase() ? Optional.empty() : target.tip();
    String backingName = parent.map(Layer::fileName).orElse(null);
    StampRecord planned =
        upload.expectedDigest() == null
            ? null
            : record(upload, target, parent, upload.expectedDigest());
    Path temp = store.newUpload();
    try {
      long started = System.nanoTime();
      Received body = receive(in, temp, upload, backingName, planned);
      long received = System.nanoTime();
      long[] marks = new long[3];
      Layer layer = publishReceived(upload, target, parent, temp, body, marks);
      long done = System.nanoTime();
      LOG.info(
          () ->
              String.format(
                  "Published %s depth %d (%d bytes): received in %.2f s, stamped in %.2f s,"
                      + " %s in %.2f s, committed in %.2f s",
                  upload.imageName(),
                  layer.depth(),
                  layer.size(),
                  (received - started) / 1e9,
                  marks[0] == 0 ? 0 : (marks[0] - received) / 1e9,
                  marks[2] == 1 ? "forced (hashed while it was received)" : "hashed and forced",
                  marks[1] == 0 ? 0 : (marks[1] - marks[0]) / 1e9,
                  marks[1] == 0 ? 0 : (done - marks[1]) / 1e9));
      return layer;
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private Layer publishReceived(
      Upload upload,
      Lineage.Target target,
      Optional<Layer> parent,
      Path temp,
      Received received,
      long[] marks)
      throws IOException {
    Checksum contentDigest = received.contentDigest();
    if (upload.expectedDigest() != null && !upload.expectedDigest().equals(contentDigest)) {
      throw ProblemType.BAD_REQUEST.refuse(
          "digest mismatch: the body's SHA-256 is "
              + contentDigest.hex()
              + ", the request said "
              + upload.expectedDigest().hex()
              + "; nothing was kept");
    }
    StampRecord record = record(upload, target, parent, contentDigest);
    long version = record.version();
    int depth = record.depth();
    Checksum checksum = record.checksum();
    if (lineage.layer(upload.imageName(), checksum).isPresent()) {
      return lineage.reactivate(upload.kind(), upload.imageName(), upload.parent(), checksum);
    }
    Qcow2Header header;
    try {
      // Forced below: while it is hashed, or on its own when it was hashed on the way in.
      header = Qcow2Editor.publishUnforced(temp, parent.map(Layer::fileName).orElse(null), record);
    } catch (Qcow2FormatException e) {
      throw refused(e);
    }
    if (parent.isPresent() && header.size() < parent.get().virtualSize()) {
      throw ProblemType.VIRTUAL_SIZE_SHRINKS.refuse(
          "the diff's virtual size "
              + header.size()
              + " is smaller than its parent's "
              + parent.get().virtualSize());
    }
    marks[0] = System.nanoTime();
    boolean hashedAlready = received.matches(record, temp);
    Checksum sha256;
    if (hashedAlready) {
      LayerStore.force(temp);
      sha256 = received.finalSha256();
    } else {
      sha256 = FileDigest.sha256WhileForcing(temp, digestWorkers);
    }
    marks[1] = System.nanoTime();
    marks[2] = hashedAlready ? 1 : 0;
    long size = Files.size(temp);
    String fileName = FileNames.canonical(upload.imageName(), depth, checksum);
    Layer.Published published =
        new Layer.Published(
            depth,
            version,
            checksum,
            parent.map(Layer::checksum).orElse(null),
            contentDigest,
            sha256,
            size,
            header.size(),
            fileName,
            upload.note());
    LayerStore.Intent intent = store.place(temp, upload.imageName(), fileName);
    boolean committed = false;
    try {
      Layer layer =
          lineage.commit(
              upload.kind(),
              upload.imageName(),
              upload.parent(),
              published,
              config.policy(),
              config.maxIncrementalLayers());
      committed = true;
      return layer;
    } finally {
      settle(intent, committed, upload.imageName(), fileName);
    }
  }

  private void settle(LayerStore.Intent intent, boolean committed, String image, String fileName) {
    try {
      // A concurrent publish of the very same file may own it: never remove a file a row holds.
      store.settle(intent, committed || lineage.referenced(image, fileName));
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "Could not settle " + intent + "; the next start repairs it", e);
    }
  }

  /** The stamp of the layer: {@code c_k} of SPEC 2 from the content digest, version, depth. */
  private StampRecord record(
      Upload upload, Lineage.Target target, Optional<Layer> parent, Checksum contentDigest) {
    long version = version(upload, target, parent);
    int depth = parent.map(p -> p.depth() + 1).orElse(0);
    Checksum checksum =
        new CheckInfo(
                version,
                identity.serverUuid(),
                upload.imageName(),
                parent.map(Layer::checksum).orElse(null),
                contentDigest)
            .checksum();
    return new StampRecord(checksum, version, depth);
  }

  /**
   * What {@link #receive} got: the content digest and, when the upload named its digest up front,
   * the SHA-256 of the file as it will be once stamped with {@code planned} (its first bytes {@code
   * header}), computed on the way.
   */
  private record Received(
      Checksum contentDigest, StampRecord planned, byte[] header, Checksum finalSha256) {

    /**
     * Whether {@link #finalSha256} is the SHA-256 of the stamped file: the record is the one
     * planned, and the file starts with the very header it was computed with.
     */
    boolean matches(StampRecord record, Path file) throws IOException {
      if (finalSha256 == null || !record.equals(planned)) {
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

  private static long version(Upload upload, Lineage.Target target, Optional<Layer> parent) {
    if (upload.version() != null) {
      return upload.version();
    }
    if (parent.isPresent()) {
      return parent.get().version() + 1;
    }
    if (upload.kind() == PublishKind.NEW_BASE && target.tip().isPresent()) {
      return target.tip().get().version() + 1;
    }
    return 1;
  }

  /**
   * Streams the body into {@code temp}, digesting it on the way and judging the qcow2 header as
   * soon as enough of it has arrived; a refused header stops the transfer at once. The request
   * thread reads and writes; the digest runs on a second thread ({@link ContentDigester}) over a
   * small ring of buffers, so that SHA-256 does not add to the time on the wire.
   */
  private Received receive(
      InputStream body, Path temp, Upload upload, String backingName, StampRecord planned)
      throws IOException {
    long max = config.uploadMaxBytes().orElse(Long.MAX_VALUE);
    int headerLength = Qcow2Editor.headerWriteLength();
    byte[] prefix = new byte[HEADER_PREFIX];
    int prefixLength = 0;
    boolean headerJudged = false;
    long total = 0;
    byte[] header = null;
    boolean planning = planned != null;
    ContentDigester stamped = null;
    try (ContentDigester digester = new ContentDigester(digestWorkers, RING, BUFFER);
        StreamingFileWriter out = StreamingFileWriter.open(temp, digestWorkers)) {
      try {
        while (true) {
          byte[] buffer = digester.take();
          int read = readBody(body, buffer, headerJudged);
          if (read == -1) {
            digester.giveBack(buffer);
            break;
          }
          total += read;
          if (total > max) {
            throw tooLarge(max);
          }
          int copied = 0;
          if (!headerJudged || prefixLength < headerLength) {
            copied = Math.min(read, prefix.length - prefixLength);
            System.arraycopy(buffer, 0, prefix, prefixLength, copied);
            prefixLength += copied;
          }
          if (!headerJudged) {
            headerJudged = judgeHeader(prefix, prefixLength, -1, upload, backingName);
          }
          int length = read;
          writeOrReport(() -> out.write(buffer, 0, length));
          if (stamped != null) {
            stamped.feed(buffer, 0, read);
          } else if (planning && headerJudged && prefixLength >= headerLength) {
            // The digest was given: the stamped header is known already, and so the SHA-256 of
            // the published file can be computed while the rest arrives, on a third thread.
            planning = false;
            header = plannedHeader(prefix, prefixLength, backingName, planned);
            if (header != null) {
              stamped = new ContentDigester(digestWorkers, RING, BUFFER);
              stamped.feed(header, 0, headerLength);
              stamped.feed(prefix, headerLength, prefixLength - headerLength);
              stamped.feed(buffer, copied, read - copied);
            }
          }
          digester.digest(buffer, read);
        }
        if (!headerJudged) {
          judgeHeader(prefix, prefixLength, total, upload, backingName);
        }
        if (upload.contentLength() >= 0 && total != upload.contentLength()) {
          throw ProblemType.BAD_REQUEST.refuse(
              "the body ended after " + total + " of " + upload.contentLength() + " bytes");
        }
        writeOrReport(out::finish);
        // No force here: the one after the stamp makes the whole file durable.
        Checksum contentDigest = digester.finish();
        Checksum finalSha256 = stamped == null ? null : stamped.finish();
        return new Received(contentDigest, planned, header, finalSha256);
      } finally {
        if (stamped != null) {
          stamped.close();
        }
      }
    }
  }

  /** The header {@code planned} will be stamped into, or null to leave it to the stamp's pass. */
  private static byte[] plannedHeader(
      byte[] prefix, int prefixLength, String backingName, StampRecord planned) {
    try {
      return Qcow2Editor.publishedHeader(
          Arrays.copyOf(prefix, prefixLength), -1, backingName, planned);
    } catch (Qcow2FormatException e) {
      return null; // judged publishable already; publish() itself will say why not
    }
  }

  /**
   * Judges the header from the bytes received so far.
   *
   * @return false when more bytes are needed
   */
  private boolean judgeHeader(
      byte[] prefix, int length, long fileLength, Upload upload, String backingName)
      throws IOException {
    byte[] bytes = Arrays.copyOf(prefix, length);
    Qcow2Header header;
    try {
      header = Qcow2Header.parse(bytes, fileLength);
    } catch (Qcow2FormatException e) {
      if (e.kind() == Qcow2FormatException.Kind.INCOMPLETE
          && fileLength < 0
          && length < prefix.length) {
        return false;
      }
      throw refused(e);
    }
    if (upload.kind().isBase() && header.hasBackingFile()) {
      throw ProblemType.BASE_HAS_BACKING_FILE.refuse(
          "this file has the backing file "
              + header.backingFile().orElse("")
              + "; publish it as a diff on the tip of "
              + upload.imageName());
    }
    if (!upload.kind().isBase()) {
      if (!header.hasBackingFile()) {
        throw ProblemType.DIFF_WITHOUT_BACKING_FILE.refuse(
            "this file has no backing file; a diff is a qcow2 overlay built on the tip");
      }
      String uploaded = header.backingFile().orElseThrow();
      String lastComponent = uploaded.substring(uploaded.lastIndexOf('/') + 1);
      if (!lastComponent.equals(backingName)) {
        throw ProblemType.STALE_OR_WRONG_PARENT.refuse(
            "the diff was built on "
                + uploaded
                + ", not on the tip's file "
                + backingName
                + " (download the tip and build the overlay on it)");
      }
    }
    try {
      Qcow2Editor.checkPublishable(bytes, fileLength, backingName);
    } catch (Qcow2FormatException e) {
      throw refused(e);
    }
    return true;
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

  /** A write to the temporary file; failing with the data directory full, it answers 507. */
  @FunctionalInterface
  private interface FileWrite {
    void run() throws IOException;
  }

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

  private static Refused refused(Qcow2FormatException e) {
    return switch (e.kind()) {
      case REFUSED -> ProblemType.QCOW2_LAYOUT_REFUSED.refuse(e.getMessage());
      case LOCKED -> ProblemType.FILE_LOCKED.refuse(e.getMessage());
      default -> ProblemType.NOT_QCOW2.refuse(e.getMessage());
    };
  }

  private static Refused tooLarge(long max) {
    return ProblemType.UPLOAD_TOO_LARGE.refuse(
        "uploads are limited to " + max + " bytes (voi.upload.max.bytes)");
  }

  private static Refused insufficientStorage(long needed) {
    return ProblemType.INSUFFICIENT_STORAGE.refuse(
        needed > 0
            ? "the upload declares " + needed + " bytes, more than the data directory has free"
            : "the data directory ran out of room during the upload");
  }
}
