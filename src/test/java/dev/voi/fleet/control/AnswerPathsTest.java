package dev.voi.fleet.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.answers.control.AnswerKeeper;
import dev.voi.answers.control.ChainSnapshot;
import dev.voi.answers.entity.ReportedNodes;
import dev.voi.chain.ChainNode;
import dev.voi.chain.CheckInfo;
import dev.voi.chain.Checksum;
import dev.voi.chain.LayerState;
import dev.voi.chain.Policy;
import dev.voi.chain.ServerLayer;
import dev.voi.images.control.Affected;
import dev.voi.platform.SchemaMigration;
import dev.voi.platform.VoiConfig;
import dev.voi.platform.VoiDataSource;
import dev.voi.testing.TestDatabases;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-terminal path (a report or poll: {@link AnswerKeeper} through JPA) and the set-based path
 * (a re-decision: {@link FleetSql}) write the same thing for the same decision: every column of the
 * assignment row and of the {@code answer_change} row, compared column by column as the database
 * holds them, on both databases. A column that one path writes and the other forgets fails here.
 */
class AnswerPathsTest {

  static final Instant NOW = Instant.parse("2026-12-05T07:30:00Z");
  static final UUID SERVER = UUID.fromString("3f1c6a52-7d0e-4b8e-9a41-2c5d8e9f0a17");
  static final String IMAGE = "img";
  static final String TRIGGER = "publish";

  @Test
  void onPostgresql() throws Exception {
    check(TestDatabases.freshPostgresql("voi.test.paths.db.url", "voi_answer_paths_test"));
  }

  @Test
  void onTheEmbeddedDatabase(@TempDir Path dataDir) throws Exception {
    check(TestDatabases.embedded(dataDir));
  }

