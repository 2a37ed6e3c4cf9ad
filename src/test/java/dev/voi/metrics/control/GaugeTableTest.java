package dev.voi.metrics.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GaugeTableTest {

  private final GaugeTable<String> table = new GaugeTable<>();

  @Test
  void theFirstRefreshAddsEverySeriesWithItsCount() {
    GaugeTable.Change<String> change = table.refresh(Map.of("a", 3L, "b", 5L), key -> true);

    assertThat(change.added()).containsExactlyInAnyOrder("a", "b");
    assertThat(change.removed()).isEmpty();
    assertThat(table.value("a")).isEqualTo(3);
    assertThat(table.value("b")).isEqualTo(5);
  }

  @Test
  void aKnownSeriesIsSetInPlaceAndNotAddedAgain() {
    table.refresh(Map.of("a", 3L), key -> true);

    GaugeTable.Change<String> change = table.refresh(Map.of("a", 7L), key -> true);

    assertThat(change.added()).isEmpty();
    assertThat(change.removed()).isEmpty();
    assertThat(table.value("a")).isEqualTo(7);
  }

  @Test
  void aSeriesNoLongerCountedFallsToZeroWhileItsSubjectExists() {
    table.refresh(Map.of("a", 3L, "b", 5L), key -> true);

    GaugeTable.Change<String> change = table.refresh(Map.of("b", 6L), key -> true);

    assertThat(change.removed()).isEmpty();
    assertThat(table.series()).containsExactlyInAnyOrder("a", "b");
    assertThat(table.value("a")).isZero();
    assertThat(table.value("b")).isEqualTo(6);
  }

  @Test
  void aSeriesWhoseSubjectIsGoneIsRemoved() {
    table.refresh(Map.of("a", 3L, "b", 5L), key -> true);
    Set<String> existing = Set.of("b");

    GaugeTable.Change<String> change = table.refresh(Map.of("b", 5L), existing::contains);

    assertThat(change.removed()).containsExactly("a");
    assertThat(table.series()).containsExactly("b");
    assertThat(table.value("a")).isZero();
  }

  @Test
  void aRemovedSeriesThatComesBackIsAddedAgain() {
    table.refresh(Map.of("a", 3L), key -> true);
    table.refresh(Map.of(), key -> false);

    GaugeTable.Change<String> change = table.refresh(Map.of("a", 1L), key -> true);

    assertThat(change.added()).containsExactly("a");
    assertThat(table.value("a")).isEqualTo(1);
  }
}
