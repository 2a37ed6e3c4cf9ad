package dev.voi.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.voi.chain.Checksum;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Large-file writes and digests that bypass the page cache: the bytes on disk and the SHA-256 must
 * be exactly those of the plain path, at every length around the block and staging sizes, with
 * random chunk sizes, in both modes. The buffered half always runs; the direct half only where
 * O_DIRECT works. Runs under {@code target/} (a disk file system, where O_DIRECT works on this
 * project's machines), not in a tmpfs.
 */
class StreamingFileWriterTest {

  private static final int MIB = 1024 * 1024;
  private final ExecutorService executor = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  static IntStream lengths() {
    return IntStream.of(
        0,
        1,
        511,
        4095,
        4096,
        4097,
        4 * MIB - 1,
        4 * MIB,
        4 * MIB + 1,
        8 * MIB + 4096,
        9 * MIB + 123,
        17 * MIB + 5);
  }

  @ParameterizedTest
  @MethodSource("lengths")
  void bufferedWritesAndDigestsExactlyTheBytesGiven(int length) throws IOException {
    writesAndDigestsExactlyTheBytesGiven(length, false);
  }

  @ParameterizedTest
  @MethodSource("lengths")
  void directWritesAndDigestsExactlyTheBytesGiven(int length) throws IOException {
    writesAndDigestsExactlyTheBytesGiven(length, true);
  }

  private void writesAndDigestsExactlyTheBytesGiven(int length, boolean direct) throws IOException {
    byte[] content = new byte[length];
    new Random(length).nextBytes(content);
    Checksum expected = Checksum.sha256(content);
    Path file = newFile();
    Random chunks = new Random(31L * length + (direct ? 1 : 0));
    try (StreamingFileWriter writer = StreamingFileWriter.open(file, executor, direct)) {
      if (direct) {
        assumeTrue(writer.direct(), "no O_DIRECT on the file system of target/");
      } else {
        assertThat(writer.direct()).isFalse();
      }
      for (int offset = 0; offset < length; ) {
        int n = Math.min(length - offset, 1 + chunks.nextInt(chunks.nextBoolean() ? 300 : MIB));
        writer.write(content, offset, n);
        offset += n;
      }
      writer.finish();
      assertThat(writer.position()).isEqualTo(length);
    }
    assertThat(Files.size(file)).isEqualTo(length);
    assertThat(Files.readAllBytes(file)).isEqualTo(content);
    assertThat(FileDigest.sha256(file, executor, direct)).isEqualTo(expected);
    assertThat(FileDigest.sha256(file, executor)).isEqualTo(expected);
    assertThat(FileDigest.sha256WhileForcing(file, executor)).isEqualTo(expected);
  }

  @Test
  void bufferedFlushesInTheBackgroundAsItGoes() throws IOException {
    flushesInTheBackgroundAsItGoes(false);
  }

  @Test
  void directFlushesInTheBackgroundAsItGoes() throws IOException {
    flushesInTheBackgroundAsItGoes(true);
  }

  private void flushesInTheBackgroundAsItGoes(boolean direct) throws IOException {
    byte[] content = new byte[10 * MIB + 17];
    new Random(7).nextBytes(content);
    Path file = newFile();
    try (StreamingFileWriter writer = StreamingFileWriter.open(file, executor, direct, 2L * MIB)) {
      if (direct) {
        assumeTrue(writer.direct(), "no O_DIRECT on the file system of target/");
      }
      for (int offset = 0; offset < content.length; offset += 64 * 1024) {
        writer.write(content, offset, Math.min(64 * 1024, content.length - offset));
      }
      writer.finish();
      // One flush per 2 MiB handed over (direct: per 4 MiB block, twice in 10 MiB), skipped
      // while the previous one still runs.
      assertThat(writer.syncs()).as("direct=%s", direct).isBetween(1, direct ? 2 : 5);
    }
    assertThat(Files.readAllBytes(file)).isEqualTo(content);
  }

  @Test
  void noFlushBelowSyncEvery() throws IOException {
    byte[] content = new byte[10 * MIB + 17];
    new Random(7).nextBytes(content);
    Path file = newFile();
    try (StreamingFileWriter writer = StreamingFileWriter.open(file, executor, true)) {
      writer.write(content, 0, content.length);
      writer.finish();
      assertThat(writer.syncs()).as("none below SYNC_EVERY").isZero();
    }
    assertThat(Files.readAllBytes(file)).isEqualTo(content);
  }

  @Test
  void aFailedBackgroundFlushSurfacesAtFinish() throws IOException {
    Path file = newFile();
    java.util.List<Runnable> held = new java.util.ArrayList<>();
    try (StreamingFileWriter writer = StreamingFileWriter.open(file, held::add, false, MIB)) {
      writer.write(new byte[MIB], 0, MIB);
      assertThat(writer.syncs()).isEqualTo(1);
      assertThat(held).hasSize(1);
      writer.channel().close();
      held.get(0).run(); // the flush fails on the closed channel
      assertThatThrownBy(writer::finish).isInstanceOf(IOException.class);
    }
  }

  @Test
  void sha256WhileForcingForcesAndReportsAFailedForce() throws IOException {
    Path file = newFile();
    byte[] content = new byte[5 * MIB + 3];
    new Random(3).nextBytes(content);
    Files.write(file, content);
    java.util.concurrent.atomic.AtomicInteger forces =
        new java.util.concurrent.atomic.AtomicInteger();
    assertThat(FileDigest.sha256WhileForcing(file, executor, forces::incrementAndGet))
        .isEqualTo(Checksum.sha256(content));
    assertThat(forces).hasValue(1);
    assertThatThrownBy(
            () ->
                FileDigest.sha256WhileForcing(
                    file,
                    executor,
                    () -> {
                      throw new IOException("disk gone");
                    }))
        .isInstanceOf(IOException.class)
        .hasMessage("disk gone");
  }

  @Test
  void refusesAFileThatIsNotEmpty() throws IOException {
    Path file = newFile();
    Files.write(file, new byte[] {1});
    assertThatThrownBy(() -> StreamingFileWriter.open(file, executor))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not empty");
  }

  @Test
  void aFailedWriteBehindSurfacesAtTheNextCall() throws IOException {
    Path file = newFile();
    byte[] block = new byte[StreamingFileWriter.STAGING];
    try (StreamingFileWriter writer = StreamingFileWriter.open(file, executor, true)) {
      assumeTrue(writer.direct(), "no O_DIRECT on the file system of target/");
      writer.channel().close(); // the write behind of the first full buffer fails
      writer.write(block, 0, block.length);
      assertThatThrownBy(writer::finish).isInstanceOf(IOException.class);
    }
  }

  @Test
  void aClosedWriterRefusesWrites() throws IOException {
    Path file = newFile();
    StreamingFileWriter writer = StreamingFileWriter.open(file, executor);
    writer.close();
    assertThatThrownBy(() -> writer.write(new byte[1], 0, 1))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void buffersAreAlignedAndComeBackForTheNextWriter() throws IOException {
    ByteBuffer a = AlignedBuffers.take(4096);
    assertThat(a.capacity()).isEqualTo(AlignedBuffers.SIZE);
    assertThat(a.isDirect()).isTrue();
    assertThat(a.alignmentOffset(0, 4096)).isZero();
    AlignedBuffers.give(a);
    java.util.List<ByteBuffer> taken = new java.util.ArrayList<>();
    // ByteBuffer.equals compares contents: look for the very object
    for (int i = 0; i <= AlignedBuffers.KEPT && taken.stream().noneMatch(t -> t == a); i++) {
      taken.add(AlignedBuffers.take(4096));
    }
    assertThat(taken.stream().filter(t -> t == a).count())
        .as("a buffer given back is taken again")
        .isEqualTo(1);
    taken.forEach(AlignedBuffers::give);
  }

  private static Path newFile() throws IOException {
    Path dir = Path.of("target", "streaming-file-writer-test");
    Files.createDirectories(dir);
    return Files.createTempFile(dir, "upload-", ".part");
  }
}
