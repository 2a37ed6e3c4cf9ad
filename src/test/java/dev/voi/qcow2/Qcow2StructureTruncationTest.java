package dev.voi.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.voi.qcow2.Qcow2FormatException.Kind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Truncated qemu-img files: the exact table each cut removes, and agreement with QEMU on every cut
 * of every fixture.
 */
class Qcow2StructureTruncationTest {

  private static final int SMALL_CLUSTER = 4096;

  @TempDir(factory = TmpfsTempDir.class)
  static Path shared;

  /**
   * 4 KiB clusters, 1 MiB virtual: header, refcount table, refcount block, L1, one L2 table, then
   * 16 data clusters at 0 and 16 at 512 KiB, 37 clusters in all.
   */
  static byte[] small;

  @BeforeAll
  static void createSmall() throws IOException {
    Path file = Qemu.create(shared.resolve("small.qcow2"), "1M", "cluster_size=4096");
    Qemu.io(file, "write -P 0xab 0 64k", "write -P 0xcd 512k 64k").assertOk();
    small = Files.readAllBytes(file);
  }

  @Test
  void theSmallFixtureHasTheLayoutTheTableBelowAssumes() throws IOException {
    Qcow2Header header = Qcow2Header.parse(small, small.length);

    assertThat(small.length).isEqualTo(37 * SMALL_CLUSTER);
    assertThat(header.refcountTableOffset()).isEqualTo(SMALL_CLUSTER);
    assertThat(header.l1TableOffset()).isEqualTo(3 * SMALL_CLUSTER);
    assertThat(RawHeader.u64(small, 3 * SMALL_CLUSTER) & ~(1L << 63)).isEqualTo(4 * SMALL_CLUSTER);
  }

  @ParameterizedTest(name = "cut at {0} bytes: {1}")
  @CsvSource({
    "0, magic",
    "4096, refcount_table_offset",
    "8192, l1_table_offset",
    "12288, l1_table_offset",
    "16384, l2_table",
    "16392, l2_table",
    "20480, data_cluster",
    "20580, data_cluster",
    "86016, data_cluster",
    "151551, data_cluster",
  })
  void aCutIsRefusedNamingTheTableItRemoves(long cut, String field) throws IOException {
    Path file = Files.write(shared.resolve("cut-" + cut + ".qcow2"), prefix(small, cut));

    Qcow2FormatException e =
        catchThrowableOfType(Qcow2FormatException.class, () -> Qcow2Structure.check(file));

    assertThat(e).as("cut at %d", cut).isNotNull();
    assertThat(e.kind()).as(e.getMessage()).isEqualTo(Kind.MALFORMED);
    assertThat(e.field()).as(e.getMessage()).isEqualTo(field);
    assertThat(qemuSeesDamage(shared.resolve("small.qcow2"), file, List.of())).isTrue();
  }

  @Test
  void everyClusterBoundaryOfTheSmallFixtureIsRefusedUntilTheEnd() throws IOException {
    List<String> fields = new ArrayList<>();
    for (int k = 0; k <= 37; k++) {
      Path file = Files.write(shared.resolve("boundary.qcow2"), prefix(small, k * SMALL_CLUSTER));
      try {
        Qcow2Structure.check(file);
        fields.add("pass");
      } catch (Qcow2FormatException e) {
        assertThat(e.kind()).as(e.getMessage()).isEqualTo(Kind.MALFORMED);
        fields.add(e.field());
      }
    }

    List<String> expected = new ArrayList<>();
    expected.addAll(
        List.of(
            "magic", "refcount_table_offset", "l1_table_offset", "l1_table_offset", "l2_table"));
    expected.addAll(java.util.Collections.nCopies(32, "data_cluster"));
    expected.add("pass");
    assertThat(fields).containsExactlyElementsOf(expected);
  }

