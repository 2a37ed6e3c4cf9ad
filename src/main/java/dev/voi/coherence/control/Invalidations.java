package dev.voi.coherence.control;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.BinaryOperator;
import java.util.function.Function;

/**
 * The one epoch that every in-memory cache about terminals and answers shares, and the cache that
 * uses it. The hazard it removes: a reader loads a value from the database, the value changes and
 * the cache is invalidated, and only then does the reader put its stale value into the cache, where
 * it would stay for good. A reader notes the epoch before it loads, puts, and takes its value out
 * again if the epoch moved meanwhile; an invalidation advances the epoch before it removes.
 * Whichever order the two interleave in, no stale value survives.
 */
@ApplicationScoped
public class Invalidations {

  private final AtomicLong epoch = new AtomicLong();

  /** The current epoch: note it before loading anything that may end up in a cache. */
  public long epoch() {
    return epoch.get();
  }

  /** Marks an invalidation; call before removing anything (through a method: beans are proxies). */
  public void advance() {
    epoch.incrementAndGet();
  }

  public <K, V> Cache<K, V> newCache() {
    return new Cache<>(this);
  }

  /** A concurrent map whose loads never outlive an invalidation that raced with them. */
  public static final class Cache<K, V> {

    private final Invalidations invalidations;
    private final ConcurrentHashMap<K, V> map = new ConcurrentHashMap<>();

    private Cache(Invalidations invalidations) {
      this.invalidations = invalidations;
    }

    public V get(K key) {
      return map.get(key);
    }

    /**
     * The cached value, or one loaded now (and cached unless an invalidation raced); null stays.
     */
    public V get(K key, Function<? super K, ? extends V> loader) {
      V value = map.get(key);
      if (value != null) {
        return value;
      }
      long before = invalidations.epoch();
      value = loader.apply(key);
      if (value != null) {
        offer(key, value, before);
      }
      return value;
    }

    /** Caches a value loaded after {@code epochBefore} was noted. */
    public void offer(K key, V value, long epochBefore) {
      offer(key, value, epochBefore, (old, offered) -> offered);
    }

    /**
     * Caches a value loaded after {@code epochBefore} was noted; {@code merge(old, offered)} picks
     * what stays when a value is already there.
     */
    public void offer(K key, V value, long epochBefore, BinaryOperator<V> merge) {
      V kept = map.merge(key, value, merge);
      if (kept == value && invalidations.epoch() != epochBefore) {
        map.remove(key, value);
      }
    }

    public void invalidate(K key) {
      invalidations.advance();
      map.remove(key);
    }

    public void invalidateIf(BiPredicate<? super K, ? super V> stale) {
      invalidations.advance();
      map.entrySet().removeIf(entry -> stale.test(entry.getKey(), entry.getValue()));
    }

    public void forEach(BiConsumer<? super K, ? super V> action) {
      map.forEach(action);
    }

    public int size() {
      return map.size();
    }
  }
}
