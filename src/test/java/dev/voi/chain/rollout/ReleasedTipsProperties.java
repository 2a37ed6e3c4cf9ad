package dev.voi.chain.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * {@link ReleasedTips} under generated sequences of what happens to an image: diffs and new bases
 * published, the tip retired, waves advanced, the plan resized. A model lineage gives every layer
 * an ID in publishing order and remembers its parent, so "older" is a smaller ID.
 */
@PropertyDefaults(edgeCases = EdgeCasesMode.NONE)
class ReleasedTipsProperties {

  /** What happens next. */
  sealed interface Op {}

  record PublishDiff() implements Op {}

  record PublishBase() implements Op {}

  record RetireTip() implements Op {}

  /** Advances wave {@code pick % (count − 1) + 1}. */
  record Advance(int pick) implements Op {}

  record AdvanceNextPending() implements Op {}

  record Resize(int waveCount) implements Op {}

  /** The image's layers: IDs 0, 1, … in publishing order, each with its parent or −1. */
  static final class Model {
    final List<Long> parents = new ArrayList<>();
    final Set<Long> retired = new HashSet<>();
    long tip;

    Model() {
      tip = publish(-1);
    }

    long publish(long parent) {
      parents.add(parent);
      return parents.size() - 1;
    }

    long parent(long layer) {
      return parents.get((int) layer);
    }

    long root(long layer) {
      while (parent(layer) >= 0) {
        layer = parent(layer);
      }
      return layer;
    }

    boolean isAncestorOrSelf(long ancestor, long layer) {
      for (long at = layer; at >= 0; at = parent(at)) {
        if (at == ancestor) {
          return true;
        }
      }
      return false;
    }

    /** {@code after} descends from {@code before} or is in a newer lineage. */
    boolean isForward(long before, long after) {
      return isAncestorOrSelf(before, after) || root(after) > root(before);
    }
  }

  @Property(tries = 500)
  void theInvariantsHoldAfterEveryStep(
      @ForAll @IntRange(min = 1, max = 6) int waveCount, @ForAll("operations") List<Op> ops) {
    Model model = new Model();
    ReleasedTips tips = ReleasedTips.allAt(waveCount, model.tip);
    checkInvariants(model, tips);

    for (Op op : ops) {
      ReleasedTips before = tips;
      boolean backwardsAllowed = false;
      if (op instanceof PublishDiff) {
        model.tip = model.publish(model.tip);
        tips = tips.published(model.tip);
      } else if (op instanceof PublishBase) {
        model.tip = model.publish(-1);
        tips = tips.published(model.tip);
      } else if (op instanceof RetireTip) {
        long parent = model.parent(model.tip);
        if (parent < 0) {
          continue; // a base cannot be retired
        }
        model.retired.add(model.tip);
        tips = tips.retired(model.tip, parent);
        model.tip = parent;
        backwardsAllowed = true;
      } else if (op instanceof Advance advance) {
        if (tips.count() < 2) {
          continue;
        }
        int wave = advance.pick() % (tips.count() - 1) + 1;
        tips = tips.advanced(wave);
        assertThat(tips.of(wave)).isEqualTo(before.of(wave - 1));
      } else if (op instanceof AdvanceNextPending) {
        int wave = tips.nextPending();
        if (wave < 0) {
          assertThat(tips.rolling()).isFalse();
          continue;
        }
        tips = tips.advanced(wave);
      } else if (op instanceof Resize resize) {
        tips = tips.resized(resize.waveCount());
      }
      Statistics.label("op").collect(op.getClass().getSimpleName());
      checkInvariants(model, tips);
      checkMovement(model, before, tips, backwardsAllowed);
    }
    catchUp(model, tips);
  }

  static void checkInvariants(Model model, ReleasedTips tips) {
    // (1) R_0 is the image's tip.
    assertThat(tips.of(0)).isEqualTo(model.tip);
    long root = model.root(model.tip);
    for (int w = 0; w < tips.count(); w++) {
      long released = tips.of(w);
      // (2) An ancestor of R_0, or in an older lineage; never a retired layer.
      assertThat(model.isAncestorOrSelf(released, model.tip) || model.root(released) < root)
          .as("R_%d = %d with R_0 = %d", w, released, model.tip)
          .isTrue();
      assertThat(model.retired).as("retired layers").doesNotContain(released);
      // (3) No wave is newer than the wave before it.
      if (w > 0) {
        assertThat(released).as("R_%d", w).isLessThanOrEqualTo(tips.of(w - 1));
      }
    }
    // nextPending and rolling say the same.
    int pending = tips.nextPending();
    assertThat(tips.rolling()).isEqualTo(pending >= 0);
    for (int w = 1; w < (pending < 0 ? tips.count() : pending); w++) {
      assertThat(tips.of(w)).isEqualTo(tips.of(0));
    }
    if (pending >= 0) {
      assertThat(tips.of(pending)).isNotEqualTo(tips.of(pending - 1));
    }
  }

