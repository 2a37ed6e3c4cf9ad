package dev.voi.chain;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds and parses a terminal's checksum list (docs/design.md §5): one node per held layer, base
 * first; node k links c_k to c_{k+1}, and the last node's tail is a fresh random value that differs
 * from every head.
 */
public final class ChecksumList {

  /** The most nodes a list may have (docs/design.md §6, step 1). */
  public static final int MAX_NODES = 4096;

  private final SecureRandom random;

  /** {@code random} draws the last node's tail; injected so tests can rig it. */
  public ChecksumList(SecureRandom random) {
    this.random = Objects.requireNonNull(random, "random");
  }

  /**
   * The node list for a terminal that holds the layers with checksums {@code held} = c_0..c_m, in
   * pointing order. An empty input gives an empty list.
   */
  public List<ChainNode> nodesFor(List<Checksum> held) {
    requireAtMostMaxNodes("checksums", held.size());
    List<ChainNode> nodes = new ArrayList<>(held.size());
    for (int k = 0; k + 1 < held.size(); k++) {
      nodes.add(new ChainNode(held.get(k), held.get(k + 1)));
    }
    if (!held.isEmpty()) {
      nodes.add(new ChainNode(held.get(held.size() - 1), randomTailUnlike(held)));
    }
    return List.copyOf(nodes);
  }

  private Checksum randomTailUnlike(List<Checksum> heads) {
    Set<Checksum> taken = new HashSet<>(heads);
    byte[] bytes = new byte[Checksum.LENGTH];
    Checksum tail;
    do {
      random.nextBytes(bytes);
      tail = Checksum.ofBytes(bytes);
    } while (taken.contains(tail));
    return tail;
  }

  /**
   * Parses a reported list from any node representation (e.g. the JSON body's records), naming the
   * offending field in errors: {@code nodes[3].tail: expected 64 hex characters, got 63}.
   *
   * @throws IllegalArgumentException for more than {@link #MAX_NODES} nodes, a missing node or a
   *     value that is not 64 lowercase hex characters
   */
  public static <T> List<ChainNode> parse(
      List<T> nodes, Function<? super T, String> head, Function<? super T, String> tail) {
    if (nodes == null) {
      throw new IllegalArgumentException("nodes: missing");
    }
    requireAtMostMaxNodes("nodes", nodes.size());
    List<ChainNode> parsed = new ArrayList<>(nodes.size());
    for (int k = 0; k < nodes.size(); k++) {
      T node = nodes.get(k);
      String field = "nodes[" + k + "]";
      if (node == null) {
        throw new IllegalArgumentException(field + ": missing");
      }
      parsed.add(
          new ChainNode(
              Checksum.parse(field + ".head", head.apply(node)),
              Checksum.parse(field + ".tail", tail.apply(node))));
    }
    return List.copyOf(parsed);
  }

  /**
   * Parses an ordered list of checksums (e.g. a terminal's manifest), naming the offending entry in
   * errors as {@code field[k]}.
   */
  public static List<Checksum> parseChecksums(String field, List<String> hexes) {
    if (hexes == null) {
      throw new IllegalArgumentException(field + ": missing");
    }
    requireAtMostMaxNodes(field, hexes.size());
    List<Checksum> parsed = new ArrayList<>(hexes.size());
    for (int k = 0; k < hexes.size(); k++) {
      parsed.add(Checksum.parse(field + "[" + k + "]", hexes.get(k)));
    }
    return List.copyOf(parsed);
  }

  private static void requireAtMostMaxNodes(String field, int size) {
    if (size > MAX_NODES) {
      throw new IllegalArgumentException(
          field + ": at most " + MAX_NODES + " entries are accepted, got " + size);
    }
  }
}
