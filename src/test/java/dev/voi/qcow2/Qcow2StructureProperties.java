package dev.voi.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Hostile metadata: whatever bytes of a good file's tables are overwritten, the check ends with a
 * verdict (a pass, or a {@link Qcow2FormatException} that is not {@code INCOMPLETE}), never with
 * another exception, and within its read budget.
 */
@PropertyDefaults(tries = 500, edgeCases = EdgeCasesMode.NONE)
class Qcow2StructureProperties {

  private static final Map<String, byte[]> FIXTURES = new ConcurrentHashMap<>();
  private static Path dir;

  @AfterContainer
  static void removeFiles() throws IOException {
    if (dir != null) {
      try (var files = Files.list(dir)) {
        for (Path file : files.toList()) {
          Files.delete(file);
        }
      }
      Files.delete(dir);
    }
  }

  @Property
  void overwrittenMetadataEndsInAVerdict(
      @ForAll("fixtureNames") String name,
      @ForAll("positions") List<Double> positions,
      @ForAll("values") List<Long> values)
      throws IOException {
    byte[] bytes = fixture(name).clone();
    int clusterSize = 1 << RawHeader.u32(bytes, 20);
    // the tables sit in the first clusters, snapshot tables and bitmaps near the end
    int head = Math.min(bytes.length, 6 * clusterSize);
    int tail = Math.max(head, bytes.length - 2 * clusterSize);
    for (int i = 0; i < Math.min(positions.size(), values.size()); i++) {
      double p = positions.get(i);
      int offset =
          p < 0.5 ? (int) (p * 2 * head) : tail + (int) ((p - 0.5) * 2 * (bytes.length - tail));
      offset = Math.min(offset & ~7, bytes.length - 8);
      java.nio.ByteBuffer.wrap(bytes).putLong(offset, values.get(i));
    }
    Path file = Files.write(dir().resolve("hostile-" + name + ".qcow2"), bytes);

    try {
      Qcow2Structure.Summary summary = Qcow2Structure.check(file);
      assertThat(summary.metadataBytesRead())
          .isLessThanOrEqualTo(Qcow2Structure.budget(bytes.length));
      Statistics.collect("pass");
    } catch (Qcow2FormatException e) {
      assertThat(e.kind()).as(e.getMessage()).isNotEqualTo(Qcow2FormatException.Kind.INCOMPLETE);
      assertThat(e.getMessage()).contains(e.field());
      Statistics.collect(e.field());
    }
  }

  @Provide
  Arbitrary<String> fixtureNames() {
    return Arbitraries.of("small", "snapshots", "bitmap", "compressed", "extended");
  }

  @Provide
  Arbitrary<List<Double>> positions() {
    return Arbitraries.doubles().between(0, 0.9999).ofScale(4).list().ofMinSize(1).ofMaxSize(4);
  }

  /** Bit patterns that hit the interesting fields: reserved bits, flags, offsets near the end. */
  @Provide
  Arbitrary<List<Long>> values() {
    Arbitrary<Long> any = Arbitraries.longs();
    Arbitrary<Long> flagged =
        Combinators.combine(
                Arbitraries.longs().between(0, 1L << 24), Arbitraries.integers().between(0, 63))
            .as((clusters, bit) -> (clusters << 16) | (1L << bit));
    Arbitrary<Long> small = Arbitraries.longs().between(0, 1L << 24);
    Arbitrary<Tuple2<Long, Long>> pair = Combinators.combine(any, small).as(Tuple::of);
    return Arbitraries.oneOf(any, flagged, small, pair.map(t -> t.get1() ^ t.get2()))
        .list()
        .ofMinSize(1)
        .ofMaxSize(4);
  }

  private static byte[] fixture(String name) {
    return FIXTURES.computeIfAbsent(
        name,
        n -> {
          try {
            Path made =
                switch (n) {
                  case "small" -> StructureFixtures.withData(dir(), "p-small", "cluster_size=4096");
                  case "snapshots" -> StructureFixtures.snapshots(dir());
                  case "bitmap" -> StructureFixtures.bitmap(dir());
                  case "compressed" -> StructureFixtures.compressedUnpadded(dir());
                  default -> StructureFixtures.extendedL2(dir());
                };
            return Files.readAllBytes(made);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  private static synchronized Path dir() {
    if (dir == null) {
      try {
        dir = new TmpfsTempDir().createTempDirectory(null, null);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return dir;
  }
}
