package dev.voi.agent;

import dev.voi.agent.ServerClient.FeedbackState;
import dev.voi.chain.ChecksumList;
import dev.voi.chain.Strategy;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code sync} run: report → answer → (download → verify → re-check the answer → apply) →
 * report again, until the server answers {@code STOP} (or {@code WAIT}).
 *
 * <p>The directory is never left unbootable: downloads go to {@code .staging/}; the chain in the
 * directory changes only after every new layer is verified and the server confirmed (304 to {@code
 * If-None-Match}) that the answer still holds; see {@link ImageDirectory} for the order of the
 * changes.
 */
final class Sync {

  /** Rounds of report and update before giving up on an answer that keeps changing. */
  static final int MAX_ROUNDS = 5;

  static final String LOCK_FILE = ".voi-agent.lock";

  /** What the user asked for beyond the update itself. */
  record Options(boolean flatten, String bootOverlay, Downloader.Settings download) {}

  private final ServerClient client;
  private final ImageDirectory directory;
  private final ChainReader reader;
  private final ChecksumList checksumList;
  private final Options options;
  private final Console console;
  private final Feedback feedback;

  Sync(
      ServerClient client,
      ImageDirectory directory,
      ChainReader reader,
      ChecksumList checksumList,
      Options options,
      Console console) {
    this.client = Objects.requireNonNull(client, "client");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.reader = Objects.requireNonNull(reader, "reader");
    this.checksumList = Objects.requireNonNull(checksumList, "checksumList");
    this.options = Objects.requireNonNull(options, "options");
    this.console = Objects.requireNonNull(console, "console");
    this.feedback = new Feedback(client, console);
  }

  /** Runs the sync; returns the exit code (0) or throws an {@link AgentException}. */
  int run() {
    Path dir = directory.directory();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw AgentException.localIo("cannot create " + dir + ": " + e.getMessage(), e);
    }
    try (FileChannel lockChannel =
        FileChannel.open(
            dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock = tryLock(lockChannel, dir);
      try {
        return runLocked();
      } finally {
        lock.release();
      }
    } catch (IOException e) {
      throw AgentException.localIo("cannot lock " + dir + ": " + e.getMessage(), e);
    }
  }

