package dev.voi.architecture.broken.terminals.control;

import dev.voi.architecture.broken.images.control.UsesTerminals;

/** With {@link UsesTerminals}, breaks "no cycles between components". */
public class UsesImages {
  UsesTerminals other;
}
