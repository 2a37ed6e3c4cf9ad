package dev.voi.architecture.broken.terminals.entity;

import dev.voi.architecture.broken.terminals.boundary.Resource;

/** Breaks "entities use no control and no boundary". */
public class UsesBoundary {
  Resource boundary;
}
