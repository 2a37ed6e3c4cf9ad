package dev.voi.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.groups.Tuple.tuple;

import dev.voi.qcow2.Qcow2FormatException.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing real qemu-img headers, and every kind of broken one, from bytes alone. */
class Qcow2HeaderTest {

  @TempDir(factory = TmpfsTempDir.class)
  static Path dir;

  /** A v3 overlay with 64 KiB clusters: backing format, feature table, name "base.qcow2". */
  static byte[] overlay;

  static long overlayLength;
  static byte[] base;
  static long baseLength;

  @BeforeAll
  static void createFixtures() throws IOException {
    Path baseFile = Qemu.create(dir.resolve("base.qcow2"), "64M", "");
    Path overlayFile = Qemu.overlay(dir.resolve("overlay.qcow2"), "base.qcow2", "");
    base = Files.readAllBytes(baseFile);
    baseLength = base.length;
    overlay = Files.readAllBytes(overlayFile);
    overlayLength = overlay.length;
  }

  @Test
  void readsEveryFieldOfAVersion3Overlay() throws IOException {
    Qcow2Header header = Qcow2Header.parse(overlay, overlayLength);

    assertThat(header.magic()).isEqualTo(0x514649FB);
    assertThat(header.version()).isEqualTo(3);
    assertThat(header.clusterBits()).isEqualTo(16);
    assertThat(header.clusterSize()).isEqualTo(65536);
    assertThat(header.size()).isEqualTo(64L << 20);
    assertThat(header.cryptMethod()).isZero();
    assertThat(header.l1Size()).isEqualTo(1);
    assertThat(header.l1TableOffset()).isEqualTo(3 * 65536L);
    assertThat(header.refcountTableOffset()).isEqualTo(65536L);
    assertThat(header.refcountTableClusters()).isEqualTo(1);
    assertThat(header.nbSnapshots()).isZero();
    assertThat(header.snapshotsOffset()).isZero();
    assertThat(header.incompatibleFeatures()).isZero();
    assertThat(header.compatibleFeatures()).isZero();
    assertThat(header.autoclearFeatures()).isZero();
    assertThat(header.refcountOrder()).isEqualTo(4);
    assertThat(header.headerLength()).isEqualTo(112);
    assertThat(header.compressionType()).isEqualTo(OptionalInt.of(0));
    assertThat(header.extensions())
        .extracting(HeaderExtension::type, HeaderExtension::offset)
        .containsExactly(
            tuple(HeaderExtension.BACKING_FORMAT, 112),
            tuple(HeaderExtension.FEATURE_NAME_TABLE, 128));
    assertThat(header.backingFormat()).contains("qcow2");
    assertThat(header.backingFile()).contains("base.qcow2");
    assertThat(header.backingFileSize()).isEqualTo(10);
    assertThat(header.backingFileOffset()).isEqualTo(header.extensionsEnd());
    assertThat(header.layoutEnd()).isEqualTo(header.backingFileOffset() + 10);
  }

  @Test
  void readsAVersion2OverlayWithExtensionsAtByte72() throws IOException {
    Path v2 = Qemu.overlay(dir.resolve("v2.qcow2"), "base.qcow2", "compat=0.10");

    Qcow2Header header = Qcow2Header.read(v2);

    assertThat(header.version()).isEqualTo(2);
    assertThat(header.headerLength()).isEqualTo(72);
    assertThat(header.refcountOrder()).isEqualTo(4);
    assertThat(header.compressionType()).isEmpty();
    assertThat(header.incompatibleFeatures()).isZero();
    assertThat(header.extensions()).hasSize(1);
    assertThat(header.extensions().get(0).offset()).isEqualTo(72);
    assertThat(header.backingFormat()).contains("qcow2");
    assertThat(header.backingFile()).contains("base.qcow2");
  }

  @ParameterizedTest
  @ValueSource(ints = {512, 1024, 2048, 4096, 65536, 2 << 20})
  void readsEveryClusterSizeQemuMakes(int clusterSize) throws IOException {
    Path file =
        Qemu.create(dir.resolve("c" + clusterSize + ".qcow2"), "8M", "cluster_size=" + clusterSize);

    Qcow2Header header = Qcow2Header.read(file);

    assertThat(header.clusterSize()).isEqualTo(clusterSize);
    assertThat(header.hasBackingFile()).isFalse();
  }

