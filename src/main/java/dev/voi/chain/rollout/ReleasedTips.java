package dev.voi.chain.rollout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * How far each wave of a rollout has been released: R_w, the layer (by ID) that is the tip of the
 * chain the terminals of wave w are sent to. R_0 follows the image's tip; a later wave catches up
 * with the wave before it when it is advanced. While a rollout runs, R_w is an ancestor of R_{w−1}
 * or in an older lineage (before a new base), never newer.
 *
 * <p>Immutable; equal when the tips are. Every change returns a new instance.
 */
public final class ReleasedTips {

  private final long[] tips;

  private ReleasedTips(long[] tips) {
    this.tips = tips;
  }

  /**
   * Every one of {@code waveCount} waves released up to {@code tip}: nothing is rolling.
   *
   * @throws IllegalArgumentException when {@code waveCount} is less than 1
   */
  public static ReleasedTips allAt(int waveCount, long tip) {
    requireWaveCount(waveCount);
    long[] tips = new long[waveCount];
    Arrays.fill(tips, tip);
    return new ReleasedTips(tips);
  }

  /**
   * The tips of waves 0, 1, …; write {@code of(5L)} for one wave, since {@code of(5)} means the
   * instance method {@link #of(int)}.
   *
   * @throws IllegalArgumentException when there are none
   */
  public static ReleasedTips of(long... tips) {
    if (tips == null || tips.length == 0) {
      throw new IllegalArgumentException("released tips: need at least one wave");
    }
    return new ReleasedTips(tips.clone());
  }

  /**
   * R_{wave}.
   *
   * @throws IllegalArgumentException when there is no such wave
   */
  public long of(int wave) {
    requireWave(wave);
    return tips[wave];
  }

  /** The number of waves, at least 1. */
  public int count() {
    return tips.length;
  }

  /** R_0, R_1, … as an unmodifiable list. */
  public List<Long> asList() {
    List<Long> list = new ArrayList<>(tips.length);
    for (long tip : tips) {
      list.add(tip);
    }
    return Collections.unmodifiableList(list);
  }

  /**
   * After {@code newTip} is published (a diff on the tip or a new base): R_0 = newTip, the other
   * waves keep theirs.
   */
  public ReleasedTips published(long newTip) {
    long[] next = tips.clone();
    next[0] = newTip;
    return new ReleasedTips(next);
  }

  /**
   * After wave {@code wave} is advanced: R_wave = R_{wave−1}.
   *
   * @throws IllegalArgumentException unless 1 ≤ wave < count()
   */
  public ReleasedTips advanced(int wave) {
    if (wave < 1 || wave >= tips.length) {
      throw new IllegalArgumentException(
          "wave " + wave + ": only waves 1 to " + (tips.length - 1) + " can advance");
    }
    long[] next = tips.clone();
    next[wave] = tips[wave - 1];
    return new ReleasedTips(next);
  }

  /**
   * The wave to advance next: the smallest w ≥ 1 with R_w ≠ R_{w−1}, or −1 when every wave has R_0.
   */
  public int nextPending() {
    for (int w = 1; w < tips.length; w++) {
      if (tips[w] != tips[w - 1]) {
        return w;
      }
    }
    return -1;
  }

  /** True when some wave is not at R_0 yet. */
  public boolean rolling() {
    return nextPending() >= 0;
  }

  /** After {@code layer} is retired: every wave at {@code layer} goes back to {@code parent}. */
  public ReleasedTips retired(long layer, long parent) {
    long[] next = tips.clone();
    for (int w = 0; w < next.length; w++) {
      if (next[w] == layer) {
        next[w] = parent;
      }
    }
    return new ReleasedTips(next);
  }

  /**
   * For a plan with {@code waveCount} waves replacing the current one: wave i keeps its tip where i
   * < count(), and the new waves take the tip of the current last wave.
   *
   * @throws IllegalArgumentException when {@code waveCount} is less than 1
   */
  public ReleasedTips resized(int waveCount) {
    requireWaveCount(waveCount);
    long[] next = Arrays.copyOf(tips, waveCount);
    if (waveCount > tips.length) {
      Arrays.fill(next, tips.length, waveCount, tips[tips.length - 1]);
    }
    return new ReleasedTips(next);
  }

  private void requireWave(int wave) {
    if (wave < 0 || wave >= tips.length) {
      throw new IllegalArgumentException(
          "wave " + wave + ": there are waves 0 to " + (tips.length - 1));
    }
  }

  private static void requireWaveCount(int waveCount) {
    if (waveCount < 1) {
      throw new IllegalArgumentException("waveCount must be at least 1, got " + waveCount);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ReleasedTips that && Arrays.equals(tips, that.tips);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(tips);
  }

  @Override
  public String toString() {
    return "ReleasedTips" + Arrays.toString(tips);
  }
}
