package dev.voi.chain.rollout;

/** Puts an operator's input into an error message: quoted, and shortened when it is long. */
final class Quoting {

  /** The most characters of an input a message repeats. */
  static final int MAX_SHOWN = 40;

  private Quoting() {}

  /** {@code "value"}, or its first {@value #MAX_SHOWN} characters and {@code ...} when longer. */
  static String quoted(String value) {
    if (value.length() <= MAX_SHOWN) {
      return '"' + value + '"';
    }
    return '"' + value.substring(0, MAX_SHOWN) + "...\" (" + value.length() + " characters)";
  }
}
