package dev.voi.overview.entity;

/**
 * How one image's assigned terminals stand, by the reason of their current answer: the fleet
 * overview's row (docs/design.md §13).
 */
public record ImageHealth(
    String image,
    long terminals,
    long upToDate,
    long oneBehind,
    long behind,
    long diverged,
    long broken,
    long empty,
    long waiting,
    long ahead,
    long unreported,
    long bytesToMove,
    boolean rolloutPlan) {

  /** An image with no terminal assigned. */
  public static ImageHealth none(String image) {
    return new ImageHealth(image, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false);
  }

  /**
   * This row with {@code count} more terminals of one strategy and reason ({@code null} both: not
   * reported yet) and their bytes to download. A {@code WAIT} counts as waiting whatever its
   * reason: such a terminal moves nothing until a layer is released or its window opens.
   */
  public ImageHealth plus(String strategy, String reason, long count, long bytes) {
    long[] c = {upToDate, oneBehind, behind, diverged, broken, empty, waiting, ahead, unreported};
    c[slot(strategy, reason)] += count;
    return new ImageHealth(
        image,
        terminals + count,
        c[0],
        c[1],
        c[2],
        c[3],
        c[4],
        c[5],
        c[6],
        c[7],
        c[8],
        bytesToMove + bytes,
        rolloutPlan);
  }

  /** This row of an image that has a rollout plan. */
  public ImageHealth withPlan() {
    return new ImageHealth(
        image,
        terminals,
        upToDate,
        oneBehind,
        behind,
        diverged,
        broken,
        empty,
        waiting,
        ahead,
        unreported,
        bytesToMove,
        true);
  }

  private static int slot(String strategy, String reason) {
    if (strategy == null) {
      return 8;
    }
    if (strategy.equals("WAIT")) {
      return 6;
    }
    return switch (reason) {
      case "UP_TO_DATE" -> 0;
      case "ONE_BEHIND" -> 1;
      case "BEHIND" -> 2;
      case "DIVERGED" -> 3;
      case "BROKEN_CHAIN" -> 4;
      case "NO_LOCAL_CHAIN" -> 5;
      case "AHEAD" -> 7;
      default -> throw new IllegalStateException("a reason this overview does not know: " + reason);
    };
  }
}
