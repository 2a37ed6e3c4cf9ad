package dev.voi.chain.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RolloutPlanTest {

  static RolloutPlan plan(List<List<String>> waves) {
    return new RolloutPlan(waves, 0.9, 0.1, true);
  }

  // Waves.

  @Test
  void withoutStarTheUnnamedGroupsFormAnImplicitLastWave() {
    RolloutPlan plan = plan(List.of(List.of("canary"), List.of("lab", "office")));

    assertThat(plan.hasImplicitLastWave()).isTrue();
    assertThat(plan.waveCount()).isEqualTo(3);
    assertThat(plan.waveOf("canary")).isZero();
    assertThat(plan.waveOf("office")).isEqualTo(1);
    assertThat(plan.waveOf("hall")).isEqualTo(2);
    assertThat(plan.waveOf(GroupName.DEFAULT)).isEqualTo(2);
    assertThat(plan.groupsOf(1)).containsExactly("lab", "office");
    assertThat(plan.groupsOf(2)).containsExactly("*");
    assertThat(plan.namedGroups()).containsExactly("canary", "lab", "office");
  }

  @Test
  void starInTheLastWaveTakesTheUnnamedGroups() {
    RolloutPlan plan = plan(List.of(List.of("canary"), List.of("lab", "*")));

    assertThat(plan.hasImplicitLastWave()).isFalse();
    assertThat(plan.waveCount()).isEqualTo(2);
    assertThat(plan.waveOf("lab")).isEqualTo(1);
    assertThat(plan.waveOf("hall")).isEqualTo(1);
    assertThat(plan.waveOf("canary")).isZero();
    assertThat(plan.groupsOf(1)).containsExactly("lab", "*");
    assertThat(plan.namedGroups()).containsExactly("canary", "lab");
    assertThatThrownBy(() -> plan.groupsOf(2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("wave 2: the plan has waves 0 to 1");
  }

  @Test
  void aStarAloneIsOneWaveForEveryone() {
    RolloutPlan plan = plan(List.of(List.of("*")));

    assertThat(plan.waveCount()).isEqualTo(1);
    assertThat(plan.waveOf("anything")).isZero();
    assertThat(plan.namedGroups()).isEmpty();
  }

  @Test
  void copiesTheWaves() {
    List<String> wave = new ArrayList<>(List.of("lab"));
    List<List<String>> waves = new ArrayList<>(List.of(wave));
    RolloutPlan plan = plan(waves);
    wave.add("office");
    waves.add(List.of("hall"));

    assertThat(plan.waves()).containsExactly(List.of("lab"));
    assertThatThrownBy(() -> plan.waves().get(0).add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(plan).isEqualTo(new RolloutPlan(List.of(List.of("lab")), 0.9, 0.1, true));
  }

  // Validation.

  @Test
  void refusesBadWaves() {
    assertRefused(null, "waves: missing");
    assertRefused(List.of(), "waves: must hold 1 to 32 waves, got 0");
    assertRefused(Collections.nCopies(33, List.of("*")), "waves: must hold 1 to 32 waves, got 33");
    assertRefused(Arrays.asList(List.of("a"), null), "waves[1]: missing");
    assertRefused(List.of(List.of("a"), List.of()), "waves[1]: must name 1 to 256 groups, got 0");
    List<String> tooMany = new ArrayList<>();
    for (int i = 0; i < 257; i++) {
      tooMany.add("g" + i);
    }
    assertRefused(List.of(tooMany), "waves[0]: must name 1 to 256 groups, got 257");
    assertThat(plan(List.of(tooMany.subList(0, 256))).waveCount()).isEqualTo(2);
  }

  @Test
  void refusesBadGroupNames() {
    assertRefused(
        List.of(List.of("lab", "a b")),
        "waves[0][1]: \"a b\" is not a group name"
            + " (1 to 128 characters of A-Z a-z 0-9 . _ -, not starting with '.')");
    assertRefused(
        List.of(List.of(".hidden")),
        "waves[0][0]: \".hidden\" is not a group name"
            + " (1 to 128 characters of A-Z a-z 0-9 . _ -, not starting with '.')");
    assertRefused(
        List.of(List.of("")),
        "waves[0][0]: \"\" is not a group name"
            + " (1 to 128 characters of A-Z a-z 0-9 . _ -, not starting with '.')");
    assertRefused(List.of(Arrays.asList("lab", null)), "waves[0][1]: missing");
    assertRefused(
        List.of(List.of("a".repeat(129))),
        "waves[0][0]: \""
            + "a".repeat(40)
            + "...\" (129 characters) is not a group name"
            + " (1 to 128 characters of A-Z a-z 0-9 . _ -, not starting with '.')");
  }

  @Test
  void refusesStarBeforeTheLastWave() {
    assertRefused(
        List.of(List.of("lab", "*"), List.of("office")),
        "waves[0][1]: \"*\" (every other group) may only stand in the last wave");
  }

  @Test
  void refusesAGroupTwice() {
    assertRefused(
        List.of(List.of("lab"), List.of("office", "lab")),
        "waves[1][1]: \"lab\" is already in waves[0]");
    assertRefused(List.of(List.of("lab", "lab")), "waves[0][1]: \"lab\" is already in waves[0]");
    assertRefused(List.of(List.of("*", "*")), "waves[0][1]: \"*\" is already in waves[0]");
  }

  @ParameterizedTest
  @CsvSource({
    "-0.1, 0.1, 'successThreshold: must be from 0 to 1, got -0.1'",
    "1.01, 0.1, 'successThreshold: must be from 0 to 1, got 1.01'",
    "NaN, 0.1, 'successThreshold: must be from 0 to 1, got NaN'",
    "0.9, Infinity, 'errorThreshold: must be from 0 to 1, got Infinity'",
    "0.9, -0.0001, 'errorThreshold: must be from 0 to 1, got -1.0E-4'",
  })
  void refusesThresholdsOutsideZeroToOne(double success, double error, String message) {
    assertThatThrownBy(() -> new RolloutPlan(List.of(List.of("*")), success, error, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void acceptsTheThresholdsBounds() {
    assertThat(new RolloutPlan(List.of(List.of("*")), 0, 1, false).successThreshold()).isZero();
    assertThat(new RolloutPlan(List.of(List.of("*")), 1, 0, false).errorThreshold()).isZero();
  }

  static void assertRefused(List<List<String>> waves, String message) {
    assertThatThrownBy(() -> plan(waves))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  // Thresholds.

  @Test
  void completeAtTheSuccessThresholdExactly() {
    RolloutPlan plan = plan(List.of(List.of("*")));

    assertThat(plan.isComplete(10, 9)).isTrue();
    assertThat(plan.isComplete(10, 8)).isFalse();
    assertThat(plan.isComplete(10, 10)).isTrue();
    assertThat(plan.isComplete(0, 0)).isTrue();
    assertThat(plan.isComplete(1, 0)).isFalse();
    // 0.9 × 11 = 9.9: 10 are needed.
    assertThat(plan.isComplete(11, 9)).isFalse();
    assertThat(plan.isComplete(11, 10)).isTrue();
  }

  @Test
  void decimalThresholdsAreNotRoundedUpByDoubles() {
    // 0.07 * 100 is 7.000000000000001 in doubles; 0.57 * 100 is 56.99999999999999.
    assertThat(new RolloutPlan(List.of(List.of("*")), 0.07, 0.57, false).isComplete(100, 7))
        .isTrue();
    assertThat(new RolloutPlan(List.of(List.of("*")), 0.07, 0.57, false).exceedsErrors(100, 57))
        .isFalse();
    assertThat(new RolloutPlan(List.of(List.of("*")), 0.07, 0.57, false).exceedsErrors(100, 58))
        .isTrue();
  }

  @Test
  void exceedsErrorsOnlyAboveTheErrorThreshold() {
    RolloutPlan plan = plan(List.of(List.of("*")));

    assertThat(plan.exceedsErrors(10, 1)).isFalse();
    assertThat(plan.exceedsErrors(10, 2)).isTrue();
    assertThat(plan.exceedsErrors(0, 0)).isFalse();
    assertThat(plan.exceedsErrors(0, 5)).isFalse();
    assertThat(plan.exceedsErrors(1, 1)).isTrue();
    assertThat(new RolloutPlan(List.of(List.of("*")), 1, 1, false).exceedsErrors(10, 10)).isFalse();
    assertThat(new RolloutPlan(List.of(List.of("*")), 1, 0, false).exceedsErrors(10, 1)).isTrue();
  }

  @Test
  void refusesNegativeCounts() {
    RolloutPlan plan = plan(List.of(List.of("*")));

    assertThatThrownBy(() -> plan.isComplete(-1, 0))
        .hasMessage("counted must not be negative, got -1");
    assertThatThrownBy(() -> plan.exceedsErrors(1, -1))
        .hasMessage("failed must not be negative, got -1");
  }

  @Test
  void groupNamesFollowTheImageNameRule() {
    assertThat(GroupName.isValid("lab-1.a_B")).isTrue();
    assertThat(GroupName.isValid("*")).isFalse();
    assertThat(GroupName.isValid(null)).isFalse();
    assertThat(GroupName.isValid(GroupName.DEFAULT)).isTrue();
    assertThat(GroupName.require("lab", "group")).isEqualTo("lab");
    assertThatThrownBy(() -> GroupName.require(null, "group")).hasMessage("group: missing");
  }
}
