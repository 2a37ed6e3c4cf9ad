package dev.voi.terminals.control;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each terminal was last heard from, in memory until the next batch write: a poll that answers
 * 304 must not write to the database. {@link Housekeeping} drains it every few seconds.
 */
@ApplicationScoped
public class LastSeen {

  private final ConcurrentHashMap<Long, Instant> pending = new ConcurrentHashMap<>();

  public void mark(long terminalId, Instant at) {
    pending.merge(terminalId, at, (old, now) -> now.isAfter(old) ? now : old);
  }

  /** The moment not yet written for this terminal, or null. */
  public Instant unwritten(long terminalId) {
    return pending.get(terminalId);
  }

  /** Takes everything not yet written; marks made meanwhile wait for the next drain. */
  public Map<Long, Instant> drain() {
    Map<Long, Instant> taken = new HashMap<>();
    for (Long id : pending.keySet()) {
      Instant at = pending.remove(id);
      if (at != null) {
        taken.put(id, at);
      }
    }
    return taken;
  }

  public void forget(long terminalId) {
    pending.remove(terminalId);
  }

  /** The later of the written and the unwritten moment. */
  public Instant latest(long terminalId, Instant written) {
    Instant unwritten = pending.get(terminalId);
    if (unwritten == null) {
      return written;
    }
    return written == null || unwritten.isAfter(written) ? unwritten : written;
  }
}
