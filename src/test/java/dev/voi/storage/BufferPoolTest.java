package dev.voi.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Reuse of kept buffers, the cap, and buffers that do not fit. */
class BufferPoolTest {

  @Test
  void keepsAtMostItsCapAndDropsWhatDoesNotFit() {
    BufferPool<byte[]> pool = new BufferPool<>(2);
    byte[] a = new byte[4];
    byte[] b = new byte[4];
    byte[] c = new byte[4];
    pool.give(a);
    pool.give(b);
    pool.give(c); // above the cap: left to the collector

    assertThat(pool.take(x -> x.length == 4, () -> new byte[4])).isSameAs(a);
    assertThat(pool.take(x -> x.length == 4, () -> new byte[4])).isSameAs(b);
    byte[] fresh = pool.take(x -> x.length == 4, () -> new byte[4]);
    assertThat(fresh).isNotSameAs(c).isNotSameAs(a).isNotSameAs(b);

    pool.give(a);
    byte[] other = pool.take(x -> x.length == 8, () -> new byte[8]);
    assertThat(other).hasSize(8);
    assertThat(pool.take(x -> x.length == 4, () -> new byte[4]))
        .as("a buffer that did not fit was dropped, not kept")
        .isNotSameAs(a);
  }
}
