package dev.voi.images.control;

/** The three ways a layer enters a lineage (docs/design.md §4). */
public enum PublishKind {
  /** The base of a new image. */
  NEW_IMAGE,
  /** A new base for an existing image (the template was rebuilt): the old chain retires. */
  NEW_BASE,
  /** A diff on the current tip. */
  DIFF;

  public boolean isBase() {
    return this != DIFF;
  }
}
