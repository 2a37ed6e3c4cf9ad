package dev.voi.cli;

import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of one phase over a known number of bytes (hashing FILE, uploading it). On a terminal: a
 * bar redrawn in place with bytes, rate and time left. Otherwise (logs, cron): one line when at
 * least 5 s and at least 1 % have passed since the last line, and a last line at the end.
 */
final class Progress {

  static final long REDRAW_NANOS = 200_000_000L;
  static final long LINE_NANOS = 5_000_000_000L;
  private static final int BAR_WIDTH = 24;

  private final Console console;
  private final LongSupplier nanoTime;
  private final String phase;
  private final long total;
  private final long start;
  private final boolean quiet;

  private long done;
  private long lastDraw;
  private long lastLineBytes;

  /**
   * @param quiet no output at all (e.g. {@code --json} wants nothing on stderr but errors)
   */
  Progress(Console console, LongSupplier nanoTime, String phase, long total, boolean quiet) {
    this.console = console;
    this.nanoTime = nanoTime;
    this.phase = phase;
    this.total = total;
    this.quiet = quiet;
    this.start = nanoTime.getAsLong();
    this.lastDraw = start;
  }

  /** Called from the thread that moves the bytes. */
  void advance(long count) {
    done += count;
    if (quiet) {
      return;
    }
    long now = nanoTime.getAsLong();
    if (console.isTerminal()) {
      if (now - lastDraw >= REDRAW_NANOS) {
        lastDraw = now;
        drawBar(now);
      }
    } else if (now - lastDraw >= LINE_NANOS && (done - lastLineBytes) * 100 >= total) {
      lastDraw = now;
      lastLineBytes = done;
      console.info(line(now));
    }
  }

  long done() {
    return done;
  }

  /** Seconds since the phase started. */
  double seconds() {
    return (nanoTime.getAsLong() - start) / 1e9;
  }

  /** The phase ended (completely or not). */
  void finish() {
    if (quiet) {
      return;
    }
    long now = nanoTime.getAsLong();
    if (console.isTerminal()) {
      drawBar(now);
      console.err().println();
      console.err().flush();
    } else {
      console.info(line(now));
    }
  }

  String line(long now) {
    double rate = rate(now);
    return String.format(
        Locale.ROOT,
        "%s: %d%% (%s of %s, %s, %s left)",
        phase,
        percent(),
        bytes(done),
        bytes(total),
        rate(rate),
        eta(rate));
  }

  private void drawBar(long now) {
    double rate = rate(now);
    int filled = (int) (BAR_WIDTH * (total == 0 ? 1.0 : (double) done / total));
    String bar = "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled);
    console
        .err()
        .print(
            String.format(
                Locale.ROOT,
                "\r%-9s [%s] %3d%%  %s / %s  %s  %s left\u001b[K",
                phase,
                bar,
                percent(),
                bytes(done),
                bytes(total),
                rate(rate),
                eta(rate)));
    console.err().flush();
  }

  private double rate(long now) {
    long elapsed = now - start;
    return elapsed <= 0 ? 0 : done / (elapsed / 1e9);
  }

  private String eta(double rate) {
    if (done >= total) {
      return "0 s";
    }
    if (rate <= 0) {
      return "?";
    }
    return duration((total - done) / rate);
  }

  private int percent() {
    return total <= 0 ? 100 : (int) Math.max(0, Math.min(100, done * 100 / total));
  }

  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  static String rate(double bytesPerSecond) {
    return bytes((long) bytesPerSecond) + "/s";
  }

  static String duration(double seconds) {
    long s = (long) Math.ceil(seconds);
    if (s < 60) {
      return s + " s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%d h %02d min", s / 3600, s / 60 % 60);
  }
}
