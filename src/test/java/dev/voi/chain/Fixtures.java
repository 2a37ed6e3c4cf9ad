package dev.voi.chain;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/** Lineages, server chains and terminal lists built the way the product builds them. */
final class Fixtures {

  static final UUID SERVER = UUID.fromString("3f1c6a52-7d0e-4b8e-9a41-2c5d8e9f0a17");
  static final String IMAGE = "win10-lab";

  private Fixtures() {}

  /**
   * Checksums c_0..c_{count-1} of a lineage whose layer k has version k + 1 and content {@code
   * contentLabel + k}, chained through CheckInfo exactly as the server computes them.
   */
  static List<Checksum> lineage(UUID server, String contentLabel, int count) {
    List<Checksum> checksums = new ArrayList<>();
    Checksum parent = null;
    for (int k = 0; k < count; k++) {
      Checksum content = Checksum.sha256(contentLabel + k);
      parent = new CheckInfo(k + 1, server, IMAGE, parent, content).checksum();
      checksums.add(parent);
    }
    return List.copyOf(checksums);
  }

  static List<Checksum> lineage(int count) {
    return lineage(SERVER, "layer", count);
  }

  /** The server chain of those checksums, all PUBLISHED; layer k is (k + 1) * 1000 bytes. */
  static List<ServerLayer> serverChain(List<Checksum> checksums) {
    List<ServerLayer> chain = new ArrayList<>();
    for (int k = 0; k < checksums.size(); k++) {
      chain.add(new ServerLayer(k, k + 1, checksums.get(k), sizeOf(k), LayerState.PUBLISHED));
    }
    return List.copyOf(chain);
  }

  static long sizeOf(int depth) {
    return (depth + 1) * 1000L;
  }

  /** The same chain with the layer at {@code depth} QUARANTINED. */
  static List<ServerLayer> quarantine(List<ServerLayer> chain, int depth) {
    List<ServerLayer> changed = new ArrayList<>(chain);
    ServerLayer layer = chain.get(depth);
    changed.set(
        depth,
        new ServerLayer(
            depth, layer.version(), layer.checksum(), layer.size(), LayerState.QUARANTINED));
    return List.copyOf(changed);
  }

  /** A terminal's report for holding {@code held}, with a seeded random tail. */
  static List<ChainNode> terminalHolding(List<Checksum> held) {
    return new ChecksumList(new SeededRandom(held.size())).nodesFor(held);
  }

  /** {@code list} with element {@code index} replaced. */
  static <T> List<T> with(List<T> list, int index, T value) {
    List<T> changed = new ArrayList<>(list);
    changed.set(index, value);
    return List.copyOf(changed);
  }

  /** A SecureRandom whose bytes repeat for a seed, so that failures reproduce. */
  static final class SeededRandom extends SecureRandom {
    private final SplittableRandom random;

    SeededRandom(long seed) {
      random = new SplittableRandom(seed);
    }

    @Override
    public void nextBytes(byte[] bytes) {
      random.nextBytes(bytes);
    }
  }
}
