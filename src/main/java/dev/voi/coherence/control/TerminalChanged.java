package dev.voi.coherence.control;

/**
 * Fired inside the transaction that changed a terminal; observed after it commits, to drop what the
 * caches hold about the terminal.
 */
public record TerminalChanged(long terminalId, Kind kind) {

  /** What changed. */
  public enum Kind {
    /** The token was rotated: the old one stops working. */
    TOKEN,
    /** An image was assigned or unassigned. */
    ASSIGNMENTS,
    /** The terminal moved to another group (docs/design.md §11). */
    GROUP,
    /** The terminal is gone. */
    DELETED
  }
}
