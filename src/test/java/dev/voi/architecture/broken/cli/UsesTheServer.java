package dev.voi.architecture.broken.cli;

import dev.voi.architecture.broken.images.entity.Layer;

/** Breaks "the command line uses no Jakarta API and only chain and qcow2 of the server". */
public class UsesTheServer {
  Layer layer;
}
