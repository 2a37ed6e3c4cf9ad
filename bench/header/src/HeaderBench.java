import dev.voi.agent.QemuImg;
import dev.voi.chain.Checksum;
import dev.voi.chain.StampRecord;
import dev.voi.qcow2.Qcow2Editor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongUnaryOperator;

/**
 * Time to read, validate and stamp one qcow2 header, for a 64 MiB and a 4 GiB file (sparse, made
 * by qemu-img with metadata preallocation so that the file length is the virtual size), against a
 * plain 4 KiB positional read + write + force(true) in the same process.
 *
 * <p>Usage: {@code HeaderBench <work dir> [iterations] [warm-up iterations]}.
 */
public final class HeaderBench {

  private HeaderBench() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    int warmUp = args.length > 2 ? Integer.parseInt(args[2]) : 500;
    Files.createDirectories(work);
    Path small = qemuImgCreate(work.resolve("small.qcow2"), "64M");
    Path large = qemuImgCreate(work.resolve("large.qcow2"), "4G");
    Path plain = work.resolve("plain.bin");
    try (FileChannel channel =
        FileChannel.open(plain, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(new byte[] {0}), (64L << 20) - 1);
    }
    System.out.printf(
        "files: small.qcow2 %,d bytes, large.qcow2 %,d bytes (sparse), plain.bin %,d bytes%n",
        Files.size(small), Files.size(large), Files.size(plain));

    LongUnaryOperator stampSmall = i -> timed(() -> Qcow2Editor.stamp(small, record(i)));
    LongUnaryOperator stampLarge = i -> timed(() -> Qcow2Editor.stamp(large, record(i)));
    LongUnaryOperator readSmall = i -> timed(() -> Qcow2Editor.readStamp(small));
    LongUnaryOperator readLarge = i -> timed(() -> Qcow2Editor.readStamp(large));
    LongUnaryOperator baseline = i -> timed(() -> plainReadWriteForce(plain));
    LongUnaryOperator[] cases = {baseline, stampSmall, stampLarge, readSmall, readLarge};
    String[] names = {
      "baseline: 4 KiB pread + pwrite + force(true)",
      "stamp 64 MiB file (read+validate+write+force+verify)",
      "stamp 4 GiB file  (read+validate+write+force+verify)",
      "readStamp 64 MiB file (read+validate)",
      "readStamp 4 GiB file  (read+validate)"
    };

    for (int i = 0; i < warmUp; i++) {
      for (LongUnaryOperator c : cases) {
        c.applyAsLong(i);
      }
    }
    long[][] nanos = new long[cases.length][iterations];
    for (int i = 0; i < iterations; i++) {
      for (int k = 0; k < cases.length; k++) {
        int c = (k + i) % cases.length; // rotate the order so that no case always runs first
        nanos[c][i] = cases[c].applyAsLong(warmUp + i);
      }
    }

    System.out.printf("%d iterations after %d warm-up, interleaved; microseconds%n", iterations, warmUp);
    System.out.printf("%-56s %9s %9s %9s%n", "", "median", "p90", "mean");
    double[] medians = new double[cases.length];
    for (int c = 0; c < cases.length; c++) {
      long[] sorted = nanos[c].clone();
      Arrays.sort(sorted);
      medians[c] = sorted[iterations / 2] / 1000.0;
      System.out.printf(
          "%-56s %9.1f %9.1f %9.1f%n",
          names[c],
          medians[c],
          sorted[(int) (iterations * 0.9)] / 1000.0,
          Arrays.stream(sorted).average().orElse(0) / 1000.0);
    }
    System.out.printf("ratio stamp 4 GiB / 64 MiB (median):     %.2f%n", medians[2] / medians[1]);
    System.out.printf("ratio readStamp 4 GiB / 64 MiB (median): %.2f%n", medians[4] / medians[3]);
    System.out.printf("ratio stamp 64 MiB / baseline (median):  %.2f%n", medians[1] / medians[0]);
    System.out.printf("ratio stamp 4 GiB / baseline (median):   %.2f%n", medians[2] / medians[0]);
    for (Path file : new Path[] {small, large}) {
      QemuImg.Output check =
          QemuImg.exec(null, List.of("qemu-img", "check", "-q", file.toString()), null);
      System.out.print(check.stdout() + check.stderr());
      System.out.printf("qemu-img check %s: exit %d%n", file.getFileName(), check.exitCode());
    }
  }

  private static StampRecord record(long i) {
    return new StampRecord(Checksum.sha256("bench-" + i), i, 1);
  }

  private static Path qemuImgCreate(Path file, String size) throws Exception {
    Files.deleteIfExists(file);
    QemuImg.Output created =
        QemuImg.exec(
            null,
            List.of(
                "qemu-img", "create", "-q", "-f", "qcow2", "-o", "preallocation=metadata",
                file.toString(), size),
            null);
    if (created.exitCode() != 0) {
      throw new IllegalStateException(
          "qemu-img create failed for " + file + ": " + created.stderr());
    }
    return file;
  }


  private static void plainReadWriteForce(Path file) throws IOException {
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.allocate(4096);
      while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
        // positional read of the first 4 KiB
      }
      buffer.flip();
      while (buffer.hasRemaining()) {
        channel.write(buffer, buffer.position());
      }
      channel.force(true);
    }
  }

  private interface IoAction {
    void run() throws IOException;
  }

  private static long timed(IoAction action) {
    long start = System.nanoTime();
    try {
      action.run();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return System.nanoTime() - start;
  }
}
