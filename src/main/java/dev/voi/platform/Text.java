package dev.voi.platform;

import java.sql.SQLException;

/**
 * Rules for the free text a caller may store (a layer's note, a terminal's feedback detail): its
 * length counts characters as a person does (code points, so an emoji is one), and it holds no
 * control character but tab and line breaks — PostgreSQL refuses NUL in text, and a control
 * character in a log or a console is a trap either way.
 */
public final class Text {

  private Text() {}

  /**
   * {@code value} unchanged when it is acceptable free text of at most {@code max} characters.
   *
   * @throws Refused BAD_REQUEST naming {@code field} otherwise
   */
  public static String requireFreeText(String field, String value, int max) {
    if (value == null) {
      return null;
    }
    int length = value.codePointCount(0, value.length());
    if (length > max) {
      throw ProblemType.BAD_REQUEST.refuse(
          field + " is limited to " + max + " characters, got " + length);
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') {
        throw ProblemType.BAD_REQUEST.refuse(
            field
                + " holds the control character U+"
                + String.format("%04X", (int) c)
                + " at index "
                + i);
      }
      if (Character.isSurrogate(c)
          && !(Character.isHighSurrogate(c)
              && i + 1 < value.length()
              && Character.isLowSurrogate(value.charAt(i + 1)))
          && !(Character.isLowSurrogate(c)
              && i > 0
              && Character.isHighSurrogate(value.charAt(i - 1)))) {
        throw ProblemType.BAD_REQUEST.refuse(field + " holds a lone surrogate at index " + i);
      }
    }
    return value;
  }

  /**
   * True when {@code failure} comes from a unique constraint (SQL state 23505 on PostgreSQL and
   * H2): a row another transaction inserted first. Any other database failure is not a race.
   */
  public static boolean isUniqueViolation(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }
}
