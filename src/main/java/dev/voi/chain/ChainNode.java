package dev.voi.chain;

import java.util.Objects;

/**
 * One node of a terminal's checksum list (docs/design.md §5, 校验链表): {@code head} is the checksum of
 * the layer the node stands for, {@code tail} the checksum of the next layer, or a random value for
 * the last node.
 */
public record ChainNode(Checksum head, Checksum tail) {

  public ChainNode {
    Objects.requireNonNull(head, "head");
    Objects.requireNonNull(tail, "tail");
  }
}
