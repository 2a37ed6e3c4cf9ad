package dev.voi.terminals.control;

import dev.voi.coherence.control.TerminalChanged;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each terminal was last heard from, in memory until the next batch write: a poll that answers
 * 304 must not write to the database. The housekeeping timer drains it every few seconds.
 */
@ApplicationScoped
public class LastSeen {

  private final ConcurrentHashMap<Long, Instant> pending = new ConcurrentHashMap<>();

  /**
   * Kept to the microsecond, the database's precision, so a terminal's last-seen moment reads the
   * same before and after the drain writes it.
   */
  public void mark(long terminalId, Instant at) {
    pending.merge(
        terminalId, at.truncatedTo(ChronoUnit.MICROS), (old, now) -> now.isAfter(old) ? now : old);
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

  void onTerminalChanged(
      @Observes(during = TransactionPhase.AFTER_SUCCESS) TerminalChanged change) {
    if (change.kind() == TerminalChanged.Kind.DELETED) {
      pending.remove(change.terminalId());
    }
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
