package dev.voi.coherence.control;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of {@code terminal_change}: what one server instance tells the others about terminals it
 * changed. Times are the database's ({@code CURRENT_TIMESTAMP}), so that the instances' own clocks
 * never matter.
 */
public final class TerminalChangeLog {

  /** A change as read back: its row id, the terminal and what changed. */
  public record Entry(long id, TerminalChanged change) {}

  private TerminalChangeLog() {}

  /** Records a change in the caller's transaction; gives back the row's id. */
  public static long record(Connection c, TerminalChanged change) throws SQLException {
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO terminal_change (terminal_id, kind) VALUES (?, ?)", new String[] {"id"})) {
      insert.setLong(1, change.terminalId());
      insert.setString(2, change.kind().name());
      insert.executeUpdate();
      try (ResultSet keys = insert.getGeneratedKeys()) {
        if (!keys.next()) {
          throw new SQLException("no id for the terminal_change row");
        }
        return keys.getLong(1);
      }
    }
  }

  /** The changes recorded (started, for those still uncommitted) in the last {@code seconds}. */
  public static List<Entry> recent(Connection c, int seconds) throws SQLException {
    List<Entry> entries = new ArrayList<>();
    try (PreparedStatement select =
            c.prepareStatement(
                "SELECT id, terminal_id, kind FROM terminal_change WHERE changed_at >="
                    + " CURRENT_TIMESTAMP - INTERVAL '"
                    + seconds
                    + "' SECOND ORDER BY id");
        ResultSet rs = select.executeQuery()) {
      while (rs.next()) {
        entries.add(
            new Entry(
                rs.getLong(1),
                new TerminalChanged(rs.getLong(2), TerminalChanged.Kind.valueOf(rs.getString(3)))));
      }
    }
    return entries;
  }

  /** Removes the changes older than {@code seconds}. */
  public static int prune(Connection c, int seconds) throws SQLException {
    try (PreparedStatement delete =
        c.prepareStatement(
            "DELETE FROM terminal_change WHERE changed_at < CURRENT_TIMESTAMP - INTERVAL '"
                + seconds
                + "' SECOND")) {
      return delete.executeUpdate();
    }
  }
}