  @Test
  void theIssuesExampleIsRefused(@TempDir(factory = TmpfsTempDir.class) Path dir)
      throws IOException {
    Path whole = Qemu.create(dir.resolve("whole.qcow2"), "64M", "");
    Qemu.io(whole, "write -P 0xab 0 1M").assertOk();
    assertThat(Files.size(whole)).isBetween(1_300_000L, 1_400_000L);
    Path cut = Files.write(dir.resolve("cut.qcow2"), prefix(Files.readAllBytes(whole), 300_000));
    assertThat(Qcow2Header.read(cut).l1Size()).as("the header alone is fine").isEqualTo(1);

    Qcow2FormatException e =
        catchThrowableOfType(Qcow2FormatException.class, () -> Qcow2Structure.check(cut));

    assertThat(e.field()).isEqualTo("l2_table");
    assertThat(e.getMessage())
        .isEqualTo(
            "qcow2 l2_table: entry 0 of the active L1 table at 0x30000: the L2 table at 0x40000"
                + " (65536 bytes) runs past the end of the file (300000 bytes)");
    assertThat(Qemu.check(cut).exitCode()).isNotZero();
  }

  @Test
  void aCutThatTakesOnlyFreedClustersPassesAsInQemu(@TempDir(factory = TmpfsTempDir.class) Path dir)
      throws IOException {
    Path whole = StructureFixtures.discardedTail(dir);
    byte[] bytes = Files.readAllBytes(whole);
    Path cut = dir.resolve("cut.qcow2");

    for (int clusters = 1; clusters <= 3; clusters++) {
      Files.write(cut, prefix(bytes, bytes.length - clusters * 65536L));
      boolean qemuIntact = !qemuSeesDamage(whole, cut, List.of());
      assertThat(verdict(cut).equals("pass")).as("%d clusters cut", clusters).isEqualTo(qemuIntact);
      assertThat(qemuIntact).as("%d clusters cut", clusters).isEqualTo(clusters <= 2);
    }
  }

  static Stream<Arguments> fixtures() {
    return Stream.of(
        fixture("4K clusters", d -> StructureFixtures.withData(d, "c4k", "cluster_size=4096")),
        fixture("64K clusters", d -> StructureFixtures.withData(d, "c64k", "")),
        fixture("2M clusters", d -> StructureFixtures.withData(d, "c2m", "cluster_size=2M")),
        fixture("version 2", d -> StructureFixtures.withData(d, "v2", "compat=0.10")),
        fixture("overlay", StructureFixtures::overlay),
        fixture("snapshots", StructureFixtures::snapshots, "s1", "s2"),
        fixture("bitmap", StructureFixtures::bitmap),
        fixture("compressed", StructureFixtures::compressed),
        fixture("compressed by qemu-io", StructureFixtures::compressedUnpadded),
        fixture("extended L2", StructureFixtures::extendedL2),
        fixture("discarded tail", StructureFixtures::discardedTail));
  }

