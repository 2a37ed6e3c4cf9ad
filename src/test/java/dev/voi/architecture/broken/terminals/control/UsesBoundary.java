package dev.voi.architecture.broken.terminals.control;

import dev.voi.architecture.broken.terminals.boundary.Resource;

/** Breaks "control uses no boundary". */
public class UsesBoundary {
  Resource boundary;
}
