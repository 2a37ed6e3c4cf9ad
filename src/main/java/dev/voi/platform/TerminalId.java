package dev.voi.platform;

/**
 * A terminal's id (docs/design.md §5): a positive number, parsed once where a request names it and
 * passed as this type from there on. Prints as the bare number, as URLs and messages show it.
 */
public record TerminalId(long value) {

  public TerminalId {
    if (value < 1) {
      throw new IllegalArgumentException("a terminal id is a positive number, got " + value);
    }
  }

  /**
   * The id that {@code text} spells in decimal.
   *
   * @throws IllegalArgumentException when it is not a positive number
   */
  public static TerminalId parse(String text) {
    try {
      return new TerminalId(Long.parseLong(text));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("a terminal id is a positive number, got " + text, e);
    }
  }

  @Override
  public String toString() {
    return Long.toString(value);
  }
}
