package dev.voi.metrics.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.chain.Reason;
import dev.voi.chain.Strategy;
import dev.voi.platform.SchemaMigration;
import dev.voi.platform.VoiDataSource;
import dev.voi.testing.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The grouped statements behind the fleet and database gauges, on both databases: the answers per
 * image, strategy and reason (assignments without a report not counted), and the rows per table.
 */
class FleetCountsTest {

  @Test
  void onPostgresql() throws Exception {
    check(TestDatabases.freshPostgresql("voi.test.metrics.db.url", "voi_metrics_counts_test"));
  }

  @Test
  void onTheEmbeddedDatabase(@TempDir Path dataDir) throws Exception {
    check(TestDatabases.embedded(dataDir));
  }

  private void check(VoiDataSource dataSource) throws Exception {
    SchemaMigration.migrate(dataSource);
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      for (String image : List.of("win11", "ubuntu")) {
        s.executeUpdate(
            "INSERT INTO image (name, policy, max_incremental_layers, created_at, revision)"
                + " VALUES ('"
                + image
                + "', 'patent', 8, CURRENT_TIMESTAMP, 1)");
      }
      for (int t = 1; t <= 6; t++) {
        s.executeUpdate(
            "INSERT INTO terminal (id, name, token_hash, created_at) VALUES ("
                + t
                + ", 't"
                + t
                + "', '"
                + "%064d".formatted(t)
                + "', CURRENT_TIMESTAMP)");
      }
      // win11: two up to date, one one behind, one assigned without a report; ubuntu: one diverged.
      answer(s, 1, "win11", "STOP", "UP_TO_DATE");
      answer(s, 2, "win11", "STOP", "UP_TO_DATE");
      answer(s, 3, "win11", "INCREMENTAL", "ONE_BEHIND");
      answer(s, 4, "win11", null, null);
      answer(s, 5, "ubuntu", "FULL", "DIVERGED");

      assertThat(FleetCounts.terminals(rows(s, FleetCounts.TERMINALS)))
          .isEqualTo(
              Map.of(
                  new FleetCounts.Series("win11", Strategy.STOP, Reason.UP_TO_DATE), 2L,
                  new FleetCounts.Series("win11", Strategy.INCREMENTAL, Reason.ONE_BEHIND), 1L,
                  new FleetCounts.Series("ubuntu", Strategy.FULL, Reason.DIVERGED), 1L));
      Map<String, Long> tables = FleetCounts.rows(rows(s, FleetCounts.ROWS));
      assertThat(tables.keySet()).containsExactlyElementsOf(FleetCounts.TABLES);
      assertThat(tables)
          .containsEntry("image", 2L)
          .containsEntry("terminal", 6L)
          .containsEntry("assignment", 5L)
          .containsEntry("layer", 0L);
      assertThat(rows(s, FleetCounts.IMAGES)).hasSize(2);
    }
  }

  /** An assignment of {@code image} to terminal {@code t}, reported with that answer or not. */
  private static void answer(Statement s, int t, String image, String strategy, String reason)
      throws SQLException {
    try (PreparedStatement insert =
        s.getConnection()
            .prepareStatement(
                "INSERT INTO assignment (terminal_id, image_id, assigned_at, reported_nodes,"
                    + " reported_layers, reported_at, strategy, reason, version)"
                    + " SELECT ?, id, CURRENT_TIMESTAMP, ?, ?, ?, ?, ?, 0 FROM image WHERE name = ?")) {
      boolean reported = strategy != null;
      insert.setLong(1, t);
      insert.setBytes(2, reported ? new byte[0] : null);
      insert.setObject(3, reported ? 0 : null, Types.INTEGER);
      insert.setObject(
          4, reported ? OffsetDateTime.now(ZoneOffset.UTC) : null, Types.TIMESTAMP_WITH_TIMEZONE);
      insert.setString(5, strategy);
      insert.setString(6, reason);
      insert.setString(7, image);
      insert.executeUpdate();
    }
  }

  private static List<Object> rows(Statement s, String sql) throws SQLException {
    List<Object> rows = new ArrayList<>();
    try (ResultSet r = s.executeQuery(sql)) {
      int columns = r.getMetaData().getColumnCount();
      while (r.next()) {
        Object[] row = new Object[columns];
        for (int i = 0; i < columns; i++) {
          row[i] = r.getObject(i + 1);
        }
        rows.add(columns == 1 ? row[0] : row);
      }
    }
    return rows;
  }
}
