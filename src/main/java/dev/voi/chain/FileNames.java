package dev.voi.chain;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Layer file names: the canonical name a layer is stored, served and referenced as a backing file
 * under (docs/design.md §4), and the check that a name is a safe bare file name.
 */
public final class FileNames {

  /** Longest file name most file systems accept (NAME_MAX). */
  public static final int MAX_LENGTH = 255;

  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]+\\.qcow2");

  private FileNames() {}

  /**
   * {@code {image}-{depth as 4 digits}-{first 8 hex of checksum}.qcow2}, e.g. {@code
   * win10-lab-0001-3cd7d2fb.qcow2}. Depths above 9999 get more digits, so names stay distinct.
   */
  public static String canonical(String imageName, int depth, Checksum checksum) {
    ImageName.requireValid(imageName);
    if (depth < 0) {
      throw new IllegalArgumentException("depth must be non-negative, got " + depth);
    }
    Objects.requireNonNull(checksum, "checksum");
    return String.format("%s-%04d-%s.qcow2", imageName, depth, checksum.shortHex());
  }

  /**
   * True for a bare file name that is safe to join to a directory: {@code [A-Za-z0-9._-]+.qcow2},
   * so no {@code /}, not starting with {@code .} (hidden files, {@code ..}), at most 255
   * characters.
   */
  public static boolean isSafe(String name) {
    return name != null
        && name.length() <= MAX_LENGTH
        && !name.startsWith(".")
        && SAFE.matcher(name).matches();
  }

  /**
   * Returns {@code name} when {@link #isSafe} holds.
   *
   * @throws IllegalArgumentException otherwise
   */
  public static String requireSafe(String name) {
    if (!isSafe(name)) {
      throw new IllegalArgumentException(
          "file name: not a safe bare name of the form [A-Za-z0-9._-]+.qcow2, not starting with '.'");
    }
    return name;
  }
}
