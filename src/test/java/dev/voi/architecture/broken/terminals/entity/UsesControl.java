package dev.voi.architecture.broken.terminals.entity;

import dev.voi.architecture.broken.terminals.control.Plain;

/** Breaks "entities use no control and no boundary". */
public class UsesControl {
  Plain control;
}