  @Test
  void aPrefixIsEitherEnoughOrAsksForMoreNeverMalformed() throws IOException {
    Qcow2Header full = Qcow2Header.parse(overlay, overlayLength);
    for (int length = 0; length <= 4096; length++) {
      byte[] prefix = Arrays.copyOf(overlay, length);
      for (long fileLength : new long[] {-1, overlayLength}) {
        try {
          assertThat(Qcow2Header.parse(prefix, fileLength)).isEqualTo(full);
        } catch (Qcow2FormatException e) {
          assertThat(e.kind())
              .as("prefix %d: %s", length, e.getMessage())
              .isEqualTo(Kind.INCOMPLETE);
          assertThat(e.bytesNeeded()).isGreaterThan(length).isLessThanOrEqualTo(65536);
        }
      }
    }
    assertThat(Qcow2Header.parse(Arrays.copyOf(overlay, full.layoutEnd()), -1)).isEqualTo(full);
  }

  @ParameterizedTest(name = "{0} bytes: {1}")
  @CsvSource({
    "0, magic",
    "3, magic",
    "7, version",
    "12, backing_file_offset",
    "19, backing_file_size",
    "22, cluster_bits",
    "31, size",
    "35, crypt_method",
    "39, l1_size",
    "47, l1_table_offset",
    "55, refcount_table_offset",
    "59, refcount_table_clusters",
    "63, nb_snapshots",
    "71, snapshots_offset",
    "72, incompatible_features",
    "87, compatible_features",
    "95, autoclear_features",
    "99, refcount_order",
    "103, header_length",
    "104, compression_type",
    "112, header_extension",
    "300, header_extension",
    "525, header_extension",
    "530, backing_file_name",
    "1000, header_cluster",
    "65535, header_cluster",
  })
  void aTruncatedFileNamesTheFieldItCutsInto(int length, String field) {
    byte[] truncated = Arrays.copyOf(overlay, length);

    Qcow2FormatException e = failure(truncated, length);

    assertThat(e.kind()).isEqualTo(Kind.MALFORMED);
    assertThat(e.field()).isEqualTo(field);
    assertThat(e.getMessage())
        .startsWith("truncated qcow2 file (" + length + " bytes) while reading " + field);
  }

  @ParameterizedTest(name = "{0} bytes: {1}")
  @CsvSource({
    "65536, refcount_table_offset",
    "131072, l1_table_offset",
    "196615, l1_table_offset",
  })
  void aFileCutInsideItsTablesNamesTheTable(int length, String field) {
    Qcow2FormatException e = failure(overlay, length);

    assertThat(e.kind()).isEqualTo(Kind.MALFORMED);
    assertThat(e.field()).isEqualTo(field);
    assertThat(e.getMessage()).contains("runs past the end of the file (" + length + " bytes)");
  }

