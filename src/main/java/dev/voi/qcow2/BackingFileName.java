package dev.voi.qcow2;

import java.util.regex.Pattern;

/**
 * A backing file name the server may write: a bare file name ending in {@code .qcow2}, so that a
 * chain of files kept in one directory resolves wherever that directory is (docs/design.md §4). No
 * directory part, nothing absolute, no {@code json:} pseudo-protocol, no leading dot.
 */
public final class BackingFileName {

  /** The longest file name most file systems allow. */
  public static final int MAX_LENGTH = 255;

  private static final Pattern BARE = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*\\.qcow2");

  private BackingFileName() {}

  public static boolean isBare(String name) {
    return name != null && name.length() <= MAX_LENGTH && BARE.matcher(name).matches();
  }

  /**
   * Returns the name when it is bare.
   *
   * @throws IllegalArgumentException otherwise
   */
  public static String requireBare(String name) {
    if (!isBare(name)) {
      throw new IllegalArgumentException(
          "a backing file name must be a bare name like win10-lab-0001-3cd7d2fb.qcow2"
              + " (letters, digits, '.', '_', '-', ending in .qcow2, at most 255), got: "
              + name);
    }
    return name;
  }
}
