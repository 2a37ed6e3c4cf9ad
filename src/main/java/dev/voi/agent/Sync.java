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
import java.time.Duration;
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

  /**
   * What the user asked for beyond the update itself.
   *
   * @param init accept a missing DIR (created) or one without a manifest (adopted from the stamps)
   * @param leaveOverlay accept that the recorded boot overlay stays on an old chain
   */
  record Options(
      boolean flatten,
      String bootOverlay,
      Downloader.Settings download,
      boolean init,
      boolean leaveOverlay) {

    /** Without {@code --init} or {@code --leave-overlay}. */
    Options(boolean flatten, String bootOverlay, Downloader.Settings download) {
      this(flatten, bootOverlay, download, false, false);
    }

    Options withInit() {
      return new Options(flatten, bootOverlay, download, true, leaveOverlay);
    }
  }

  /** How long an interrupted run waits for the server to take its FAILED feedback. */
  static final Duration INTERRUPTED_FEEDBACK_LIMIT = Duration.ofSeconds(2);

  private final ServerClient client;
  private final ImageDirectory directory;
  private final ChainReader reader;
  private final ChecksumList checksumList;
  private final Options options;
  private final Console console;
  private final Feedback feedback;
  private volatile boolean done;
  private volatile boolean reportedToServer;
  private volatile String phase = "reading DIR";

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
    if (ImageDirectory.requireRecognised(dir, "sync", options.init())
        == ImageDirectory.Kind.MISSING) {
      try {
        Files.createDirectories(dir);
        console.info("created " + dir + " (--init)");
      } catch (IOException e) {
        throw AgentException.localIo("cannot create " + dir + ": " + e.getMessage(), e);
      }
    }
    try (FileChannel lockChannel =
        FileChannel.open(
            dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock = tryLock(lockChannel, dir);
      Thread onSignal = new Thread(this::interrupted, "voi-agent-interrupted");
      boolean hooked = addShutdownHook(onSignal);
      try {
        return runLocked();
      } finally {
        done = true;
        if (hooked) {
          removeShutdownHook(onSignal);
        }
        lock.release();
      }
    } catch (IOException e) {
      throw AgentException.localIo("cannot lock " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * The shutdown hook of a running sync: the JVM runs it on SIGINT and SIGTERM (a normal end
   * removes it first). It tells the server the run was interrupted, when the server answers within
   * {@link #INTERRUPTED_FEEDBACK_LIMIT}, prints one line and ends the process with {@link
   * Failure#INTERRUPTED}. The partial download stays in the staging folder and is resumed.
   */
  private void interrupted() {
    if (done) {
      return;
    }
    feedback.close();
    String line = "interrupted (" + phase + ")";
    boolean told =
        reportedToServer
            && client.feedbackWithin(
                FeedbackState.FAILED,
                0,
                "interrupted (SIGINT/SIGTERM) while " + phase,
                INTERRUPTED_FEEDBACK_LIMIT);
    console
        .err()
        .println(
            "voi-agent: "
                + line
                + "; DIR is unchanged unless the update was already applied, a partial download"
                + " is resumed by the next sync"
                + (reportedToServer
                    ? told ? "; the server was told" : "; the server could not be told"
                    : ""));
    console.err().flush();
    Runtime.getRuntime().halt(Failure.INTERRUPTED);
  }

  private static boolean addShutdownHook(Thread hook) {
    try {
      Runtime.getRuntime().addShutdownHook(hook);
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  private static void removeShutdownHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // shutting down already: the hook decides
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
    AgentException lastVerificationFailure = null;
    boolean damageReported = false;
    try {
      for (int round = 1; round <= MAX_ROUNDS; round++) {
        phase = "reading DIR";
        ChainReader.Held held = reader.read();
        held.warnings().forEach(console::warn);
        if (held.reverified().isPresent()) {
          writeManifest(held.reverified().get());
        }
        Manifest list =
            reportOnly == null ? held.chain() : ChainReader.truncate(held.chain(), reportOnly);
        boolean partial = reportOnly != null;
        reportOnly = null;
        console.info(
            held.summary()
                + (partial
                    ? "; reporting only the " + list.layers().size() + " layers below it"
                    : ""));
        phase = "reporting";
        Answer answer = client.report(checksumList.nodesFor(list.checksums()));
        reported = true;
        reportedToServer = true;
        console.result("server: " + answer.summary());
        if (!held.damage().isEmpty() && !damageReported) {
          damageReported = true;
          feedback.send(
              FeedbackState.FAILED,
              0,
              "damaged layer file: "
                  + String.join("; ", held.damage())
                  + "; not reported as held, the server's answer repairs it");
        }
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
        try {
          if (update(held, list, answer)) {
            updated = true;
            appliedTip = answer.tip();
          }
        } catch (AgentException e) {
          if (e.failure() != Failure.VERIFICATION) {
            throw e;
          }
          lastVerificationFailure = e;
          if (round < MAX_ROUNDS) {
            console.warn(
                e.getMessage()
                    + "; fetching it again in round "
                    + (round + 1)
                    + " of "
                    + MAX_ROUNDS);
          }
        }
      }
      if (lastVerificationFailure != null) {
        throw new AgentException(
            Failure.VERIFICATION,
            lastVerificationFailure.getMessage()
                + " (the last of "
                + MAX_ROUNDS
                + " rounds; DIR is unchanged)",
            lastVerificationFailure);
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
      phase = "downloading " + what;
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
    if (options.bootOverlay() != null) {
      try {
        directory.requireNotInUse(options.bootOverlay());
      } catch (IOException e) {
        throw AgentException.localIo(
            "cannot check the boot overlay " + options.bootOverlay() + ": " + e.getMessage(), e);
      } catch (AgentException e) {
        throw new AgentException(
            e.failure(),
            e.getMessage()
                + (staged.isEmpty() ? "" : " (the verified downloads are kept in .staging)"));
      }
    }
    phase = "applying " + what;
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
    phase = "tidying DIR";
    try {
      Manifest chain = held.chain();
      if (!held.manifestPresent() && !chain.isEmpty()) {
        chain = ChainReader.withIntegrity(directory.directory(), chain);
        chain.write(directory.directory());
        console.info("wrote the manifest from the stamps of " + chain.files().size() + " files");
      }
      Optional<String> stale =
          options.bootOverlay() == null ? directory.overlayOnOldChain(chain) : Optional.empty();
      if (stale.isEmpty()) {
        directory.deletePreviousOverlay(
            options.bootOverlay() != null ? options.bootOverlay() : chain.bootOverlay());
      }
      if (options.flatten()) {
        chain = directory.flatten(chain);
      }
      String overlay = options.bootOverlay();
      if (overlay != null) {
        directory.ensureBootOverlay(chain, overlay);
        if (!chain.isEmpty() && !overlay.equals(chain.bootOverlay())) {
          chain = chain.withBootOverlay(overlay);
          chain.write(directory.directory());
        }
      }
      if (Files.exists(Manifest.path(directory.directory()))) {
        directory.deleteObsolete(chain);
      }
      directory.clearStaging();
      if (stale.isPresent()) {
        String message =
            "the boot overlay "
                + chain.bootOverlay()
                + " still sits on "
                + stale.get()
                + ", not on the tip "
                + chain.tip().orElseThrow().name()
                + ": the terminal boots the old image";
        if (!options.leaveOverlay()) {
          throw new AgentException(
              Failure.STALE_OVERLAY,
              message
                  + "; run sync --boot-overlay "
                  + chain.bootOverlay()
                  + " to put it on the tip (what the guest wrote into it is discarded), or add"
                  + " --leave-overlay to keep it");
        }
        console.warn(message + " (left as it is: --leave-overlay)");
      }
      console.result(updated ? "up to date after the update" : "up to date");
    } catch (IOException e) {
      throw AgentException.localIo(
          "cannot tidy " + directory.directory() + ": " + e.getMessage(), e);
    }
  }

  private void writeManifest(Manifest manifest) {
    try {
      manifest.write(directory.directory());
      console.detail("manifest: verification records renewed");
    } catch (IOException e) {
      throw AgentException.localIo(
          "cannot write the manifest in " + directory.directory() + ": " + e.getMessage(), e);
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
