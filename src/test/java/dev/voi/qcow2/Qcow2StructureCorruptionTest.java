package dev.voi.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.voi.qcow2.Qcow2FormatException.Kind;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Single corrupted entries in otherwise good qemu-img files: each is refused naming its table and
 * entry, and {@code qemu-img check} reports each as an error too. Offsets come from qcow2.txt, read
 * with plain byte arithmetic, not through the code under test.
 */
class Qcow2StructureCorruptionTest {

  private static final long OFFSET_MASK = 0x00fffffffffffe00L;
  private static final int CLUSTER = 65536;

  @TempDir(factory = TmpfsTempDir.class)
  Path dir;

  @Test
  void anL2EntryPointingPastTheEndIsRefused() throws IOException {
    Path file = StructureFixtures.withData(dir, "past", "");
    long l2 = l2Table(file, 0);
    long entry = u64(file, l2 + 3 * 8);
    long beyond = (Files.size(file) + 10L * CLUSTER) & -CLUSTER;
    RawHeader.putU64(file, l2 + 3 * 8, (entry & ~OFFSET_MASK) | beyond);

    Qcow2FormatException e = assertRefused(file, "data_cluster");

    assertThat(e.getMessage())
        .isEqualTo(
            "qcow2 data_cluster: entry 3 of the L2 table at 0x%x points to a data cluster at 0x%x,"
                + " past the end of the file (%d bytes)",
            l2, beyond, Files.size(file));
  }

  @Test
  void anUnalignedDataClusterIsRefused() throws IOException {
    Path file = StructureFixtures.withData(dir, "unaligned", "");
    long l2 = l2Table(file, 0);
    RawHeader.putU64(file, l2 + 5 * 8, u64(file, l2 + 5 * 8) + 512);

    assertThat(assertRefused(file, "l2_table").getMessage())
        .contains("entry 5 of the L2 table at 0x" + Long.toHexString(l2))
        .contains("is not cluster-aligned");
  }

  @Test
  void reservedBitsInAnL2EntryAreRefused() throws IOException {
    Path file = StructureFixtures.withData(dir, "l2reserved", "");
    long l2 = l2Table(file, 0);
    RawHeader.putU64(file, l2 + 7 * 8, u64(file, l2 + 7 * 8) | 1L << 56);

    assertThat(assertRefused(file, "l2_table").getMessage()).contains("entry 7", "reserved bits");
  }

  @Test
  void reservedBitsInAnUnallocatedL2EntryAreRefused() throws IOException {
    Path file = StructureFixtures.withData(dir, "l2reserved0", "");
    long l2 = l2Table(file, 0);
    assertThat(u64(file, l2 + 100 * 8)).isZero();
    RawHeader.putU64(file, l2 + 100 * 8, 1L << 57);

    assertThat(assertRefused(file, "l2_table").getMessage()).contains("entry 100", "reserved");
  }

  @Test
  void reservedBitsInAnL1EntryAreRefused() throws IOException {
    Path file = StructureFixtures.withData(dir, "l1reserved", "");
    long l1 = RawHeader.u64(RawHeader.firstBytes(file, 72), 40);
    RawHeader.putU64(file, l1, u64(file, l1) | 1L << 60);

    assertThat(assertRefused(file, "l1_table").getMessage())
        .contains("entry 0 of the active L1 table", "reserved bits");
  }

  @Test
  void anL1EntryPointingPastTheEndIsRefused() throws IOException {
    Path file = StructureFixtures.withData(dir, "l1past", "");
    long l1 = RawHeader.u64(RawHeader.firstBytes(file, 72), 40);
    RawHeader.putU64(file, l1, (1L << 63) | 64L * CLUSTER);

    assertThat(assertRefused(file, "l2_table").getMessage())
        .contains("entry 0 of the active L1 table", "the L2 table at 0x400000");
  }

  @Test
  void reservedBitsInTheRefcountTableAreRefused() throws IOException {
    Path file = StructureFixtures.withData(dir, "rtreserved", "");
    long table = RawHeader.u64(RawHeader.firstBytes(file, 72), 48);
    RawHeader.putU64(file, table, u64(file, table) | 1);

    assertThat(assertRefused(file, "refcount_table").getMessage()).contains("entry 0");
  }

  @Test
  void aRefcountBlockPastTheEndIsRefused() throws IOException {
    Path file = StructureFixtures.withData(dir, "rbpast", "");
    long table = RawHeader.u64(RawHeader.firstBytes(file, 72), 48);
    RawHeader.putU64(file, table + 8, 640L * CLUSTER);

    assertThat(assertRefused(file, "refcount_block").getMessage())
        .contains("entry 1 of the refcount table at 0x10000: the refcount block at 0x2800000");
  }

  @Test
  void aCompressedEntryWithTheCopiedFlagIsRefused() throws IOException {
    Path file = StructureFixtures.compressed(dir);
    long l2 = l2Table(file, 0);
    long slot = firstCompressed(file, l2);
    RawHeader.putU64(file, slot, u64(file, slot) | 1L << 63);

    assertThat(assertRefused(file, "l2_table").getMessage()).contains("copied flag");
  }

  @Test
  void compressedDataPastTheEndIsRefused() throws IOException {
    Path file = StructureFixtures.compressed(dir);
    long l2 = l2Table(file, 0);
    long slot = firstCompressed(file, l2);
    long entry = u64(file, slot);
    int sizeShift = 62 - (16 - 8);
    long offsetMask = (1L << sizeShift) - 1;
    RawHeader.putU64(file, slot, (entry & ~offsetMask) | (Files.size(file) + 3 * CLUSTER + 100));

    assertThat(assertRefused(file, "compressed_cluster").getMessage())
        .contains("entry " + (slot - l2) / 8 + " of the L2 table");
  }

