package dev.voi.images.control;

import static dev.voi.images.control.UploadRefusals.insufficientStorage;
import static dev.voi.images.control.UploadRefusals.refused;
import static dev.voi.images.control.UploadRefusals.tooLarge;

import dev.voi.chain.CheckInfo;
import dev.voi.chain.Checksum;
import dev.voi.chain.FileNames;
import dev.voi.chain.ImageName;
import dev.voi.chain.StampRecord;
import dev.voi.images.control.Reception.Received;
import dev.voi.images.entity.Layer;
import dev.voi.metrics.control.Meters;
import dev.voi.platform.ProblemType;
import dev.voi.platform.VoiConfig;
import dev.voi.qcow2.Qcow2Editor;
import dev.voi.qcow2.Qcow2FormatException;
import dev.voi.qcow2.Qcow2Header;
import dev.voi.qcow2.Qcow2Structure;
import dev.voi.server.control.ServerIdentity;
import dev.voi.storage.FileDigest;
import dev.voi.storage.LayerStore;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishes an uploaded layer (docs/design.md §4): has the body received into a temporary file
 * ({@link Reception}: digested, its header judged as it arrives), checks the digest, computes the
 * checksum, rewrites the backing name and stamps the temporary file, hashes the result, moves it
 * into place and commits the row. Any failure leaves neither a row nor a file behind.
 */
@ApplicationScoped
public class Publisher {

  private static final Logger LOG = Logger.getLogger(Publisher.class.getName());

  @Inject Lineage lineage;
  @Inject LayerStore store;
  @Inject ServerIdentity identity;
  @Inject VoiConfig config;
  @Inject Meters meters;

  /**
   * The digest workers of the uploads in progress (receiving, and hashing after the stamp): one
   * thread each, idle threads expire.
   */
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

  /** Publishes the upload, counted in the metrics as published or refused with its time. */
  public Layer publish(Upload upload, InputStream in) throws IOException {
    long started = System.nanoTime();
    boolean published = false;
    try {
      Layer layer = receiveAndPublish(upload, in);
      published = true;
      return layer;
    } finally {
      meters.upload(upload.kind().name(), published, Duration.ofNanos(System.nanoTime() - started));
    }
  }

  private Layer receiveAndPublish(Upload upload, InputStream in) throws IOException {
    Lineage.Target target = precheck(upload);
    Optional<Layer> parent = upload.kind().isBase() ? Optional.empty() : target.tip();
    Path temp = store.newUpload();
    try {
      long started = System.nanoTime();
      Received body =
          new Reception(digestWorkers, store, expected(upload, target, parent)).receive(in, temp);
      // The body is what the client sent (every digest it named agrees) before it is judged whole.
      Checksum contentDigest = requireExpectedDigest(upload, body);
      requireSound(temp, body);
      long received = System.nanoTime();
      StampRecord record = record(upload, target, parent, contentDigest);
      if (lineage.layer(upload.imageName(), record.checksum()).isPresent()) {
        Layer layer =
            lineage.reactivate(
                upload.kind(), upload.imageName(), upload.parent(), record.checksum());
        log(upload, layer, new Timings(started, received, 0, 0, 0, false));
        return layer;
      }
      long virtualSize = stamp(temp, parent, record);
      long stampedAt = System.nanoTime();
      Hashed hashed = hashAndForce(temp, body, record);
      long hashedAt = System.nanoTime();
      Layer layer =
          place(upload, temp, published(upload, parent, record, body, hashed, temp, virtualSize));
      Timings timings =
          new Timings(started, received, stampedAt, hashedAt, System.nanoTime(), hashed.early());
      log(upload, layer, timings);
      return layer;
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * Every table of the received file and every cluster its tables reference lie inside the file
   * (docs/design.md §4): a truncated upload would verify by its SHA-256 on every terminal and still
   * not be readable. Reads only the metadata, which the upload just wrote.
   */
  private static void requireSound(Path temp, Received body) throws IOException {
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.READ)) {
      Qcow2Structure.check(channel, body.header());
    } catch (Qcow2FormatException e) {
      throw ProblemType.QCOW2_DAMAGED.refuse(e.getMessage());
    }
  }

  /** What the body must be, known before it is read. */
  private Reception.Expected expected(
      Upload upload, Lineage.Target target, Optional<Layer> parent) {
    StampRecord planned =
        upload.expectedDigest() == null
            ? null
            : record(upload, target, parent, upload.expectedDigest());
    return new Reception.Expected(
        upload.kind(),
        upload.imageName(),
        parent.map(Layer::fileName).orElse(null),
        upload.contentLength(),
        config.uploadMaxBytes().orElse(Long.MAX_VALUE),
        planned);
  }

