package dev.voi.audits.control;

import dev.voi.audits.entity.Finding;
import dev.voi.audits.entity.FindingKind;
import dev.voi.chain.Checksum;
import dev.voi.chain.ImageName;
import dev.voi.chain.LayerState;
import dev.voi.chain.StampRecord;
import dev.voi.qcow2.Qcow2Editor;
import dev.voi.qcow2.Qcow2FormatException;
import dev.voi.qcow2.Qcow2Stamp;
import dev.voi.qcow2.Qcow2Structure;
import dev.voi.qcow2.StampState;
import dev.voi.storage.LayerStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The integrity sweep of an audit (docs/design.md §7): every stored layer file is checked against
 * its row — size, stamp (record at byte 3072 and header extension, docs/design.md §3: checksum,
 * version, depth) and SHA-256 of the whole file, cheapest first. The file is streamed through one
 * buffer (constant memory) and throttled. A missing or mismatching file is a finding and its layer
 * is quarantined at once (downloads answer 410 and terminals that need it get WAIT).
 *
 * <p>Before any of that, it counts the missing files: when more than half are missing the storage
 * is probably not mounted, and quarantining the whole fleet's layers would do harm; the sweep
 * reports {@link FindingKind#STORAGE_UNAVAILABLE} and stops.
 *
 * <p>Every layer row is swept, retired ones too: they stay downloadable for terminals that are
 * mid-update, so a damaged retired file is worth a finding. It cannot be quarantined (it is out of
 * the chain; terminals check each download's SHA-256 anyway).
 */
public final class IntegritySweep {

  // Below half a G1 region (1 MiB with small heaps): no humongous allocation.
  static final int BUFFER = 256 * 1024;

  /**
   * A layer row as the sweep checks it. The file name stays text: whether it is a safe name is one
   * of the things the sweep judges.
   */
  public record StoredLayer(
      long id,
      ImageName image,
      int depth,
      long version,
      Checksum checksum,
      String fileName,
      long size,
      Checksum sha256,
      LayerState state) {}

  /** Turns a layer QUARANTINED. */
  @FunctionalInterface
  public interface Quarantine {
    /**
     * @return true when this call quarantined it; false when it was not PUBLISHED (any more)
     */
    boolean quarantine(StoredLayer layer);
  }

  /** What the sweep did and found. */
  public record Result(
      List<Finding> findings, int layersChecked, long bytesChecked, boolean storageUnavailable) {}

  private final LayerStore store;
  private final Throttle throttle;
  private final Runnable checkpoint;
  private final Quarantine quarantine;
  private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
  private final List<Finding> findings = new ArrayList<>();

  /**
   * @param checkpoint called between files and between chunks of a file; it may throw to stop the
   *     sweep (the audit lost its lease)
   */
  public IntegritySweep(
      LayerStore store, Throttle throttle, Runnable checkpoint, Quarantine quarantine) {
    this.store = Objects.requireNonNull(store);
    this.throttle = Objects.requireNonNull(throttle);
    this.checkpoint = Objects.requireNonNull(checkpoint);
    this.quarantine = Objects.requireNonNull(quarantine);
  }

  /** Sweeps the layers once; a sweep object is used for one audit. */
  public Result sweep(List<StoredLayer> layers) throws InterruptedException {
    List<StoredLayer> missing = new ArrayList<>();
    for (StoredLayer layer : layers) {
      Optional<Path> file = fileOf(layer);
      if (file.isPresent() && !Files.isRegularFile(file.get())) {
        missing.add(layer);
      }
    }
    if (missing.size() * 2L > layers.size()) {
      return new Result(List.of(storageUnavailable(missing.size(), layers.size())), 0, 0, true);
    }
    Set<Long> missingIds = new HashSet<>();
    for (StoredLayer layer : missing) {
      missingIds.add(layer.id());
      findings.add(
          finding(
              layer, FindingKind.FILE_MISSING, "the layer's file is not in the data directory"));
    }
    int checked = 0;
    long bytes = 0;
    for (StoredLayer layer : layers) {
      checkpoint.run();
      Optional<Path> file = fileOf(layer);
      if (file.isEmpty()) {
        findings.add(
            finding(layer, FindingKind.UNREADABLE, "the row's file name is not a safe name"));
        continue;
      }
      if (missingIds.contains(layer.id())) {
        continue;
      }
      Check check = check(layer, file.get());
      checked++;
      bytes += check.bytesRead();
      if (check.problem() != null) {
        findings.add(finding(layer, check.problem(), check.detail()));
      }
    }
    return new Result(List.copyOf(findings), checked, bytes, false);
  }

  /** What the sweep found so far: all of it once {@link #sweep} returned, a part if it threw. */
  public List<Finding> findingsSoFar() {
    return List.copyOf(findings);
  }

  private record Check(FindingKind problem, String detail, long bytesRead) {
    static Check ok(long bytesRead) {
      return new Check(null, null, bytesRead);
    }
  }

  private Check check(StoredLayer layer, Path file) throws InterruptedException {
    try {
      long size = Files.size(file);
      if (size != layer.size()) {
        return new Check(
            FindingKind.SIZE_MISMATCH,
            "the file has " + size + " bytes, the layer row says " + layer.size(),
            0);
      }
      Optional<String> stampProblem = stampProblem(layer, file);
      if (stampProblem.isPresent()) {
        return new Check(FindingKind.STAMP_MISMATCH, stampProblem.get(), 0);
      }
      Optional<String> structureProblem = structureProblem(file);
      if (structureProblem.isPresent()) {
        return new Check(FindingKind.STRUCTURE_DAMAGED, structureProblem.get(), 0);
      }
      Checksum sha256 = sha256(file);
      if (!sha256.equals(layer.sha256())) {
        return new Check(
            FindingKind.SHA256_MISMATCH,
            "the file's SHA-256 is "
                + sha256.hex()
                + ", the layer row says "
                + layer.sha256().hex(),
            size);
      }
      return Check.ok(size);
    } catch (NoSuchFileException e) {
      return new Check(FindingKind.FILE_MISSING, "the file disappeared during the audit", 0);
    } catch (IOException e) {
      return new Check(FindingKind.UNREADABLE, "the file cannot be read: " + e.getMessage(), 0);
    }
  }

  /** What the upload check refuses, for a stored file: tables and clusters inside the file. */
  private static Optional<String> structureProblem(Path file) throws IOException {
    try {
      Qcow2Structure.check(file);
      return Optional.empty();
    } catch (Qcow2FormatException e) {
      return Optional.of(e.getMessage());
    }
  }

  private static Optional<String> stampProblem(StoredLayer layer, Path file) throws IOException {
    Qcow2Stamp stamp;
    try {
      stamp = Qcow2Editor.readStamp(file);
    } catch (Qcow2FormatException e) {
      return Optional.of("the stamp cannot be read: " + e.getMessage());
    }
    if (stamp.state() != StampState.STAMPED) {
      return Optional.of(
          "the file's stamp is "
              + stamp.state()
              + "; a published file carries the record at byte 3072 and the header extension");
    }
    StampRecord expected = new StampRecord(layer.checksum(), layer.version(), layer.depth());
    StampRecord actual = stamp.record().orElseThrow();
    if (!actual.equals(expected)) {
      return Optional.of(
          "the stamp says checksum "
              + actual.checksum().hex()
              + ", version "
              + actual.version()
              + ", depth "
              + actual.depth()
              + "; the layer row says "
              + layer.checksum().hex()
              + ", "
              + layer.version()
              + ", "
              + layer.depth());
    }
    return Optional.empty();
  }

  private Checksum sha256(Path file) throws IOException, InterruptedException {
    MessageDigest digest = newSha256();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      while (true) {
        buffer.clear();
        int read = channel.read(buffer);
        if (read < 0) {
          break;
        }
        digest.update(buffer.array(), 0, read);
        throttle.acquire(read);
        checkpoint.run();
      }
    }
    return Checksum.ofBytes(digest.digest());
  }

  private Finding finding(StoredLayer layer, FindingKind kind, String detail) {
    boolean quarantinable = kind != FindingKind.UNREADABLE;
    boolean quarantined = quarantinable && quarantine.quarantine(layer);
    String note = "";
    if (quarantinable && !quarantined) {
      note =
          switch (layer.state()) {
            case RETIRED -> " (retired: out of the chain, so not quarantined)";
            case QUARANTINED -> " (already quarantined)";
            case PUBLISHED -> " (retired during the audit, so not quarantined)";
          };
    }
    return new Finding(
        kind,
        layer.image().value(),
        layer.depth(),
        layer.checksum().hex(),
        relative(layer),
        detail + note,
        quarantined);
  }

  private Finding storageUnavailable(int missing, int total) {
    return new Finding(
        FindingKind.STORAGE_UNAVAILABLE,
        null,
        null,
        null,
        store.dataDir().relativize(store.imagesDir()).toString(),
        missing
            + " of "
            + total
            + " layer files are missing from "
            + store.imagesDir()
            + ": the storage is probably not mounted; the sweep stopped and quarantined nothing",
        false);
  }

  private Optional<Path> fileOf(StoredLayer layer) {
    try {
      return Optional.of(store.layerFile(layer.image(), layer.fileName()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private String relative(StoredLayer layer) {
    return fileOf(layer)
        .map(path -> store.dataDir().relativize(path).toString())
        .orElse(layer.fileName());
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
