package dev.voi.fleet.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.answers.control.ChainSnapshot;
import dev.voi.answers.entity.ReportedNodes;
import dev.voi.chain.Checksum;
import dev.voi.chain.LayerState;
import dev.voi.chain.Policy;
import dev.voi.chain.Reason;
import dev.voi.chain.ServerLayer;
import dev.voi.chain.Strategy;
import dev.voi.images.control.Affected;
import dev.voi.platform.SchemaMigration;
import dev.voi.platform.VoiDataSource;
import dev.voi.testing.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit's whole-fleet SQL on both databases: a drifted answer is put right and recorded with
 * the audit as trigger, an answer decided against a newer revision is left alone, a current one is
 * not written, counts come from the table, the stale list from last_seen or created_at.
 */
class FleetSqlTest {

  static final Instant NOW = Instant.parse("2026-11-26T04:00:00Z");

  @Test
  void onPostgresql() throws Exception {
    check(TestDatabases.freshPostgresql("voi.test.fleet.db.url", "voi_fleet_sql_test"));
  }

  @Test
  void onTheEmbeddedDatabase(@TempDir Path dataDir) throws Exception {
    check(TestDatabases.embedded(dataDir));
  }

  private void check(VoiDataSource dataSource) throws Exception {
    SchemaMigration.migrate(dataSource);
    List<Checksum> chain = List.of(Checksum.sha256("l0"), Checksum.sha256("l1"));
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      execute(
          c,
          "INSERT INTO image (id, name, policy, max_incremental_layers, created_at, revision)"
              + " VALUES (7, 'img', 'catch-up', 3, TIMESTAMP WITH TIME ZONE"
              + " '2026-01-01 00:00:00+00', 5)");
      for (int t = 1; t <= 4; t++) {
        execute(
            c,
            "INSERT INTO terminal (id, name, token_hash, created_at, last_seen) VALUES ("
                + t
                + ", 't"
                + t
                + "', '"
                + "h".repeat(63)
                + t
                + "', TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00', "
                + (t == 4 ? "NULL" : "TIMESTAMP WITH TIME ZONE '2026-11-26 03:59:00+00'")
                + ")");
      }
      // 1: drifted (old revision, wrong answer); 2: decided against a newer revision; 3: current.
      ChainSnapshot snapshot = snapshot(chain);
      byte[] empty = ReportedNodes.encode(List.of());
      assign(c, 1, empty, "STOP", "UP_TO_DATE", "old", 4);
      assign(c, 2, empty, "STOP", "UP_TO_DATE", "newer", 6);
      String current = snapshot.answerFor(List.of(), 60, "default", NOW).answer().fingerprint();
      assign(c, 3, empty, "FULL", "NO_LOCAL_CHAIN", current, 5);
      c.commit();

      FleetSql.Batch first =
          FleetSql.redecideBatch(
              c,
              image -> Optional.of(snapshot),
              "audit 42",
              null,
              Affected.ALL,
              0,
              Long.MAX_VALUE,
              2,
              NOW,
              60);
      FleetSql.Batch second =
          FleetSql.redecideBatch(
              c,
              image -> Optional.of(snapshot),
              "audit 42",
              null,
              Affected.ALL,
              first.lastId(),
              Long.MAX_VALUE,
              2,
              NOW,
              60);
      FleetSql.Batch none =
          FleetSql.redecideBatch(
              c,
              image -> Optional.of(snapshot),
              "audit 42",
              null,
              Affected.ALL,
              second.lastId(),
              Long.MAX_VALUE,
              2,
              NOW,
              60);
      c.commit();

      assertThat(first.read() + second.read()).isEqualTo(3);
      assertThat(none.read()).isZero();
      assertThat(first.written() + second.written()).isEqualTo(1);
      List<FleetSql.Changed> changed = new ArrayList<>(first.changed());
      changed.addAll(second.changed());
      assertThat(changed)
          .containsExactly(
              new FleetSql.Changed(
                  1,
                  7,
                  "default",
                  0,
                  Strategy.STOP,
                  Reason.UP_TO_DATE,
                  Strategy.FULL,
                  Reason.NO_LOCAL_CHAIN));
      assertThat(text(c, "SELECT strategy, answer_hash, version FROM assignment WHERE id = 1"))
          .isEqualTo("FULL " + current + " 1");
      assertThat(text(c, "SELECT strategy, answer_hash, version FROM assignment WHERE id = 2"))
          .isEqualTo("STOP newer 0");
      assertThat(text(c, "SELECT strategy, answer_hash, version FROM assignment WHERE id = 3"))
          .isEqualTo("FULL " + current + " 0");
      assertThat(
              text(
                  c,
                  "SELECT terminal_id, triggered_by, strategy, reason, image_revision"
                      + " FROM answer_change"))
          .isEqualTo("1 audit 42 FULL NO_LOCAL_CHAIN 5");

      // Ranges for parallel workers: every size-th reported row starts one; bounds are exclusive.
      assertThat(FleetSql.rangeStarts(c, null, Affected.ALL, 2)).containsExactly(1L, 3L);
      assertThat(FleetSql.rangeStarts(c, 7L, Affected.ALL, 1)).containsExactly(1L, 2L, 3L);
      assertThat(FleetSql.rangeStarts(c, 8L, Affected.ALL, 2)).isEmpty();
      // A change that names groups selects the rows of those terminals only (or of all others).
      execute(c, "UPDATE assignment SET group_name = 'lab' WHERE terminal_id = 2");
      assertThat(FleetSql.rangeStarts(c, 7L, Affected.only(Set.of("lab")), 1)).containsExactly(2L);
      assertThat(FleetSql.rangeStarts(c, 7L, Affected.allBut(Set.of("lab")), 1))
          .containsExactly(1L, 3L);
      assertThat(FleetSql.rangeStarts(c, 7L, Affected.only(Set.of()), 1)).isEmpty();
      FleetSql.Batch lab =
          FleetSql.redecideBatch(
              c,
              image -> Optional.of(snapshot),
              "audit 43",
              7L,
              Affected.only(Set.of("lab", "hall")),
              0,
              Long.MAX_VALUE,
              10,
              NOW,
              60);
      assertThat(lab.read()).isEqualTo(1);
      assertThat(lab.lastId()).isEqualTo(2);
      FleetSql.Batch bounded =
          FleetSql.redecideBatch(
              c, image -> Optional.of(snapshot), "audit 43", null, Affected.ALL, 1, 3, 10, NOW, 60);
      assertThat(bounded.read()).isEqualTo(1);
      assertThat(bounded.lastId()).isEqualTo(2);
      FleetSql.Batch otherImage =
          FleetSql.redecideBatch(
              c,
              image -> Optional.of(snapshot),
              "audit 43",
              8L,
              Affected.ALL,
              0,
              Long.MAX_VALUE,
              10,
              NOW,
              60);
      assertThat(otherImage.read()).isZero();
      FleetSql.Batch thisImage =
          FleetSql.redecideBatch(
              c,
              image -> Optional.of(snapshot),
              "audit 43",
              7L,
              Affected.ALL,
              0,
              Long.MAX_VALUE,
              10,
              NOW,
              60);
      assertThat(thisImage.read()).isEqualTo(3);
      assertThat(thisImage.written()).isZero(); // every answer is already this chain's
      c.commit();

      FleetDecisions.Redecision counts = FleetSql.counts(c, 1, List.of());
      assertThat(counts.decisions()).isEqualTo(3);
      assertThat(counts.byStrategy())
          .containsEntry(Strategy.FULL, 2L)
          .containsEntry(Strategy.STOP, 1L);
      assertThat(counts.byReason())
          .containsEntry(Reason.NO_LOCAL_CHAIN, 2L)
          .containsEntry(Reason.UP_TO_DATE, 1L);

      FleetDecisions.StaleTerminals stale = FleetSql.stale(c, NOW.minusSeconds(30 * 60), 10);
      assertThat(stale.total()).isEqualTo(1);
      assertThat(stale.terminals())
          .containsExactly(new FleetDecisions.Stale(4, "t4", "default", null));
      assertThat(FleetSql.names(c, "terminal", List.of(1L, 4L))).containsEntry(1L, "t1").hasSize(2);
      c.commit();
    }
  }

  private static ChainSnapshot snapshot(List<Checksum> chain) {
    List<ChainSnapshot.LayerFile> files = new ArrayList<>();
    for (int k = 0; k < chain.size(); k++) {
      files.add(
          new ChainSnapshot.LayerFile(
              new ServerLayer(k, k + 1, chain.get(k), 1000, LayerState.PUBLISHED),
              "f" + k,
              chain.get(k).hex()));
    }
    return new ChainSnapshot(7, "img", Policy.CATCH_UP, 3, 5, files, "audit");
  }

  private static void assign(
      Connection c,
      long terminal,
      byte[] nodes,
      String strategy,
      String reason,
      String hash,
      long revision)
      throws SQLException {
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO assignment (id, terminal_id, image_id, assigned_at, reported_nodes,"
                + " reported_layers, reported_at, strategy, reason, policy, keep_layers,"
                + " total_bytes, answer_hash, answer_revision, decided_at, version)"
                + " VALUES (?, ?, 7, CURRENT_TIMESTAMP, ?, 0, CURRENT_TIMESTAMP, ?, ?, 'catch-up',"
                + " 0, 0, ?, ?, CURRENT_TIMESTAMP, 0)")) {
      insert.setLong(1, terminal);
      insert.setLong(2, terminal);
      insert.setBytes(3, nodes);
      insert.setString(4, strategy);
      insert.setString(5, reason);
      insert.setString(6, hash);
      insert.setLong(7, revision);
      insert.executeUpdate();
    }
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement statement = c.createStatement()) {
      statement.execute(sql);
    }
  }

  private static String text(Connection c, String sql) throws SQLException {
    try (Statement statement = c.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      StringBuilder rows = new StringBuilder();
      while (rs.next()) {
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          rows.append(i == 1 ? (rows.length() == 0 ? "" : "\n") : " ").append(rs.getString(i));
        }
      }
      return rows.toString();
    }
  }
}
