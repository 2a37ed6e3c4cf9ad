package dev.voi.coherence.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

/**
 * Tells this instance's caches about a terminal that another instance changed, as if the change had
 * been made here: it fires the same {@link TerminalChanged} that a local change fires, and each
 * component that holds something about terminals drops it (a rotated-out or deleted terminal's
 * token answers 401 from the next request on, an unassigned image 403).
 */
@ApplicationScoped
public class CacheInvalidation {

  @Inject Event<TerminalChanged> changes;

  /** Drops what the caches hold about the terminal. */
  public void apply(TerminalChanged change) {
    changes.fire(change);
  }
}
