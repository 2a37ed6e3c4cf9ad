package dev.voi.chain.rollout;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a new layer reaches an image's terminals: in waves of terminal groups, one after the other.
 * Wave 0 gets a layer when it is published; a later wave gets it when the wave before it is
 * complete (automatically under {@code autoAdvance}, otherwise when an operator says so).
 *
 * <p>{@link #EVERY_OTHER_GROUP} ({@code *}) names every group that no wave names; it may only stand
 * in the last wave, beside other names or alone. When no wave holds it, the groups that no wave
 * names form an implicit wave after the last one, so every group is in exactly one wave.
 *
 * <p>A threshold is taken as the decimal it prints as ({@link Double#toString}), and compared with
 * the counts exactly: 0.9 of 10 terminals is 9, and 0.07 of 100 is 7, not the 7.000000000000001
 * that doubles make of it.
 *
 * @param waves the groups of each wave, in order: 1 to {@value #MAX_WAVES} waves of 1 to {@value
 *     #MAX_GROUPS_PER_WAVE} group names (see {@link GroupName}) or {@code *}; no group twice
 * @param successThreshold the share of a wave's counted terminals that must be up to date for the
 *     wave to be complete, 0 to 1
 * @param errorThreshold the share of a wave's counted terminals that may fail before the rollout
 *     stops, 0 to 1
 * @param autoAdvance whether the next wave starts by itself when a wave is complete
 */
public record RolloutPlan(
    List<List<String>> waves, double successThreshold, double errorThreshold, boolean autoAdvance) {

  /** In the last wave, every group that no wave names. */
  public static final String EVERY_OTHER_GROUP = "*";

  /** The most waves a plan may have, not counting the implicit last wave. */
  public static final int MAX_WAVES = 32;

  /** The most groups one wave may name. */
  public static final int MAX_GROUPS_PER_WAVE = 256;

  /**
   * @throws IllegalArgumentException saying what is wrong, e.g. {@code waves[1][0]: "lab" is
   *     already in waves[0]}
   */
  public RolloutPlan {
    if (waves == null) {
      throw new IllegalArgumentException("waves: missing");
    }
    if (waves.isEmpty() || waves.size() > MAX_WAVES) {
      throw new IllegalArgumentException(
          "waves: must hold 1 to " + MAX_WAVES + " waves, got " + waves.size());
    }
    List<List<String>> copy = new ArrayList<>(waves.size());
    Map<String, Integer> waveByGroup = new HashMap<>();
    for (int w = 0; w < waves.size(); w++) {
      copy.add(requireWave(waves.get(w), w, w == waves.size() - 1, waveByGroup));
    }
    waves = List.copyOf(copy);
    requireShare("successThreshold", successThreshold);
    requireShare("errorThreshold", errorThreshold);
  }

  private static List<String> requireWave(
      List<String> wave, int w, boolean last, Map<String, Integer> waveByGroup) {
    String where = "waves[" + w + "]";
    if (wave == null) {
      throw new IllegalArgumentException(where + ": missing");
    }
    if (wave.isEmpty() || wave.size() > MAX_GROUPS_PER_WAVE) {
      throw new IllegalArgumentException(
          where + ": must name 1 to " + MAX_GROUPS_PER_WAVE + " groups, got " + wave.size());
    }
    for (int g = 0; g < wave.size(); g++) {
      String group = wave.get(g);
      String at = where + "[" + g + "]";
      if (EVERY_OTHER_GROUP.equals(group)) {
        if (!last) {
          throw new IllegalArgumentException(
              at + ": \"*\" (every other group) may only stand in the last wave");
        }
      } else {
        GroupName.require(group, at);
      }
      Integer earlier = waveByGroup.putIfAbsent(group, w);
      if (earlier != null) {
        throw new IllegalArgumentException(
            at + ": " + Quoting.quoted(group) + " is already in waves[" + earlier + "]");
      }
    }
    return List.copyOf(wave);
  }

  private static void requireShare(String name, double share) {
    if (!(share >= 0 && share <= 1)) {
      throw new IllegalArgumentException(name + ": must be from 0 to 1, got " + share);
    }
  }

  /** The number of waves: those listed, and the implicit last wave when there is one. */
  public int waveCount() {
    return hasImplicitLastWave() ? waves.size() + 1 : waves.size();
  }

  /** True when no wave holds {@code *}, so the groups no wave names form a wave after the last. */
  public boolean hasImplicitLastWave() {
    return !waves.get(waves.size() - 1).contains(EVERY_OTHER_GROUP);
  }

  /**
   * The wave {@code group} is in: the wave naming it, otherwise the last wave when it holds {@code
   * *}, otherwise the implicit last wave ({@code waves().size()}).
   */
  public int waveOf(String group) {
    if (group == null) {
      throw new IllegalArgumentException("group: missing");
    }
    for (int w = 0; w < waves.size(); w++) {
      if (waves.get(w).contains(group)) {
        return w;
      }
    }
    // Not named: the last wave holds "*" or there is an implicit wave after it.
    return hasImplicitLastWave() ? waves.size() : waves.size() - 1;
  }

  /**
   * The groups wave {@code wave} names, as listed; {@code [*]} for the implicit last wave.
   *
   * @throws IllegalArgumentException when there is no such wave
   */
  public List<String> groupsOf(int wave) {
    if (wave < 0 || wave >= waveCount()) {
      throw new IllegalArgumentException(
          "wave " + wave + ": the plan has waves 0 to " + (waveCount() - 1));
    }
    return wave == waves.size() ? List.of(EVERY_OTHER_GROUP) : waves.get(wave);
  }

  /** Every group a wave names, in the order of the waves; without {@code *}. */
  public Set<String> namedGroups() {
    Set<String> named = new LinkedHashSet<>();
    for (List<String> wave : waves) {
      for (String group : wave) {
        if (!EVERY_OTHER_GROUP.equals(group)) {
          named.add(group);
        }
      }
    }
    return Collections.unmodifiableSet(named);
  }

  /**
   * True when a wave of {@code counted} terminals, {@code upToDate} of them up to date, is
   * complete: when it has no terminals, or upToDate ≥ successThreshold × counted, exactly.
   *
   * @throws IllegalArgumentException when a count is negative
   */
  public boolean isComplete(long counted, long upToDate) {
    requireCount("counted", counted);
    requireCount("upToDate", upToDate);
    return counted == 0 || compareWithShare(upToDate, successThreshold, counted) >= 0;
  }

  /**
   * True when more of a wave's {@code counted} terminals failed than it tolerates: counted > 0 and
   * failed > errorThreshold × counted, exactly.
   *
   * @throws IllegalArgumentException when a count is negative
   */
  public boolean exceedsErrors(long counted, long failed) {
    requireCount("counted", counted);
    requireCount("failed", failed);
    return counted > 0 && compareWithShare(failed, errorThreshold, counted) > 0;
  }

  /** Compares {@code count} with {@code share} × {@code of}, the share read as its decimal. */
  private static int compareWithShare(long count, double share, long of) {
    BigDecimal limit = BigDecimal.valueOf(share).multiply(BigDecimal.valueOf(of));
    return BigDecimal.valueOf(count).compareTo(limit);
  }

  private static void requireCount(String name, long count) {
    if (count < 0) {
      throw new IllegalArgumentException(name + " must not be negative, got " + count);
    }
  }
}