  /** (4) Only retiring moves a wave to an older layer; a resize keeps the waves it keeps. */
  static void checkMovement(
      Model model, ReleasedTips before, ReleasedTips after, boolean backwardsAllowed) {
    for (int w = 0; w < Math.min(before.count(), after.count()); w++) {
      long from = before.of(w);
      long to = after.of(w);
      if (backwardsAllowed) {
        assertThat(to == from || to == model.parent(from)).isTrue();
      } else {
        assertThat(model.isForward(from, to)).as("R_%d from %d to %d", w, from, to).isTrue();
      }
    }
  }

  /** Advancing the pending wave over and over releases R_0 to every wave in count − 1 steps. */
  static void catchUp(Model model, ReleasedTips tips) {
    for (int step = 1; step < tips.count() && tips.rolling(); step++) {
      tips = tips.advanced(tips.nextPending());
    }
    assertThat(tips.rolling()).isFalse();
    assertThat(tips).isEqualTo(ReleasedTips.allAt(tips.count(), model.tip));
  }

  @Provide
  Arbitrary<List<Op>> operations() {
    Arbitrary<Op> op =
        Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.just(new PublishDiff())),
            Tuple.of(1, Arbitraries.just(new PublishBase())),
            Tuple.of(2, Arbitraries.just(new RetireTip())),
            Tuple.of(4, Arbitraries.integers().between(0, 100).map(Advance::new)),
            Tuple.of(3, Arbitraries.just(new AdvanceNextPending())),
            Tuple.of(1, Arbitraries.integers().between(1, 6).map(Resize::new)));
    return op.list().ofMaxSize(60);
  }

  // Examples.

  @Example
  void advancingCopiesTheWaveBefore() {
    ReleasedTips tips = ReleasedTips.allAt(3, 1).published(2).published(3);

    assertThat(tips.asList()).containsExactly(3L, 1L, 1L);
    assertThat(tips.nextPending()).isEqualTo(1);
    assertThat(tips.advanced(1).asList()).containsExactly(3L, 3L, 1L);
    assertThat(tips.advanced(1).nextPending()).isEqualTo(2);
    assertThat(tips.advanced(2).asList()).containsExactly(3L, 1L, 1L);
    assertThat(tips.advanced(1).advanced(2)).isEqualTo(ReleasedTips.of(3, 3, 3));
    assertThat(ReleasedTips.of(3, 3, 3).nextPending()).isEqualTo(-1);
    assertThat(ReleasedTips.of(3, 3, 3).rolling()).isFalse();
    assertThat(ReleasedTips.of(3, 3, 2).nextPending()).isEqualTo(2);
  }

  @Example
  void retiringMovesEveryWaveOnTheLayerToItsParent() {
    assertThat(ReleasedTips.of(5, 5, 3).retired(5, 4)).isEqualTo(ReleasedTips.of(4, 4, 3));
    assertThat(ReleasedTips.of(5, 5, 3).retired(7, 6)).isEqualTo(ReleasedTips.of(5, 5, 3));
  }

  @Example
  void resizingKeepsTheFirstWavesAndExtendsTheLast() {
    ReleasedTips tips = ReleasedTips.of(6, 4, 3);

    assertThat(tips.resized(5)).isEqualTo(ReleasedTips.of(6, 4, 3, 3, 3));
    assertThat(tips.resized(2)).isEqualTo(ReleasedTips.of(6, 4));
    assertThat(tips.resized(1)).isEqualTo(ReleasedTips.of(6L));
    assertThat(tips.resized(3)).isEqualTo(tips);
  }

  @Example
  void refusesWhatIsNotThere() {
    ReleasedTips tips = ReleasedTips.of(6, 4, 3);

    assertThatThrownBy(() -> tips.advanced(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("wave 0: only waves 1 to 2 can advance");
    assertThatThrownBy(() -> tips.advanced(3)).hasMessage("wave 3: only waves 1 to 2 can advance");
    assertThatThrownBy(() -> tips.of(3)).hasMessage("wave 3: there are waves 0 to 2");
    assertThatThrownBy(() -> tips.resized(0)).hasMessage("waveCount must be at least 1, got 0");
    assertThatThrownBy(() -> ReleasedTips.allAt(0, 1))
        .hasMessage("waveCount must be at least 1, got 0");
    assertThatThrownBy(() -> ReleasedTips.of()).hasMessage("released tips: need at least one wave");
  }

  @Example
  void isAValue() {
    long[] array = {6, 4};
    ReleasedTips tips = ReleasedTips.of(array);
    array[0] = 9;

    assertThat(tips).isEqualTo(ReleasedTips.of(6, 4)).hasSameHashCodeAs(ReleasedTips.of(6, 4));
    assertThat(tips).isNotEqualTo(ReleasedTips.of(6, 4, 4));
    assertThat(tips).hasToString("ReleasedTips[6, 4]");
    assertThat(tips.count()).isEqualTo(2);
    assertThatThrownBy(() -> tips.asList().set(0, 1L))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
