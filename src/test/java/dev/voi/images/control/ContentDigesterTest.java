package dev.voi.images.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.chain.Checksum;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The digest worker's ring: exact digests, and arrays reused only once a digest has finished. */
class ContentDigesterTest {

  private static final int SIZE = 64 * 1024 + 7; // no other test's ring has this size
  private final ExecutorService executor = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  @Test
  void digestsExactlyWhatWasHandedOverWithArraysAPreviousUploadFilled() throws IOException {
    Random random = new Random(42);
    Set<byte[]> firstRing = Collections.newSetFromMap(new IdentityHashMap<>());
    for (int upload = 0; upload < 3; upload++) {
      byte[] content = new byte[5 * SIZE + random.nextInt(SIZE)];
      random.nextBytes(content);
      Set<byte[]> seen = Collections.newSetFromMap(new IdentityHashMap<>());
      Checksum checksum;
      try (ContentDigester digester = new ContentDigester(executor, 3, SIZE)) {
        for (int offset = 0; offset < content.length; ) {
          byte[] buffer = digester.take();
          seen.add(buffer);
          int n = Math.min(content.length - offset, 1 + random.nextInt(buffer.length));
          System.arraycopy(content, offset, buffer, 0, n);
          digester.digest(buffer, n);
          offset += n;
        }
        checksum = digester.finish();
      }
      assertThat(checksum).isEqualTo(Checksum.sha256(content));
      if (upload == 0) {
        firstRing.addAll(seen);
      } else {
        assertThat(seen).as("the next upload's ring is the first one's").isEqualTo(firstRing);
      }
    }
  }

  @Test
  void aRingClosedWithoutFinishingIsNotReused() throws IOException {
    List<byte[]> taken = new ArrayList<>();
    try (ContentDigester digester = new ContentDigester(executor, 2, SIZE + 1)) {
      taken.add(digester.take());
      digester.digest(taken.get(0), 10);
      taken.add(digester.take());
    } // a failed upload: the worker may still read a buffer
    byte[] next = RingBuffers.take(SIZE + 1);
    assertThat(taken).noneMatch(buffer -> buffer == next);
  }
}
