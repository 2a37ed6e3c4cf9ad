package dev.voi.chain.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** {@link RolloutPlan}'s arithmetic and wave lookup over generated thresholds and plans. */
@PropertyDefaults(edgeCases = EdgeCasesMode.NONE)
class RolloutPlanProperties {

  @Property
  void percentThresholdsCompareExactly(
      @ForAll @IntRange(max = 100) int successPercent,
      @ForAll @IntRange(max = 100) int errorPercent,
      @ForAll @LongRange(max = 1_000_000) long counted,
      @ForAll @LongRange(max = 1_000_000) long other) {
    long part = counted == 0 ? 0 : other % (counted + 1);
    RolloutPlan plan =
        new RolloutPlan(List.of(List.of("*")), successPercent / 100.0, errorPercent / 100.0, true);

    assertThat(plan.isComplete(counted, part))
        .isEqualTo(counted == 0 || 100 * part >= successPercent * counted);
    assertThat(plan.exceedsErrors(counted, part))
        .isEqualTo(counted > 0 && 100 * part > errorPercent * counted);
  }

  @Property
  void everyGroupIsInTheWaveThatListsItOrStandsForIt(
      @ForAll("plans") RolloutPlan plan, @ForAll("groups") String group) {
    int wave = plan.waveOf(group);

    assertThat(wave).isBetween(0, plan.waveCount() - 1);
    List<String> groups = plan.groupsOf(wave);
    if (plan.namedGroups().contains(group)) {
      assertThat(groups).contains(group);
    } else {
      assertThat(groups).contains(RolloutPlan.EVERY_OTHER_GROUP);
      assertThat(wave).isEqualTo(plan.waveCount() - 1);
    }
    assertThat(plan.waveCount())
        .isEqualTo(plan.waves().size() + (plan.hasImplicitLastWave() ? 1 : 0));
  }

  @Provide
  Arbitrary<String> groups() {
    return Arbitraries.of("a", "b", "c", "d", "e", "f", "g", "h", GroupName.DEFAULT);
  }

  @Provide
  Arbitrary<RolloutPlan> plans() {
    return groups()
        .list()
        .uniqueElements()
        .ofMinSize(1)
        .ofMaxSize(8)
        .flatMap(
            names ->
                Arbitraries.integers()
                    .between(1, names.size())
                    .flatMap(
                        waveCount ->
                            Arbitraries.of(true, false).map(star -> plan(names, waveCount, star))));
  }

  /** {@code names} split into {@code waveCount} waves, {@code *} added to the last if asked. */
  static RolloutPlan plan(List<String> names, int waveCount, boolean star) {
    List<List<String>> waves = new ArrayList<>();
    for (int w = 0; w < waveCount; w++) {
      waves.add(new ArrayList<>());
    }
    for (int i = 0; i < names.size(); i++) {
      waves.get(Math.min(i, waveCount - 1)).add(names.get(i));
    }
    if (star) {
      waves.get(waveCount - 1).add(RolloutPlan.EVERY_OTHER_GROUP);
    }
    return new RolloutPlan(waves, 1, 0, false);
  }
}