  @Test
  void aSnapshotL1TablePastTheEndIsRefused() throws IOException {
    Path file = StructureFixtures.snapshots(dir);
    long table = RawHeader.u64(RawHeader.firstBytes(file, 72), 64);
    RawHeader.putU64(file, table, 1024L * CLUSTER);

    assertThat(assertRefused(file, "snapshot_l1_table").getMessage())
        .contains("the L1 table of snapshot 's1' (entry 0) at 0x4000000");
  }

  @Test
  void aBitmapDataClusterPastTheEndIsRefused() throws IOException {
    Path file = StructureFixtures.bitmap(dir);
    Qcow2Header header = Qcow2Header.read(file);
    byte[] extension = header.extension(HeaderExtension.BITMAPS).orElseThrow().data();
    long directory = RawHeader.u64(extension, 16);
    long bitmapTable = u64(file, directory);
    assertThat(u64(file, bitmapTable)).as("the bitmap has a data cluster").isNotZero();
    RawHeader.putU64(file, bitmapTable, 4096L * CLUSTER);

    assertThat(assertRefused(file, "bitmap_data_cluster").getMessage())
        .contains("entry 0 of the bitmap table of bitmap directory entry 0");
  }

  @Test
  void subclustersBothAllocatedAndZeroAreRefused() throws IOException {
    Path file = StructureFixtures.extendedL2(dir);
    long l2 = l2Table(file, 0);
    long bitmap = l2 + 8;
    assertThat(u64(file, bitmap) & 0xffffffffL).as("allocated subclusters").isNotZero();
    RawHeader.putU64(file, bitmap, u64(file, bitmap) | 1L << 32);

    assertThat(assertRefused(file, "l2_table").getMessage())
        .contains("entry 0 of the L2 table", "both allocated and zero");
  }

  @Test
  void aCutIntoTheLuksHeaderIsRefused() throws IOException {
    Path whole = StructureFixtures.encrypted(dir);
    byte[] extension =
        Qcow2Header.read(whole)
            .extension(HeaderExtension.FULL_DISK_ENCRYPTION)
            .orElseThrow()
            .data();
    long luksEnd = RawHeader.u64(extension, 0) + RawHeader.u64(extension, 8);
    Path file = dir.resolve("luks-cut.qcow2");
    Files.write(file, Arrays.copyOf(Files.readAllBytes(whole), (int) luksEnd - CLUSTER));

    Qcow2FormatException e =
        catchThrowableOfType(Qcow2FormatException.class, () -> Qcow2Structure.check(file));

    assertThat(e.field()).as(e.getMessage()).isEqualTo("crypto_header");
    assertThat(e.getMessage()).contains("the LUKS header at 0x");
    Qemu.Result qemu =
        Qemu.run(
            dir,
            "qemu-img",
            "check",
            "--object",
            StructureFixtures.SECRET,
            "--image-opts",
            StructureFixtures.imageOpts(file));
    assertThat(qemu.exitCode()).as("qemu-img check: %s", qemu.stderr()).isNotZero();
  }

  @Test
  void metadataBeyondTheBudgetIsRefused() throws IOException {
    Path file = StructureFixtures.withData(dir, "budget", "");
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      MetadataReader reader = new MetadataReader(channel, 100_000);
      reader.read(0, 65536, "l1_table");

      Qcow2FormatException e =
          catchThrowableOfType(
              Qcow2FormatException.class, () -> reader.read(65536, 65536, "l2_table"));

      assertThat(e.kind()).isEqualTo(Kind.REFUSED);
      assertThat(e.field()).isEqualTo("l2_table");
      assertThat(Qcow2Structure.budget(Files.size(file)))
          .isEqualTo((64L << 20) + Files.size(file) / 16);
      assertThat(Qcow2Structure.budget(1L << 40)).isEqualTo(1L << 30);
    }
  }

  private static Qcow2FormatException assertRefused(Path file, String field) throws IOException {
    Qcow2FormatException e =
        catchThrowableOfType(Qcow2FormatException.class, () -> Qcow2Structure.check(file));
    assertThat(e).as("expected a refusal naming %s", field).isNotNull();
    assertThat(e.kind()).as(e.getMessage()).isEqualTo(Kind.MALFORMED);
    assertThat(e.field()).as(e.getMessage()).isEqualTo(field);
    Qemu.Result qemu = Qemu.check(file);
    assertThat(qemu.exitCode()).as("qemu-img check: %s", qemu.stderr()).isNotZero();
    return e;
  }

  /** The L2 table that entry {@code index} of the active L1 table points to. */
  private static long l2Table(Path file, int index) throws IOException {
    long l1 = RawHeader.u64(RawHeader.firstBytes(file, 72), 40);
    return u64(file, l1 + index * 8L) & OFFSET_MASK;
  }

  private static long firstCompressed(Path file, long l2) throws IOException {
    for (long slot = l2; slot < l2 + CLUSTER; slot += 8) {
      if ((u64(file, slot) & 1L << 62) != 0) {
        return slot;
      }
    }
    throw new AssertionError("no compressed cluster in the L2 table at " + l2);
  }

  private static long u64(Path file, long offset) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      raf.seek(offset);
      return raf.readLong();
    }
  }
}
