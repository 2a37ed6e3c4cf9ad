import dev.voi.qcow2.Qcow2Structure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Time to check the structure of a 1 GiB qcow2 file with data written all over it ({@code qemu-io
 * -c 'write -P 0xab 0 1G'}), with 64 KiB and with 4 KiB clusters, warm (page cache holds the
 * metadata) and cold (the file's pages dropped with {@code dd iflag=nocache count=0} before each
 * run), against {@code qemu-img check} and a sequential read of the whole file.
 *
 * <p>Usage: {@code StructureBench <work dir> [warm iterations] [cold iterations]}.
 */
public final class StructureBench {

  private StructureBench() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    int warm = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int cold = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    Files.createDirectories(work);
    for (String clusterSize : List.of("65536", "4096")) {
      Path file = work.resolve("full-" + clusterSize + ".qcow2");
      if (!Files.exists(file)) {
        run("qemu-img", "create", "-q", "-f", "qcow2", "-o", "cluster_size=" + clusterSize,
            file.toString(), "1G");
        run("qemu-io", "-f", "qcow2", "-c", "write -P 0xab 0 1G", file.toString());
        run("sync", file.toString());
      }
      Qcow2Structure.Summary summary = Qcow2Structure.check(file);
      System.out.printf(
          "%s: %,d bytes, %d L2 tables, %,d data clusters, %,d bytes of metadata read%n",
          file.getFileName(), Files.size(file), summary.l2Tables(), summary.dataClusters(),
          summary.metadataBytesRead());

      for (int i = 0; i < 20; i++) {
        Qcow2Structure.check(file);
      }
      long[] warmNanos = new long[warm];
      for (int i = 0; i < warm; i++) {
        long start = System.nanoTime();
        Qcow2Structure.check(file);
        warmNanos[i] = System.nanoTime() - start;
      }
      long[] coldNanos = new long[cold];
      long[] qemuCold = new long[cold];
      long[] readCold = new long[cold];
      for (int i = 0; i < cold; i++) {
        evict(file);
        long start = System.nanoTime();
        Qcow2Structure.check(file);
        coldNanos[i] = System.nanoTime() - start;
        evict(file);
        start = System.nanoTime();
        run("qemu-img", "check", "-q", file.toString());
        qemuCold[i] = System.nanoTime() - start;
        evict(file);
        start = System.nanoTime();
        run("dd", "if=" + file, "of=/dev/null", "bs=4M", "status=none");
        readCold[i] = System.nanoTime() - start;
      }
      System.out.printf("  Qcow2Structure.check, warm: median %.3f ms, p90 %.3f ms (%d runs)%n",
          median(warmNanos) / 1e6, percentile(warmNanos, 0.9) / 1e6, warm);
      System.out.printf("  Qcow2Structure.check, cold: median %.1f ms (%d runs)%n",
          median(coldNanos) / 1e6, cold);
      System.out.printf("  qemu-img check -q,    cold: median %.1f ms (process start included)%n",
          median(qemuCold) / 1e6);
      System.out.printf("  dd whole file,        cold: median %.1f ms%n", median(readCold) / 1e6);
    }
  }

  private static void evict(Path file) throws Exception {
    run("dd", "if=" + file, "iflag=nocache", "count=0", "status=none");
  }

  private static void run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).inheritIO().start();
    if (process.waitFor() != 0) {
      throw new IllegalStateException("failed: " + String.join(" ", command));
    }
  }

  private static double median(long[] nanos) {
    return percentile(nanos, 0.5);
  }

  private static double percentile(long[] nanos, double p) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[(int) Math.min(sorted.length - 1, sorted.length * p)];
  }
}
