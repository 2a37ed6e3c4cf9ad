package dev.voi.chain;

import java.util.Objects;

/**
 * One layer of the server's current chain as the {@link StrategyDecider} sees it.
 *
 * @param depth 0 for the base, k for the k-th diff
 * @param size bytes of the file a terminal downloads
 */
public record ServerLayer(int depth, long version, Checksum checksum, long size, LayerState state) {

  public ServerLayer {
    if (depth < 0) {
      throw new IllegalArgumentException("depth must be non-negative, got " + depth);
    }
    if (version < 0) {
      throw new IllegalArgumentException("version must be non-negative, got " + version);
    }
    Objects.requireNonNull(checksum, "checksum");
    if (size < 0) {
      throw new IllegalArgumentException("size must be non-negative, got " + size);
    }
    Objects.requireNonNull(state, "state");
  }

  public boolean isQuarantined() {
    return state == LayerState.QUARANTINED;
  }
}
