package dev.voi.chain;

/** The life cycle of a published layer. */
public enum LayerState {
  /** Served and part of the chain. */
  PUBLISHED,
  /** Still part of the chain, but its file failed an integrity check and is not served. */
  QUARANTINED,
  /** Removed from the chain; the file stays downloadable for terminals mid-update. */
  RETIRED
}
