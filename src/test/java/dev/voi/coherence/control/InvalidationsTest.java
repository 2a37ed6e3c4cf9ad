package dev.voi.coherence.control;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InvalidationsTest {

  final Invalidations invalidations = new Invalidations();
  final Invalidations.Cache<String, String> cache = invalidations.newCache();

  @Test
  void loadsOnceAndKeeps() {
    assertThat(cache.get("k", key -> "v1")).isEqualTo("v1");
    assertThat(cache.get("k", key -> "v2")).isEqualTo("v1");
  }

  @Test
  void nullIsNotKept() {
    assertThat(cache.get("k", key -> null)).isNull();
    assertThat(cache.get("k", key -> "v")).isEqualTo("v");
  }

  @Test
  void aLoadThatRacedWithAnInvalidationIsNotKept() {
    // The loader read the database before the change committed; the change's invalidation ran
    // while the loader was still on its way back.
    String loaded =
        cache.get(
            "k",
            key -> {
              cache.invalidate("k");
              return "stale";
            });
    assertThat(loaded).isEqualTo("stale");
    assertThat(cache.get("k")).as("the stale value did not survive").isNull();
  }

  @Test
  void anInvalidationOfAnotherCacheAlsoVoidsTheLoad() {
    Invalidations.Cache<String, String> other = invalidations.newCache();
    long before = invalidations.epoch();
    other.invalidateIf((key, value) -> true);
    cache.offer("k", "v", before);
    assertThat(cache.get("k")).isNull();
  }

  @Test
  void theMergeKeepsTheNewerOfTwoOffers() {
    Invalidations.Cache<String, Long> versions = invalidations.newCache();
    long epoch = invalidations.epoch();
    versions.offer("k", 7L, epoch, Math::max);
    versions.offer("k", 5L, epoch, Math::max);
    assertThat(versions.get("k")).isEqualTo(7L);
  }

  @Test
  void invalidateIfRemovesOnlyMatchingEntries() {
    long epoch = invalidations.epoch();
    cache.offer("a1", "x", epoch);
    cache.offer("b1", "y", epoch);
    cache.invalidateIf((key, value) -> key.startsWith("a"));
    assertThat(cache.get("a1")).isNull();
    assertThat(cache.get("b1")).isEqualTo("y");
  }
}
