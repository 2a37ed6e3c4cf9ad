package dev.voi.coherence.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.platform.SchemaMigration;
import dev.voi.platform.VoiDataSource;
import dev.voi.testing.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one instance tells the others about terminals it changed, on both databases: recorded in the
 * changing transaction, read back within the window in order, each applied once by a poller, pruned
 * when old (by the database's clock).
 */
class TerminalChangeLogTest {

  @Test
  void onPostgresql() throws Exception {
    check(TestDatabases.freshPostgresql("voi.test.change.db.url", "voi_terminal_change_test"));
  }

  @Test
  void onTheEmbeddedDatabase(@TempDir Path dataDir) throws Exception {
    check(TestDatabases.embedded(dataDir));
  }

  private void check(VoiDataSource dataSource) throws Exception {
    SchemaMigration.migrate(dataSource);
    List<TerminalChanged> seen = new ArrayList<>();
    RemoteTerminalChanges poller = new RemoteTerminalChanges();
    poller.dataSource = dataSource;
    poller.own = new OwnChanges();
    poller.invalidation =
        new CacheInvalidation() {
          @Override
          public void apply(TerminalChanged change) {
            seen.add(change);
          }
        };
    TerminalChanged rotated = new TerminalChanged(7, TerminalChanged.Kind.TOKEN);
    TerminalChanged unassigned = new TerminalChanged(8, TerminalChanged.Kind.ASSIGNMENTS);
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      TerminalChangeLog.record(c, rotated);
      TerminalChangeLog.record(c, unassigned);
      assertThat(poller.poll()).as("not committed yet").isZero();
      c.commit();
    }
    assertThat(poller.poll()).isEqualTo(2);
    assertThat(seen).containsExactly(rotated, unassigned);
    assertThat(poller.poll()).as("each change is applied once").isZero();

    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      TerminalChangeLog.record(c, new TerminalChanged(9, TerminalChanged.Kind.DELETED));
      // Two changes from long ago: out of the window, and one of them old enough to be pruned.
      s.executeUpdate(
          "INSERT INTO terminal_change (terminal_id, kind, changed_at) VALUES (10, 'TOKEN',"
              + " CURRENT_TIMESTAMP - INTERVAL '120' SECOND)");
      s.executeUpdate(
          "INSERT INTO terminal_change (terminal_id, kind, changed_at) VALUES (11, 'TOKEN',"
              + " CURRENT_TIMESTAMP - INTERVAL '3600' SECOND)");
      assertThat(TerminalChangeLog.recent(c, 60))
          .extracting(e -> e.change().terminalId())
          .containsExactly(7L, 8L, 9L);
    }
    assertThat(poller.poll()).isEqualTo(1);
    assertThat(seen).last().isEqualTo(new TerminalChanged(9, TerminalChanged.Kind.DELETED));

    // This instance's own change: its caches were updated when it committed; not applied again.
    try (Connection c = dataSource.getConnection()) {
      poller.own.wrote(
          TerminalChangeLog.record(c, new TerminalChanged(12, TerminalChanged.Kind.TOKEN)));
    }
    int before = seen.size();
    assertThat(poller.poll()).as("its own change").isZero();
    assertThat(seen).hasSize(before);
    try (Connection c = dataSource.getConnection()) {
      assertThat(TerminalChangeLog.recent(c, 7200))
          .as("the poll pruned what is older than ten minutes")
          .extracting(e -> e.change().terminalId())
          .containsExactly(7L, 8L, 9L, 10L, 12L);
    }
  }
}