  private static FileLock tryLock(FileChannel channel, Path dir) throws IOException {
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      throw AgentException.localIo("another voi-agent is working in " + dir + "; try later", null);
    }
    return lock;
  }

  private int runLocked() {
    boolean updated = false;
    Answer.Tip appliedTip = null;
    Integer reportOnly = null;
    boolean reported = false;
    try {
      for (int round = 1; round <= MAX_ROUNDS; round++) {
        ChainReader.Held held = reader.read();
        held.warnings().forEach(console::warn);
        Manifest list =
            reportOnly == null ? held.chain() : ChainReader.truncate(held.chain(), reportOnly);
        boolean partial = reportOnly != null;
        reportOnly = null;
        console.info(
            held.summary()
                + (partial
                    ? "; reporting only the " + list.layers().size() + " layers below it"
                    : ""));
        Answer answer = client.report(checksumList.nodesFor(list.checksums()));
        reported = true;
        console.result("server: " + answer.summary());
        if (answer.strategy() == Strategy.WAIT) {
          console.result(
              answer.outsideWindow()
                  ? "waiting: outside the maintenance window; it opens at " + answer.windowOpensAt()
                  : "waiting: the server asks to poll again in "
                      + answer.pollAfterSeconds()
                      + " s");
          return Failure.OK;
        }
        if (answer.strategy() == Strategy.STOP && !partial) {
          finishUpToDate(held, updated);
          return Failure.OK;
        }
        if (updated && appliedTip != null && Objects.equals(answer.tip(), appliedTip)) {
          throw AgentException.server(
              "after applying the update the server still answers "
                  + answer.strategy()
                  + " ("
                  + answer.reason()
                  + ") instead of STOP");
        }
        if (answer.keep() > list.layers().size()) {
          throw AgentException.server(
              "the answer keeps "
                  + answer.keep()
                  + " layers but this terminal reported "
                  + list.layers().size());
        }
        Optional<Manifest.LayerFile> cut = cutInside(list, answer.keep());
        if (cut.isPresent()) {
          Manifest.LayerFile merged = cut.get();
          console.info(
              "the answer keeps "
                  + answer.keep()
                  + " layers, but "
                  + merged.name()
                  + " merges layers "
                  + merged.from()
                  + ".."
                  + merged.to()
                  + " and goes as a whole; asking again for everything above layer "
                  + (merged.from() - 1));
          reportOnly = merged.from();
          continue;
        }
        if (update(held, list, answer)) {
          updated = true;
          appliedTip = answer.tip();
        }
      }
      throw AgentException.server(
          "the server's answer kept changing for " + MAX_ROUNDS + " rounds; try again later");
    } catch (AgentException e) {
      if (reported) {
        feedback.send(FeedbackState.FAILED, 0, e.getMessage());
      }
      throw e;
    }
  }

  /** The file that covers layers on both sides of {@code keep}, if any. */
  static Optional<Manifest.LayerFile> cutInside(Manifest chain, int keep) {
    return chain.files().stream().filter(f -> f.from() < keep && keep <= f.to()).findFirst();
  }

  /**
   * Downloads, verifies and applies one answer.
   *
   * @return false when the answer changed before it could be applied (nothing was changed)
   */
  private boolean update(ChainReader.Held held, Manifest reported, Answer answer) {
    List<Answer.Download> downloads = answer.downloads();
    String what =
        downloads.size()
            + (downloads.size() == 1 ? " layer" : " layers")
            + " ("
            + Units.bytes(answer.totalBytes())
            + ")";
    List<Path> staged = new ArrayList<>();
    if (!downloads.isEmpty()) {
      feedback.send(FeedbackState.DOWNLOADING, 0, "downloading " + what);
      Downloader downloader =
          new Downloader(client, directory.staging(), options.download(), console);
      ProgressMeter meter =
          new ProgressMeter(
              console,
              System::nanoTime,
              answer.totalBytes(),
              percent -> feedback.downloading(percent, "downloading " + what));
      Manifest kept = ChainReader.truncate(reported, answer.keep());
      String below = kept.tip().map(Manifest.LayerFile::name).orElse(null);
      for (Answer.Download download : downloads) {
        Path file = downloader.fetch(download, meter);
        try {
          ImageDirectory.verifyLayer(file, download, below);
        } catch (AgentException e) {
          deleteQuietly(file);
          throw e;
        }
        staged.add(file);
        below = download.fileName();
      }
    }
    if (!client.answerStillHolds(answer)) {
      console.info(
          "the server's answer changed while downloading (a publish?); asking again"
              + (downloads.isEmpty() ? "" : " (verified downloads are kept for reuse)"));
      return false;
    }
    feedback.send(FeedbackState.APPLYING, 100, "applying " + what);
    Manifest applied = directory.apply(held, reported, answer, staged, options.bootOverlay());
    String tip =
        applied.layers().isEmpty()
            ? "no layers"
            : "tip depth "
                + (applied.layers().size() - 1)
                + " "
                + applied.layers().get(applied.layers().size() - 1).checksum().shortHex();
    console.result(
        "applied " + answer.strategy() + ": kept " + answer.keep() + ", " + what + "; " + tip);
    feedback.send(FeedbackState.DONE, 100, "applied " + answer.strategy() + ", " + tip);
    return true;
  }

  private void finishUpToDate(ChainReader.Held held, boolean updated) {
    try {
      Manifest chain = held.chain();
      if (!held.manifestPresent() && !chain.isEmpty()) {
        chain.write(directory.directory());
        console.info("wrote the manifest from the stamps of " + chain.files().size() + " files");
      }
      if (options.flatten()) {
        chain = directory.flatten(chain);
      }
      if (options.bootOverlay() != null) {
        directory.ensureBootOverlay(chain, options.bootOverlay());
      }
      if (Files.exists(Manifest.path(directory.directory()))) {
        directory.deleteObsolete(chain);
      }
      directory.clearStaging();
      console.result(updated ? "up to date after the update" : "up to date");
    } catch (IOException e) {
      throw AgentException.localIo(
          "cannot tidy " + directory.directory() + ": " + e.getMessage(), e);
    }
  }

  private void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      console.detail("cannot delete " + file + ": " + e.getMessage());
    }
  }
}
