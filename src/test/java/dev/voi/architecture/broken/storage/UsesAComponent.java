package dev.voi.architecture.broken.storage;

import dev.voi.architecture.broken.images.entity.Layer;

/** Breaks "the shared kernels use no other component". */
public class UsesAComponent {
  Layer layer;
}
