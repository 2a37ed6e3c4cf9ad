package dev.voi.coherence.control;

import dev.voi.platform.Database;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Applies the terminal changes that other server instances on the same database recorded: a token
 * rotated or a terminal deleted there stops working here within one housekeeping tick (5 s), an
 * assignment changed there is seen here just as soon. Reads the changes of the last {@link
 * #WINDOW_SECONDS} each time (a change whose transaction committed late is still in the window) and
 * applies each once. This instance's own changes are skipped ({@link OwnChanges}): its caches were
 * brought up to date when they committed.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRES_NEW)
public class RemoteTerminalChanges {

  static final int WINDOW_SECONDS = 60;
  static final int KEEP_SECONDS = 600;

  @Resource(lookup = Database.LOOKUP)
  DataSource dataSource;

  @Inject CacheInvalidation invalidation;

  @Inject OwnChanges own;

  private Set<Long> applied = new HashSet<>();

  /**
   * Applies the changes not applied yet and prunes old rows.
   *
   * @return how many changes were applied
   */
  public synchronized int poll() throws SQLException {
    List<TerminalChangeLog.Entry> recent;
    try (Connection c = dataSource.getConnection()) {
      recent = TerminalChangeLog.recent(c, WINDOW_SECONDS);
      TerminalChangeLog.prune(c, KEEP_SECONDS);
    }
    Set<Long> inWindow = new HashSet<>();
    int count = 0;
    for (TerminalChangeLog.Entry entry : recent) {
      inWindow.add(entry.id());
      if (!applied.contains(entry.id()) && !own.takeOwn(entry.id())) {
        invalidation.apply(entry.change());
        count++;
      }
    }
    applied = inWindow; // what left the window cannot come back
    own.forgetOld();
    return count;
  }
}