  private void check(VoiDataSource dataSource) throws Exception {
    SchemaMigration.migrate(dataSource);
    List<Checksum> chain = lineage(4);
    ChainSnapshot snapshot = snapshot(chain);
    Checksum stranger = Checksum.sha256("not ours");
    // What each pair of terminals reports: nothing, one behind, three behind, diverged, current.
    List<List<ChainNode>> reports =
        List.of(
            List.of(),
            report(chain.subList(0, 3)),
            report(chain.subList(0, 1)),
            List.of(new ChainNode(chain.get(0), stranger), new ChainNode(stranger, stranger)),
            report(chain));
    try (Connection c = dataSource.getConnection()) {
      execute(
          c,
          "INSERT INTO image (id, name, policy, max_incremental_layers, created_at, revision)"
              + " VALUES (7, 'img', 'patent', 8, TIMESTAMP WITH TIME ZONE"
              + " '2026-01-01 00:00:00+00', 5)");
      for (int r = 0; r < reports.size(); r++) {
        for (long terminal : pair(r)) {
          execute(
              c,
              "INSERT INTO terminal (id, name, token_hash, created_at) VALUES ("
                  + terminal
                  + ", 't"
                  + terminal
                  + "', '"
                  + "h".repeat(60)
                  + String.format("%04d", terminal)
                  + "', TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00')");
          assignStale(c, terminal, ReportedNodes.encode(reports.get(r)), reports.get(r).size());
        }
      }
    }

    // The per-terminal path decides the first terminal of each pair.
    EntityManagerFactory factory = entityManagers(dataSource);
    try {
      EntityManager em = factory.createEntityManager();
      AnswerKeeper keeper = new AnswerKeeper();
      set(keeper, "em", em);
      set(keeper, "config", new FixedPoll());
      set(keeper, "clock", Clock.fixed(NOW, ZoneOffset.UTC));
      for (int r = 0; r < reports.size(); r++) {
        em.getTransaction().begin();
        assertThat(keeper.redecide(pair(r)[0], snapshot, "default", TRIGGER)).isPresent();
        em.getTransaction().commit();
      }
      em.close();
    } finally {
      factory.close();
    }

    // The set-based path decides the second one.
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      long after = 0;
      for (int r = 0; r < reports.size(); r++) {
        long second = pair(r)[1];
        FleetSql.Batch batch =
            FleetSql.redecideBatch(
                c,
                image -> Optional.of(snapshot),
                TRIGGER,
                7L,
                Affected.ALL,
                second - 1,
                second + 1,
                1,
                NOW,
                60);
        assertThat(batch.written()).as("pair %d", r).isEqualTo(1);
        after = batch.lastId();
      }
      assertThat(after).isEqualTo(2L * reports.size());
      c.commit();

      for (int r = 0; r < reports.size(); r++) {
        long[] pair = pair(r);
        Map<String, String> perTerminal = row(c, "assignment", "id", pair[0]);
        Map<String, String> setBased = row(c, "assignment", "id", pair[1]);
        assertThat(setBased).as("assignment, pair %d", r).isEqualTo(perTerminal);
        assertThat(perTerminal.get("answer_revision")).isEqualTo("5");
        assertThat(perTerminal.get("version")).isEqualTo("1");
        Map<String, String> changeByJpa = row(c, "answer_change", "terminal_id", pair[0]);
        Map<String, String> changeBySql = row(c, "answer_change", "terminal_id", pair[1]);
        assertThat(changeBySql).as("answer_change, pair %d", r).isEqualTo(changeByJpa);
        assertThat(changeByJpa.get("triggered_by")).isEqualTo(TRIGGER);
      }
      // The pairs between them fill every column that an answer can leave empty.
      Map<String, String> oneBehind = row(c, "answer_change", "terminal_id", pair(1)[0]);
      assertThat(oneBehind.get("move_count")).isEqualTo("1");
      assertThat(oneBehind.get("tip_depth")).isEqualTo("3");
      assertThat(oneBehind.get("download_count")).isEqualTo("1");
      assertThat(oneBehind.get("reported_tip")).isEqualTo(chain.get(2).hex());
      Map<String, String> diverged = row(c, "answer_change", "terminal_id", pair(3)[0]);
      assertThat(diverged.get("diverged_at")).isNotNull();
      assertThat(row(c, "answer_change", "terminal_id", pair(0)[0]).get("reported_tip")).isNull();
    }
  }

  /** Terminal (and assignment) ids of pair r: 2r + 1 decided per terminal, 2r + 2 set-based. */
  private static long[] pair(int r) {
    return new long[] {2L * r + 1, 2L * r + 2};
  }

  /** Every column of the one row where {@code key = id}, but the row's own id and terminal. */
  private static Map<String, String> row(Connection c, String table, String key, long id)
      throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement("SELECT * FROM " + table + " WHERE " + key + " = ?")) {
      select.setLong(1, id);
      try (ResultSet rs = select.executeQuery()) {
        assertThat(rs.next()).as("%s row of %d", table, id).isTrue();
        ResultSetMetaData meta = rs.getMetaData();
        Map<String, String> columns = new LinkedHashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          String name = meta.getColumnLabel(i).toLowerCase();
          if (name.equals("id") || name.equals("terminal_id")) {
            continue;
          }
          Object value = rs.getObject(i);
          if (value instanceof byte[] bytes) {
            columns.put(name, Arrays.toString(bytes));
          } else if (value instanceof java.sql.Timestamp
              || value instanceof OffsetDateTime
              || value instanceof java.time.temporal.Temporal) {
            columns.put(name, rs.getObject(i, OffsetDateTime.class).toInstant().toString());
          } else {
            columns.put(name, value == null ? null : value.toString());
          }
        }
        assertThat(rs.next()).as("one %s row of %d", table, id).isFalse();
        return columns;
      }
    }
  }

  private static EntityManagerFactory entityManagers(VoiDataSource dataSource) {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("jakarta.persistence.transactionType", "RESOURCE_LOCAL");
    overrides.put("jakarta.persistence.jtaDataSource", dataSource);
    overrides.put(
        "hibernate.transaction.jta.platform",
        "org.hibernate.engine.transaction.jta.platform.internal.NoJtaPlatform");
    overrides.put("hibernate.hbm2ddl.auto", "none");
    overrides.put("jakarta.persistence.validation.mode", "NONE");
    return Persistence.createEntityManagerFactory("voi", overrides);
  }

  /** An assignment that reported {@code nodes} and holds an answer of an older revision. */
  private static void assignStale(Connection c, long id, byte[] nodes, int layers)
      throws SQLException {
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO assignment (id, terminal_id, image_id, assigned_at, reported_nodes,"
                + " reported_layers, reported_at, strategy, reason, policy, keep_layers,"
                + " total_bytes, answer_hash, answer_revision, decided_at, version)"
                + " VALUES (?, ?, 7, TIMESTAMP WITH TIME ZONE '2026-12-01 00:00:00+00', ?, ?,"
                + " TIMESTAMP WITH TIME ZONE '2026-12-01 00:01:00+00', 'STOP', 'UP_TO_DATE',"
                + " 'patent', 0, 0, 'old', 4, TIMESTAMP WITH TIME ZONE '2026-12-01 00:01:00+00',"
                + " 0)")) {
      insert.setLong(1, id);
      insert.setLong(2, id);
      insert.setBytes(3, nodes);
      insert.setInt(4, layers);
      insert.executeUpdate();
    }
  }

  /** c_0..c_{count-1}, layer k of version k + 1. */
  private static List<Checksum> lineage(int count) {
    List<Checksum> checksums = new ArrayList<>();
    Checksum parent = null;
    for (int k = 0; k < count; k++) {
      parent = new CheckInfo(k + 1, SERVER, IMAGE, parent, Checksum.sha256("c" + k)).checksum();
      checksums.add(parent);
    }
    return checksums;
  }

  private static ChainSnapshot snapshot(List<Checksum> checksums) {
    List<ChainSnapshot.LayerFile> layers = new ArrayList<>();
    for (int k = 0; k < checksums.size(); k++) {
      Checksum c = checksums.get(k);
      layers.add(
          new ChainSnapshot.LayerFile(
              new ServerLayer(k, k + 1, c, 1000L * (k + 1), LayerState.PUBLISHED),
              IMAGE + "-000" + k + "-" + c.shortHex() + ".qcow2",
              Checksum.sha256("file" + k).hex()));
    }
    return new ChainSnapshot(7, IMAGE, Policy.PATENT, 8, 5, layers, TRIGGER);
  }

  private static List<ChainNode> report(List<Checksum> held) {
    List<ChainNode> nodes = new ArrayList<>();
    for (int k = 0; k < held.size(); k++) {
      Checksum tail = k + 1 < held.size() ? held.get(k + 1) : Checksum.sha256("random");
      nodes.add(new ChainNode(held.get(k), tail));
    }
    return nodes;
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement statement = c.createStatement()) {
      statement.execute(sql);
    }
  }

  /** Sets a bean's injected field (package-private in its component). */
  private static void set(Object bean, String name, Object value) throws Exception {
    Field field = bean.getClass().getDeclaredField(name);
    field.setAccessible(true);
    field.set(bean, value);
  }

  /** voi.poll.seconds = 60. */
  static final class FixedPoll extends VoiConfig {
    @Override
    public int pollSeconds() {
      return 60;
    }
  }
}
