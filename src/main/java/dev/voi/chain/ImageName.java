package dev.voi.chain;

/**
 * The name of an image (docs/design.md §2): 1 to 128 characters of {@code [A-Za-z0-9._-]}, not
 * starting with {@code .}. It goes into check info, file names and URLs, so the rule is checked in
 * one place.
 */
public record ImageName(String value) {

  public static final int MAX_LENGTH = 128;

  public ImageName {
    String problem = problemWith(value);
    if (problem != null) {
      throw new IllegalArgumentException("image name: " + problem);
    }
  }

  /** Validates and wraps {@code value}. */
  public static ImageName of(String value) {
    return new ImageName(value);
  }

  /** True when {@code value} is a valid image name. */
  public static boolean isValid(String value) {
    return problemWith(value) == null;
  }

  /**
   * Returns {@code value} unchanged when it is a valid image name.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static String requireValid(String value) {
    return new ImageName(value).value();
  }

  private static String problemWith(String value) {
    if (value == null) {
      return "missing";
    }
    if (value.isEmpty() || value.length() > MAX_LENGTH) {
      return "must be 1 to " + MAX_LENGTH + " characters, got " + value.length();
    }
    if (value.charAt(0) == '.') {
      return "must not start with '.'";
    }
    for (int i = 0; i < value.length(); i++) {
      if (!isAllowed(value.charAt(i))) {
        return "character at index " + i + " is not one of A-Z a-z 0-9 . _ -";
      }
    }
    return null;
  }

  private static boolean isAllowed(char c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == '-';
  }

  @Override
  public String toString() {
    return value;
  }
}
