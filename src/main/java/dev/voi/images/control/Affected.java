package dev.voi.images.control;

import java.util.Set;

/**
 * The groups whose terminals a change of an image may affect: every group, the groups named, or
 * every group but those named (a rollout's {@code "*"} wave).
 */
public record Affected(Set<String> groups, boolean allBut) {

  /** Every group. */
  public static final Affected ALL = new Affected(Set.of(), true);

  public Affected {
    groups = Set.copyOf(groups);
  }

  public static Affected only(Set<String> groups) {
    return new Affected(groups, false);
  }

  public static Affected allBut(Set<String> groups) {
    return new Affected(groups, true);
  }

  public boolean all() {
    return allBut && groups.isEmpty();
  }

  /** True when terminals of {@code group} may be affected. */
  public boolean includes(String group) {
    return allBut != groups.contains(group);
  }
}
