package dev.voi.chain.rollout;

import dev.voi.chain.ImageName;

/**
 * The name of a terminal group in a {@link RolloutPlan}: the same rule as an image name ({@link
 * ImageName}, 1 to 128 characters of {@code [A-Za-z0-9._-]}, not starting with {@code .}), checked
 * by {@link ImageName#isValid} so that the two cannot drift apart. A terminal that belongs to no
 * group is in {@link #DEFAULT}.
 */
public final class GroupName {

  /** The group of a terminal that was put in no group. */
  public static final String DEFAULT = "default";

  private GroupName() {}

  /** True when {@code name} is a valid group name. */
  public static boolean isValid(String name) {
    return ImageName.isValid(name);
  }

  /**
   * Returns {@code name} unchanged when it is a valid group name.
   *
   * @param where what the name is, the prefix of the message, e.g. {@code waves[0][2]}
   * @throws IllegalArgumentException saying where and what is wrong, e.g. {@code waves[0][2]: "a b"
   *     is not a group name (1 to 128 characters of A-Z a-z 0-9 . _ -, not starting with '.')}
   */
  public static String require(String name, String where) {
    if (name == null) {
      throw new IllegalArgumentException(where + ": missing");
    }
    if (!isValid(name)) {
      throw new IllegalArgumentException(
          where
              + ": "
              + Quoting.quoted(name)
              + " is not a group name (1 to "
              + ImageName.MAX_LENGTH
              + " characters of A-Z a-z 0-9 . _ -, not starting with '.')");
    }
    return name;
  }
}
