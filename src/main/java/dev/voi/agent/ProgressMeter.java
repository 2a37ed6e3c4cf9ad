package dev.voi.agent;

import java.time.Duration;
import java.util.Locale;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * Shows download progress: on a terminal a bar redrawn in place (bytes, rate, ETA), otherwise plain
 * lines (for logs) with bytes, rate and time left, at most one every 5 s and only when at least 1 %
 * more is done: on a 40 GB layer a line per 400 MB at most, on a slow link one per 5 s at most.
 * Also tells a listener the overall percentage, which the agent sends to the server as {@code
 * DOWNLOADING} feedback.
 */
final class ProgressMeter {

  private static final long REDRAW_NANOS = 200_000_000L;

  /** Without a terminal: at most one line in this time… */
  static final long LINE_NANOS = 5_000_000_000L;

  private static final int BAR_WIDTH = 24;

  private final Console console;
  private final LongSupplier nanoTime;
  private final long overallTotal;
  private final IntConsumer overallPercent;

  private long overallDone;
  private int lastOverallPercent = -1;

  private String name;
  private long size;
  private long done;
  private long transferredThisRun;
  private long fileStart;
  private long lastDraw;

  /** …and only when the percentage grew since the last line. */
  private int lastLinePercent;

  ProgressMeter(
      Console console, LongSupplier nanoTime, long overallTotal, IntConsumer overallPercent) {
    this.console = console;
    this.nanoTime = nanoTime;
    this.overallTotal = overallTotal;
    this.overallPercent = overallPercent;
  }

  /** A file starts; {@code alreadyHave} bytes of it are on disk from an earlier run. */
  void beginFile(String fileName, long fileSize, long alreadyHave) {
    this.name = fileName;
    this.size = fileSize;
    this.done = alreadyHave;
    this.transferredThisRun = 0;
    this.fileStart = nanoTime.getAsLong();
    this.lastDraw = fileStart;
    this.lastLinePercent = percent(alreadyHave, fileSize);
    overallDone += alreadyHave;
    if (!console.isTerminal()) {
      console.info(
          "downloading "
              + fileName
              + " ("
              + Units.bytes(fileSize)
              + (alreadyHave > 0 ? ", resuming at " + Units.bytes(alreadyHave) : "")
              + ")");
    }
    draw(true);
    notifyOverall();
  }

  /**
   * A file already downloaded and verified in the staging folder by an earlier run: counted as
   * done, shown as one line, not as a download.
   */
  void alreadyComplete(String fileName, long fileSize) {
    overallDone += fileSize;
    console.info(
        fileName + ": already downloaded and verified (" + Units.bytes(fileSize) + "), reused");
    notifyOverall();
  }

  /** The bytes on disk went back to {@code have} (the server sent the whole file again). */
  void rewind(long have) {
    overallDone -= done - have;
    done = have;
    lastLinePercent = percent(have, size);
  }

  void advance(long count) {
    done += count;
    transferredThisRun += count;
    overallDone += count;
    long now = nanoTime.getAsLong();
    if (console.isTerminal()) {
      if (now - lastDraw >= REDRAW_NANOS) {
        lastDraw = now;
        draw(false);
      }
    } else {
      int percent = percent(done, size);
      if (percent > lastLinePercent && now - lastDraw >= LINE_NANOS) {
        lastLinePercent = percent;
        lastDraw = now;
        draw(false);
      }
    }
    notifyOverall();
  }

  /** The file is complete (or failed: {@code complete} false). */
  void endFile(boolean complete) {
    long elapsed = nanoTime.getAsLong() - fileStart;
    if (console.isTerminal()) {
      draw(true);
      console.err().println();
      console.err().flush();
    }
    if (complete) {
      console.info(
          name
              + ": "
              + Units.bytes(size)
              + (transferredThisRun < size
                  ? " (" + Units.bytes(transferredThisRun) + " transferred)"
                  : "")
              + " in "
              + Units.duration(Duration.ofNanos(elapsed))
              + " ("
              + Units.rate(rate(elapsed))
              + ")");
    }
  }

  private void draw(boolean force) {
    long elapsed = nanoTime.getAsLong() - fileStart;
    double rate = rate(elapsed);
    Duration eta = rate > 0 ? Duration.ofSeconds((long) Math.ceil((size - done) / rate)) : null;
    int percent = percent(done, size);
    if (console.isTerminal()) {
      int filled = (int) (BAR_WIDTH * (size == 0 ? 1.0 : (double) done / size));
      String bar = "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled);
      console
          .err()
          .print(
              String.format(
                  Locale.ROOT,
                  "\r[%s] %3d%%  %s / %s  %s  ETA %s  %s\u001b[K",
                  bar,
                  percent,
                  Units.bytes(done),
                  Units.bytes(size),
                  Units.rate(rate),
                  Units.duration(eta),
                  name));
      console.err().flush();
    } else if (!force) {
      console.info(
          String.format(
              Locale.ROOT,
              "%s: %d%% (%s of %s, %s, %s left)",
              name,
              percent,
              Units.bytes(done),
              Units.bytes(size),
              Units.rate(rate),
              Units.duration(eta)));
    }
  }

  private double rate(long elapsedNanos) {
    return elapsedNanos <= 0 ? 0 : transferredThisRun / (elapsedNanos / 1e9);
  }

  private void notifyOverall() {
    int percent = percent(overallDone, overallTotal);
    if (percent != lastOverallPercent) {
      lastOverallPercent = percent;
      overallPercent.accept(percent);
    }
  }

  static int percent(long part, long whole) {
    if (whole <= 0) {
      return 100;
    }
    return (int) Math.max(0, Math.min(100, part * 100 / whole));
  }
}
