package dev.voi.metrics.control;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The values of one gauge family whose series come and go with the data (terminals per image,
 * strategy and reason): each refresh sets every series at once from a set-based count. A series the
 * count no longer names drops to 0 while {@code stillExists} holds for it (a reason nobody has any
 * more), and goes away when it does not (an image that was deleted), so that a scraper sees a count
 * fall to 0 rather than a series vanish while its subject still exists.
 *
 * @param <K> a series' identity (its tags)
 */
public final class GaugeTable<K> {

  /** What a refresh changed in the set of series: register the first, remove the second. */
  public record Change<K>(List<K> added, List<K> removed) {}

  private final Map<K, AtomicLong> values = new ConcurrentHashMap<>();

  /**
   * Sets every series to its new count.
   *
   * @param counts the current count per series; series not named count 0
   * @param stillExists whether a series not named keeps existing at 0
   */
  public Change<K> refresh(Map<K, Long> counts, Predicate<K> stillExists) {
    List<K> added = new ArrayList<>();
    List<K> removed = new ArrayList<>();
    counts.forEach(
        (key, count) -> {
          AtomicLong value = values.get(key);
          if (value == null) {
            values.put(key, new AtomicLong(count));
            added.add(key);
          } else {
            value.set(count);
          }
        });
    for (K key : List.copyOf(values.keySet())) {
      if (!counts.containsKey(key)) {
        if (stillExists.test(key)) {
          values.get(key).set(0);
        } else {
          values.remove(key);
          removed.add(key);
        }
      }
    }
    return new Change<>(List.copyOf(added), List.copyOf(removed));
  }

  /** The value a gauge of series {@code key} reads: 0 once the series is gone. */
  public long value(K key) {
    AtomicLong value = values.get(key);
    return value == null ? 0 : value.get();
  }

  public Set<K> series() {
    return Set.copyOf(values.keySet());
  }
}
