package dev.voi.coherence.control;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code terminal_change} rows this instance wrote: its own caches were already brought up to
 * date when those transactions committed, so reading them back from the log must not drop the
 * entries again (after a burst of changes that would send every changed terminal's next poll to the
 * database once more). Rows of a transaction that rolled back never appear; they are forgotten
 * after a while.
 */
@ApplicationScoped
public class OwnChanges {

  /** How long a row id is remembered: well past the window in which the log is read. */
  static final long FORGET_AFTER_NANOS = 2L * RemoteTerminalChanges.KEEP_SECONDS * 1_000_000_000L;

  private final Map<Long, Long> written = new ConcurrentHashMap<>();

  /** Notes a row this instance inserted (before its transaction commits). */
  public void wrote(long changeId) {
    written.put(changeId, System.nanoTime());
  }

  /** Whether the row is this instance's own; each id answers true once. */
  boolean takeOwn(long changeId) {
    return written.remove(changeId) != null;
  }

  /** Forgets ids whose rows never appeared (their transactions rolled back). */
  void forgetOld() {
    long now = System.nanoTime();
    written.values().removeIf(at -> now - at > FORGET_AFTER_NANOS);
  }
}
