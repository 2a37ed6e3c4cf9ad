package dev.voi.terminals.control;

import dev.voi.platform.Database;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import javax.sql.DataSource;

/** Writes "last seen" moments in one JDBC batch; never moves a moment backwards. */
@ApplicationScoped
@Transactional
public class SeenWriter {

  static final int BATCH = 500;

  @Resource(lookup = Database.LOOKUP)
  DataSource dataSource;

  public void write(Map<Long, Instant> seen) throws SQLException {
    if (seen.isEmpty()) {
      return;
    }
    try (Connection connection = dataSource.getConnection();
        PreparedStatement update =
            connection.prepareStatement(
                "UPDATE terminal SET last_seen = ? WHERE id = ?"
                    + " AND (last_seen IS NULL OR last_seen < ?)")) {
      int pending = 0;
      for (Map.Entry<Long, Instant> entry : seen.entrySet()) {
        Timestamp at = Timestamp.from(entry.getValue());
        update.setTimestamp(1, at);
        update.setLong(2, entry.getKey());
        update.setTimestamp(3, at);
        update.addBatch();
        if (++pending == BATCH) {
          update.executeBatch();
          pending = 0;
        }
      }
      if (pending > 0) {
        update.executeBatch();
      }
    }
  }
}