  /**
   * QEMU is the judge: a cut file is intact when {@code qemu-img check} finds no error and {@code
   * qemu-img compare} (and, for each snapshot, a conversion of it) sees the same contents as in the
   * whole file. Cuts: every cluster boundary (at most 64 of them, evenly spread, plus the first and
   * last 8), the middle of a few clusters, and the last byte, 511 bytes and 4 KiB before the end.
   *
   * <p>The check must agree with the judge on every cut but one kind, where it is stricter by
   * design: a cut inside the last cluster, off a cluster boundary, that took away only bytes that
   * read as zeros (the tail of a data cluster written short, the padding of the bitmap directory).
   * QEMU reads zeros past the end, so the contents compare equal; which bytes were zeros cannot be
   * known without them, and a cut there that took data is refused as well.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void refusesExactlyTheCutsQemuCannotReadBack(
      String name,
      Maker maker,
      List<String> snapshots,
      @TempDir(factory = TmpfsTempDir.class) Path dir)
      throws IOException {
    Path whole = maker.make(dir);
    byte[] bytes = Files.readAllBytes(whole);
    int clusterSize = Qcow2Header.read(whole).clusterSize();
    Qcow2Structure.check(whole);

    Path cut = dir.resolve("cut-" + whole.getFileName());
    List<String> disagreements = new ArrayList<>();
    List<Long> cuts = cutPoints(bytes.length, clusterSize);
    int refused = 0;
    int stricter = 0;
    int qemuCheckAlonePassed = 0;
    for (long at : cuts) {
      Files.write(cut, prefix(bytes, at));
      boolean checkPasses = Qemu.check(cut).exitCode() == 0;
      boolean intact = checkPasses && sameContents(whole, cut, snapshots);
      String verdict = verdict(cut);
      boolean passes = verdict.equals("pass");
      refused += passes ? 0 : 1;
      qemuCheckAlonePassed += checkPasses && !intact ? 1 : 0;
      boolean inLastCluster = at % clusterSize != 0 && at > bytes.length - clusterSize;
      if (intact && !passes && inLastCluster) {
        stricter++;
      } else if (intact != passes) {
        disagreements.add(at + ": qemu " + (intact ? "intact" : "broken") + ", ours " + verdict);
      }
    }
    System.out.printf(
        "%s (%d bytes): %d cuts, %d refused (%d of them only stricter than QEMU: zeros cut from"
            + " the last cluster), %d passed; qemu-img check alone passed %d refused cuts that"
            + " lost contents%n",
        name,
        bytes.length,
        cuts.size(),
        refused,
        stricter,
        cuts.size() - refused,
        qemuCheckAlonePassed);
    assertThat(disagreements).as(name).isEmpty();
    assertThat(refused - stricter).as("cuts refused because contents were lost").isPositive();
  }

  private static String verdict(Path file) throws IOException {
    try {
      Qcow2Structure.check(file);
      return "pass";
    } catch (Qcow2FormatException e) {
      assertThat(e.kind()).as(e.getMessage()).isEqualTo(Kind.MALFORMED);
      return e.getMessage();
    }
  }

  private static boolean qemuSeesDamage(Path whole, Path cut, List<String> snapshots)
      throws IOException {
    return Qemu.check(cut).exitCode() != 0 || !sameContents(whole, cut, snapshots);
  }

  private static boolean sameContents(Path whole, Path cut, List<String> snapshots)
      throws IOException {
    if (Qemu.compare(whole, cut).exitCode() != 0) {
      return false;
    }
    for (String snapshot : snapshots) {
      Path a = convert(whole, snapshot);
      Path b = convert(cut, snapshot);
      if (b == null || Files.mismatch(a, b) != -1) {
        return false;
      }
    }
    return true;
  }

  private static Path convert(Path file, String snapshot) {
    Path raw = file.resolveSibling(file.getFileName() + "." + snapshot + ".raw");
    Qemu.Result result =
        Qemu.img(
            file.getParent(),
            "convert",
            "-l",
            "snapshot.name=" + snapshot,
            "-O",
            "raw",
            file.getFileName().toString(),
            raw.getFileName().toString());
    return result.exitCode() == 0 ? raw : null;
  }

  static List<Long> cutPoints(long length, int clusterSize) {
    long clusters = (length + clusterSize - 1) / clusterSize;
    TreeSet<Long> cuts = new TreeSet<>();
    long step = Math.max(1, clusters / 64);
    for (long k = 0; k < clusters; k++) {
      if (k < 8 || k >= clusters - 8 || k % step == 0) {
        cuts.add(k * clusterSize);
      }
    }
    for (long k = 1; k < clusters; k += Math.max(1, clusters / 8)) {
      cuts.add(k * clusterSize + clusterSize / 2);
    }
    for (long back : new long[] {1, 511, 4096}) {
      if (length - back > 0) {
        cuts.add(length - back);
      }
    }
    cuts.add(length);
    return new ArrayList<>(cuts);
  }

  static byte[] prefix(byte[] bytes, long length) {
    return java.util.Arrays.copyOf(bytes, (int) length);
  }

  @FunctionalInterface
  interface Maker {
    Path make(Path dir) throws IOException;
  }

  private static Arguments fixture(String name, Maker maker, String... snapshots) {
    Maker unchecked =
        dir -> {
          try {
            return maker.make(dir);
          } catch (UncheckedIOException e) {
            throw e.getCause();
          }
        };
    return Arguments.of(name, unchecked, List.of(snapshots));
  }
}
