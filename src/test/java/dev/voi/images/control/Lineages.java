package dev.voi.images.control;

import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.NotificationOptions;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.persistence.EntityManager;
import java.lang.annotation.Annotation;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** A {@link Lineage} outside the container, for tests that own their transactions. */
public final class Lineages {

  private Lineages() {}

  public static Lineage over(EntityManager em, Clock clock, Event<ChainChanged> changes) {
    Lineage lineage = new Lineage();
    lineage.em = em;
    lineage.clock = clock;
    lineage.changes = changes;
    lineage.tipMoves = new Recorded<>(new java.util.ArrayList<>());
    return lineage;
  }

  /** An {@link Event} that records what is fired, for a Lineage built by {@link #over}. */
  public record Recorded<T>(List<T> fired) implements Event<T> {
    @Override
    public void fire(T event) {
      fired.add(event);
    }

    @Override
    public <U extends T> CompletionStage<U> fireAsync(U event) {
      throw unsupported();
    }

    @Override
    public <U extends T> CompletionStage<U> fireAsync(U event, NotificationOptions options) {
      throw unsupported();
    }

    @Override
    public Event<T> select(Annotation... qualifiers) {
      throw unsupported();
    }

    @Override
    public <U extends T> Event<U> select(Class<U> subtype, Annotation... qualifiers) {
      throw unsupported();
    }

    @Override
    public <U extends T> Event<U> select(TypeLiteral<U> subtype, Annotation... qualifiers) {
      throw unsupported();
    }

    private static UnsupportedOperationException unsupported() {
      return new UnsupportedOperationException("only fire() is recorded");
    }
  }
}
