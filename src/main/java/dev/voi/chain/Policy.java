package dev.voi.chain;

/** How an image's terminals catch up (docs/design.md §6). */
public enum Policy {
  /** The patent's rules: more than one layer behind means a full update. The default. */
  PATENT("patent"),
  /** Our extension: a terminal on a verified prefix downloads only what it lacks. */
  CATCH_UP("catch-up");

  private final String wireName;

  Policy(String wireName) {
    this.wireName = wireName;
  }

  /** The name in JSON and configuration: {@code patent} or {@code catch-up}. */
  public String wireName() {
    return wireName;
  }

  /**
   * The policy with this wire name.
   *
   * @throws IllegalArgumentException for anything else (the wire names are exact, lowercase)
   */
  public static Policy ofWireName(String wireName) {
    for (Policy policy : values()) {
      if (policy.wireName.equals(wireName)) {
        return policy;
      }
    }
    throw new IllegalArgumentException(
        "policy: expected \"patent\" or \"catch-up\", got "
            + (wireName == null ? "nothing" : "\"" + wireName + "\""));
  }
}