  @Test
  void badMagic() {
    assertMalformed(RawHeader.withU32(overlay, 0, 0x514649FC), "magic");
    assertMalformed("QFI".getBytes(StandardCharsets.US_ASCII), 3, "magic");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 4, 0xFFFFFFFF})
  void unknownVersionsAreRefused(int version) {
    Qcow2FormatException e = failure(RawHeader.withU32(overlay, 4, version), overlayLength);

    assertThat(e.kind()).isEqualTo(Kind.REFUSED);
    assertThat(e.field()).isEqualTo("version");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 8, 22, 63})
  void clusterBitsOutsideQemusRange(int bits) {
    assertMalformed(RawHeader.withU32(overlay, 20, bits), "cluster_bits");
  }

  @Test
  void fieldsOutOfRange() {
    assertMalformed(RawHeader.withU64(overlay, 24, -1L), "size");
    assertMalformed(RawHeader.withU32(overlay, 32, 3), "crypt_method");
    assertMalformed(RawHeader.withU32(overlay, 96, 7), "refcount_order");
    assertMalformed(RawHeader.withU32(overlay, 56, 0), "refcount_table_clusters");
    assertMalformed(RawHeader.withU32(overlay, 56, 129), "refcount_table_clusters");
    assertMalformed(RawHeader.withU32(overlay, 36, 0), "l1_size");
    assertMalformed(RawHeader.withU32(overlay, 36, 5_000_000), "l1_size");
    assertMalformed(RawHeader.withU32(overlay, 60, 70_000), "nb_snapshots");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 72, 100, 108, 65544})
  void headerLengthBelow104NotAMultipleOf8OrBeyondTheCluster(int headerLength) {
    assertMalformed(RawHeader.withU32(overlay, 100, headerLength), "header_length");
  }

  @Test
  void compressionTypeMustAgreeWithIncompatibleBit3() {
    byte[] zstdWithoutBit = overlay.clone();
    zstdWithoutBit[104] = 1;
    assertMalformed(zstdWithoutBit, "compression_type");
    byte[] unknownType = overlay.clone();
    unknownType[104] = 5;
    unknownType[79] = 8;
    assertMalformed(unknownType, "compression_type");
    assertMalformed(RawHeader.withU64(overlay, 72, 8), "compression_type");
  }

  @Test
  void backingFileOffsetAndSize() {
    assertMalformed(RawHeader.withU64(overlay, 8, 65537), "backing_file_offset");
    assertMalformed(RawHeader.withU64(overlay, 8, 64), "backing_file_offset");
    assertMalformed(RawHeader.withU64(overlay, 8, 1L << 62), "backing_file_offset");
    assertMalformed(RawHeader.withU32(overlay, 16, 0), "backing_file_size");
    assertMalformed(RawHeader.withU32(overlay, 16, 1024), "backing_file_size");
    assertMalformed(
        RawHeader.withU32(RawHeader.withU64(overlay, 8, 65000), 16, 1000), "backing_file_size");
  }

  @Test
  void anExtensionOverrunningTheBackingFileName() {
    int featureTable = RawHeader.findExtension(overlay, HeaderExtension.FEATURE_NAME_TABLE);

    Qcow2FormatException e =
        failure(RawHeader.withU32(overlay, featureTable + 4, 1000), overlayLength);

    assertThat(e.field()).isEqualTo("header_extension");
    assertThat(e.getMessage()).contains("0x6803f857").contains("overruns the backing file name");
  }

  @Test
  void anExtensionOverrunningCluster0() {
    int featureTable = RawHeader.findExtension(base, HeaderExtension.FEATURE_NAME_TABLE);

    Qcow2FormatException e =
        failure(RawHeader.withU32(base, featureTable + 4, 0xFFFFFFF0L), baseLength);

    assertThat(e.field()).isEqualTo("header_extension");
    assertThat(e.getMessage()).contains("overruns the end of cluster 0");
  }

  @Test
  void anExtensionWhosePaddingReachesIntoTheBackingFileName() {
    int end = RawHeader.endMarker(overlay);
    byte[] shifted = RawHeader.withU64(overlay, 8, end + 4);

    Qcow2FormatException e = failure(RawHeader.withU32(shifted, end - 4, 0), overlayLength);

    assertThat(e.field()).isIn("header_extension", "header_extension_end");
  }

  @Test
  void aDuplicatedExtension() {
    int format = RawHeader.findExtension(overlay, HeaderExtension.BACKING_FORMAT);
    byte[] copy = Arrays.copyOfRange(overlay, format, format + 16);

    Qcow2FormatException e = failure(RawHeader.rebuilt(overlay, copy, -1), overlayLength);

    assertThat(e.field()).isEqualTo("header_extension");
    assertThat(e.getMessage()).contains("0xe2792aca (backing format)").contains("occurs twice");
  }

  @Test
  void noEndMarkerBeforeTheBackingFileName() {
    int end = RawHeader.endMarker(overlay);

    Qcow2FormatException e = failure(RawHeader.withU32(overlay, end, 0x11111111), overlayLength);

    assertThat(e.field()).isEqualTo("header_extension_end");
    assertThat(e.getMessage()).contains("no end marker before the backing file name");
  }

  @Test
  void knownExtensionsWithImpossibleContent() {
    int format = RawHeader.findExtension(overlay, HeaderExtension.BACKING_FORMAT);
    byte[] longFormat = RawHeader.extension(HeaderExtension.BACKING_FORMAT, new byte[16]);
    assertMalformed(RawHeader.rebuilt(overlay, longFormat, format), "header_extension");
    byte[] luksWithoutLuks =
        RawHeader.extension(HeaderExtension.FULL_DISK_ENCRYPTION, new byte[16]);
    assertMalformed(RawHeader.rebuilt(overlay, luksWithoutLuks, -1), "header_extension");
  }

  @Test
  void tablesThatAreMisalignedInTheHeaderOrPastTheEnd() {
    assertMalformed(RawHeader.withU64(overlay, 48, 0), "refcount_table_offset");
    assertMalformed(RawHeader.withU64(overlay, 48, 65536 + 8), "refcount_table_offset");
    assertMalformed(RawHeader.withU64(overlay, 40, 3 * 65536 + 512), "l1_table_offset");
    assertMalformed(RawHeader.withU64(overlay, 40, 0), "l1_table_offset");
    assertMalformed(RawHeader.withU64(overlay, 40, 10L << 30), "l1_table_offset");
    assertMalformed(RawHeader.withU64(overlay, 40, Long.MAX_VALUE & ~0xFFFFL), "l1_table_offset");
    assertMalformed(RawHeader.withU32(overlay, 60, 1), "snapshots_offset");
    assertMalformed(RawHeader.withU64(overlay, 64, 4096), "snapshots_offset");
  }

  @Test
  void randomGarbage() {
    byte[] garbage = new byte[65536];
    new Random(42).nextBytes(garbage);

    assertMalformed(garbage, "magic");
  }

  @Test
  void randomCorruptionsEitherParseOrNameAField() {
    Random random = new Random(7);
    List<String> fields =
        List.of(
            "magic",
            "version",
            "backing_file_offset",
            "backing_file_size",
            "cluster_bits",
            "size",
            "crypt_method",
            "l1_size",
            "l1_table_offset",
            "refcount_table_offset",
            "refcount_table_clusters",
            "nb_snapshots",
            "snapshots_offset",
            "incompatible_features",
            "compatible_features",
            "autoclear_features",
            "refcount_order",
            "header_length",
            "compression_type",
            "header_extension",
            "header_extension_end",
            "backing_file_name",
            "header_cluster");
    byte[] firstPage = Arrays.copyOf(overlay, 4096);
    for (int round = 0; round < 5000; round++) {
      byte[] mutated = firstPage.clone();
      for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
        mutated[random.nextInt(600)] = (byte) random.nextInt(256);
      }
      try {
        Qcow2Header.parse(mutated, overlayLength);
      } catch (Qcow2FormatException e) {
        if (e.kind() == Kind.INCOMPLETE) {
          assertThat(e.bytesNeeded()).isGreaterThan(4096);
          continue;
        }
        assertThat(e.kind()).isIn(Kind.MALFORMED, Kind.REFUSED);
        assertThat(e.field()).isIn(fields);
        assertThat(e.getMessage()).contains(e.field());
      }
    }
  }

  private static void assertMalformed(byte[] header, String field) {
    assertMalformed(header, overlayLength, field);
  }

  private static void assertMalformed(byte[] header, long fileLength, String field) {
    Qcow2FormatException e = failure(header, fileLength);
    assertThat(e.kind()).as(e.getMessage()).isEqualTo(Kind.MALFORMED);
    assertThat(e.field()).as(e.getMessage()).isEqualTo(field);
    assertThat(e.getMessage()).contains(field);
  }

  private static Qcow2FormatException failure(byte[] header, long fileLength) {
    Qcow2FormatException e =
        catchThrowableOfType(
            Qcow2FormatException.class, () -> Qcow2Header.parse(header, fileLength));
    assertThat(e).as("parse should fail").isNotNull();
    return e;
  }

  @Test
  void readsTheHeaderOfAFileOfMoreThan1GiB() throws IOException {
    Path big = dir.resolve("big.qcow2");
    Qemu.img(dir, "create", "-q", "-f", "qcow2", "-o", "preallocation=metadata", "big.qcow2", "1G")
        .assertOk();
    assertThat(Files.size(big)).isGreaterThan(1L << 30);

    assertThat(Qcow2Header.read(big).size()).isEqualTo(1L << 30);
  }
}
