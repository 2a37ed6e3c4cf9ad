package dev.voi.architecture.broken.images.control;

import dev.voi.architecture.broken.terminals.control.UsesImages;

/** With {@link UsesImages}, breaks "no cycles between components". */
public class UsesTerminals {
  UsesImages other;
}
