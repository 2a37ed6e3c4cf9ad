package dev.voi.answers.entity;

import dev.voi.chain.ChainNode;
import dev.voi.chain.Checksum;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A reported checksum list as stored: node k at bytes 64k..64k+63, the head's 32 raw bytes, then
 * the tail's. At most 4096 nodes, so at most 256 KiB; an empty list is zero bytes.
 */
public final class ReportedNodes {

  static final int NODE_BYTES = 2 * Checksum.LENGTH;

  private ReportedNodes() {}

  public static byte[] encode(List<ChainNode> nodes) {
    byte[] bytes = new byte[nodes.size() * NODE_BYTES];
    for (int k = 0; k < nodes.size(); k++) {
      ChainNode node = nodes.get(k);
      System.arraycopy(node.head().bytes(), 0, bytes, k * NODE_BYTES, Checksum.LENGTH);
      System.arraycopy(
          node.tail().bytes(), 0, bytes, k * NODE_BYTES + Checksum.LENGTH, Checksum.LENGTH);
    }
    return bytes;
  }

  /**
   * @throws IllegalArgumentException when the length is not a whole number of nodes
   */
  public static List<ChainNode> decode(byte[] bytes) {
    if (bytes.length % NODE_BYTES != 0) {
      throw new IllegalArgumentException(
          "a stored list is a multiple of " + NODE_BYTES + " bytes, got " + bytes.length);
    }
    List<ChainNode> nodes = new ArrayList<>(bytes.length / NODE_BYTES);
    for (int at = 0; at < bytes.length; at += NODE_BYTES) {
      nodes.add(
          new ChainNode(
              Checksum.ofBytes(Arrays.copyOfRange(bytes, at, at + Checksum.LENGTH)),
              Checksum.ofBytes(Arrays.copyOfRange(bytes, at + Checksum.LENGTH, at + NODE_BYTES))));
    }
    return List.copyOf(nodes);
  }

  /** How many nodes the stored bytes hold. */
  public static int count(byte[] bytes) {
    return bytes.length / NODE_BYTES;
  }

  /** The checksum (hex) of the top layer of an encoded list, null for none or an empty one. */
  public static String tipHex(byte[] bytes) {
    return bytes == null || bytes.length == 0 ? null : lastHead(bytes).hex();
  }

  /** The head of the last node (the terminal's top layer), or null for an empty list. */
  public static Checksum lastHead(byte[] bytes) {
    if (bytes.length < NODE_BYTES) {
      return null;
    }
    int at = bytes.length - NODE_BYTES;
    return Checksum.ofBytes(Arrays.copyOfRange(bytes, at, at + Checksum.LENGTH));
  }
}
