package dev.voi.agent;

import java.time.Duration;
import java.util.Locale;

/** Human-readable byte counts, rates and durations for progress and summaries. */
final class Units {

  private static final String[] PREFIXES = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

  private Units() {}

  /** {@code 0 B}, {@code 512 B}, {@code 1.5 KiB}, {@code 12.3 MiB}. */
  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double value = bytes;
    int prefix = 0;
    while (value >= 1024 && prefix < PREFIXES.length - 1) {
      value /= 1024;
      prefix++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, PREFIXES[prefix]);
  }

  /** A transfer rate in bytes per second: {@code 4.2 MiB/s}. */
  static String rate(double bytesPerSecond) {
    if (!(bytesPerSecond > 0) || Double.isInfinite(bytesPerSecond)) {
      return "-- B/s";
    }
    return bytes(Math.round(bytesPerSecond)) + "/s";
  }

  /** {@code 0:07}, {@code 12:30}, {@code 1:02:03}; {@code --:--} when unknown. */
  static String duration(Duration duration) {
    if (duration == null || duration.isNegative()) {
      return "--:--";
    }
    long seconds = duration.getSeconds();
    long hours = seconds / 3600;
    long minutes = (seconds % 3600) / 60;
    long rest = seconds % 60;
    return hours > 0
        ? String.format(Locale.ROOT, "%d:%02d:%02d", hours, minutes, rest)
        : String.format(Locale.ROOT, "%d:%02d", minutes, rest);
  }
}
