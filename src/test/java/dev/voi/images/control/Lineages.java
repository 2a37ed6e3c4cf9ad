package dev.voi.images.control;

import jakarta.enterprise.event.Event;
import jakarta.persistence.EntityManager;
import java.time.Clock;

/** A {@link Lineage} outside the container, for tests that own their transactions. */
public final class Lineages {

  private Lineages() {}

  public static Lineage over(EntityManager em, Clock clock, Event<ChainChanged> changes) {
    Lineage lineage = new Lineage();
    lineage.em = em;
    lineage.clock = clock;
    lineage.changes = changes;
    return lineage;
  }
}
