package dev.voi.chain;

/** Why the {@link StrategyDecider} chose its strategy (docs/design.md §6). */
public enum Reason {
  /** The terminal holds exactly the server's chain. */
  UP_TO_DATE,
  /** The terminal holds a verified prefix one layer short of the server's chain. */
  ONE_BEHIND,
  /** The terminal holds a verified prefix more than one layer short of the server's chain. */
  BEHIND,
  /** The terminal's layer at {@code divergedAt} is not the server's. */
  DIVERGED,
  /** The terminal holds the server's whole chain plus layers the server has retired. */
  AHEAD,
  /** The terminal's list does not link up; {@code divergedAt} is the first bad node. */
  BROKEN_CHAIN,
  /** The terminal holds no layer of the image. */
  NO_LOCAL_CHAIN,
  /** A layer the answer would download is quarantined. */
  LAYER_QUARANTINED,
  /**
   * The answer would download layers while the terminal's group is outside every maintenance window
   * (docs/design.md §11); never for {@link #NO_LOCAL_CHAIN} or {@link #BROKEN_CHAIN}.
   */
  OUTSIDE_WINDOW
}