  /**
   * The body's SHA-256, once it agrees with every digest the client named: before the body ({@code
   * digest=}) and after it (a trailer). Checked before anything is stamped or placed, so a refusal
   * keeps nothing.
   */
  private static Checksum requireExpectedDigest(Upload upload, Received body) {
    Checksum contentDigest = body.contentDigest();
    Checksum before = upload.expectedDigest();
    Optional<Checksum> after = upload.digestAfterBody().read();
    if (before != null && after.isPresent() && !before.equals(after.get())) {
      throw ProblemType.BAD_REQUEST.refuse(
          "digest= says "
              + before.hex()
              + " and the Content-Digest trailer says "
              + after.get().hex()
              + "; nothing was kept");
    }
    Checksum expected = before != null ? before : after.orElse(null);
    if (expected != null && !expected.equals(contentDigest)) {
      throw ProblemType.BAD_REQUEST.refuse(
          "digest mismatch: the body's SHA-256 is "
              + contentDigest.hex()
              + ", the request said "
              + expected.hex()
              + (before != null ? "" : " (Content-Digest trailer)")
              + "; nothing was kept");
    }
    return contentDigest;
  }

  /**
   * Rewrites the backing name and stamps the temporary file, unforced: it is forced while it is
   * hashed, or on its own when it was hashed on the way in ({@link #hashAndForce}).
   *
   * @return the file's virtual size, checked against its parent's
   */
  private static long stamp(Path temp, Optional<Layer> parent, StampRecord record)
      throws IOException {
    Qcow2Header header;
    try {
      // The stamp reads the header from the file under QEMU's lock, as the one judge that knows
      // the file's length (its tables must lie inside it), and reads it back after the write.
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
    return header.size();
  }

  /**
   * The SHA-256 of the stamped file.
   *
   * @param early true when it was computed while the body arrived (so only the force was left)
   */
  private record Hashed(Checksum sha256, boolean early) {}

  /** Hashes the stamped file while forcing it, unless it was hashed on the way in. */
  private Hashed hashAndForce(Path temp, Received body, StampRecord record) throws IOException {
    Optional<Reception.StampedSha256> early = body.stamped();
    if (early.isPresent() && early.get().matches(record, temp)) {
      LayerStore.force(temp);
      return new Hashed(early.get().sha256(), true);
    }
    return new Hashed(FileDigest.sha256WhileForcing(temp, digestWorkers), false);
  }

  private static Layer.Published published(
      Upload upload,
      Optional<Layer> parent,
      StampRecord record,
      Received body,
      Hashed hashed,
      Path temp,
      long virtualSize)
      throws IOException {
    return new Layer.Published(
        record.depth(),
        record.version(),
        record.checksum(),
        parent.map(Layer::checksum).orElse(null),
        body.contentDigest(),
        hashed.sha256(),
        Files.size(temp),
        virtualSize,
        FileNames.canonical(upload.imageName().value(), record.depth(), record.checksum()),
        upload.note());
  }

  /** Moves the stamped file into place and commits its row; settles the file either way. */
  private Layer place(Upload upload, Path temp, Layer.Published published) throws IOException {
    LayerStore.Intent intent;
    try {
      intent = store.place(temp, upload.imageName(), published.fileName());
    } catch (FileAlreadyExistsException e) {
      // The same bytes on the same parent with the same version make the same file: a client
      // that retried after a time-out, or two administrators at once. One of them wins.
      throw ProblemType.ALREADY_PUBLISHED.refuse(
          lineage.referenced(upload.imageName(), published.fileName())
              ? "the same file was published on "
                  + upload.imageName()
                  + " at the same time; fetch the lineage"
              : "the same file is being published on "
                  + upload.imageName()
                  + " right now; fetch the lineage in a moment");
    }
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
      settle(intent, committed, upload.imageName(), published.fileName());
    }
  }

  private void settle(
      LayerStore.Intent intent, boolean committed, ImageName image, String fileName) {
    try {
      // A concurrent publish of the very same file may own it: never remove a file a row holds.
      store.settle(intent, committed || lineage.referenced(image, fileName));
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "Could not settle " + intent + "; the next start repairs it", e);
    }
  }

  /**
   * The stamp of the layer: {@code c_k} of docs/design.md §2 from the content digest, version,
   * depth.
   */
  private StampRecord record(
      Upload upload, Lineage.Target target, Optional<Layer> parent, Checksum contentDigest) {
    long version = version(upload, target, parent);
    int depth = parent.map(p -> p.depth() + 1).orElse(0);
    Checksum checksum =
        new CheckInfo(
                version,
                identity.serverUuid(),
                upload.imageName().value(),
                parent.map(Layer::checksum).orElse(null),
                contentDigest)
            .checksum();
    return new StampRecord(checksum, version, depth);
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
   * When each phase of a publish ended ({@link System#nanoTime}); 0 for a phase that did not run (a
   * reactivated layer is neither stamped nor hashed).
   */
  private record Timings(
      long started, long received, long stamped, long hashed, long committed, boolean early) {

    private static double seconds(long from, long to) {
      return to == 0 ? 0 : (to - from) / 1e9;
    }
  }

  private static void log(Upload upload, Layer layer, Timings t) {
    LOG.info(
        () ->
            String.format(
                "Published %s depth %d (%d bytes): received in %.2f s, stamped in %.2f s,"
                    + " %s in %.2f s, committed in %.2f s",
                upload.imageName(),
                layer.depth(),
                layer.size(),
                Timings.seconds(t.started(), t.received()),
                Timings.seconds(t.received(), t.stamped()),
                t.early() ? "forced (hashed while it was received)" : "hashed and forced",
                Timings.seconds(t.stamped(), t.hashed()),
                Timings.seconds(t.hashed(), t.committed())));
  }
}
