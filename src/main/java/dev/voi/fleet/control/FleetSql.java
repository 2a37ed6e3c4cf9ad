package dev.voi.fleet.control;

import dev.voi.answers.control.ChainSnapshot;
import dev.voi.answers.entity.ReportedNodes;
import dev.voi.answers.entity.StrategyAnswer;
import dev.voi.chain.Reason;
import dev.voi.chain.Strategy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * The set-based SQL of a whole-fleet re-decision and of the stale-terminal list, on a plain JDBC
 * connection (the caller owns the transaction): per batch one SELECT of the reported assignments in
 * id order, one compare-and-set UPDATE and one INSERT of {@code answer_change} rows for the rows
 * whose UPDATE took. On PostgreSQL each is one statement over arrays ({@code unnest}); elsewhere
 * (H2) each is one JDBC batch of single-row statements. The decision itself is {@link
 * ChainSnapshot#answerFor}, that is {@code StrategyDecider}, exactly as for reports and polls.
 *
 * <p>A row is written only where it is still what the batch read: the same {@code version} (no
 * report, poll or re-decision wrote it since) and an answer decided against no newer image revision
 * than the chain used here. Rows whose answer is already that of the current chain are not written
 * at all.
 */
public final class FleetSql {

  /** {@code answer_change.triggered_by} holds 16 characters. */
  static final int TRIGGER_LENGTH = 16;

  private static final String SELECT =
      "SELECT id, terminal_id, image_id, reported_nodes, reported_layers, strategy, reason,"
          + " answer_hash, answer_revision, version FROM assignment"
          + " WHERE reported_nodes IS NOT NULL AND id > ? AND id < ?%s ORDER BY id LIMIT ?";

  private static final String RANGES =
      "SELECT id FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM assignment"
          + " WHERE reported_nodes IS NOT NULL%s) numbered WHERE MOD(n - 1, ?) = 0 ORDER BY id";

  private static final String OF_IMAGE = " AND image_id = ?";

  private static final String UPDATE =
      "UPDATE assignment SET strategy = ?, reason = ?, policy = ?, move_count = ?,"
          + " diverged_at = ?, keep_layers = ?, total_bytes = ?, answer_hash = ?,"
          + " answer_revision = ?, decided_at = CASE WHEN answer_hash = ? THEN"
          + " COALESCE(decided_at, ?) ELSE ? END, version = version + 1"
          + " WHERE id = ? AND version = ? AND (answer_revision IS NULL OR answer_revision <= ?)";

  private static final String INSERT =
      "INSERT INTO answer_change (terminal_id, image_id, decided_at, triggered_by, strategy,"
          + " reason, policy, move_count, diverged_at, keep_layers, download_count, total_bytes,"
          + " reported_layers, reported_tip, tip_depth, tip_version, tip_checksum, image_revision,"
          + " answer_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private static final String COUNTS =
      "SELECT strategy, reason, COUNT(*) FROM assignment WHERE reported_nodes IS NOT NULL"
          + " GROUP BY strategy, reason";

  private static final String STALE_COUNT =
      "SELECT COUNT(*) FROM terminal WHERE COALESCE(last_seen, created_at) < ?";

  private static final String STALE =
      "SELECT id, name, last_seen FROM terminal WHERE COALESCE(last_seen, created_at) < ?"
          + " ORDER BY COALESCE(last_seen, created_at), id LIMIT ?";

  /** One changed answer (strategy or reason), before the terminal's name is looked up. */
  public record Changed(
      long terminalId,
      long imageId,
      Strategy oldStrategy,
      Reason oldReason,
      Strategy newStrategy,
      Reason newReason) {}

  /**
   * One batch.
   *
   * @param read how many reported assignments it read (0: none left)
   * @param lastId the last assignment id read
   * @param written how many rows it updated
   * @param lost how many it left because they were written meanwhile
   * @param changed the answers whose strategy or reason changed, as written
   */
  public record Batch(int read, long lastId, int written, int lost, List<Changed> changed) {}

  private FleetSql() {}

  /**
   * Splits the reported assignments (of one image, or of all when {@code imageId} is null) into
   * ranges of {@code size} rows, in one statement.
   *
   * @return the first assignment id of each range, ascending: range i holds the ids from start i up
   *     to, not including, start i+1; the last one is open-ended
   */
  public static List<Long> rangeStarts(Connection connection, Long imageId, int size)
      throws SQLException {
    if (size < 1) {
      throw new IllegalArgumentException("a range holds at least one row, got " + size);
    }
    List<Long> starts = new ArrayList<>();
    try (PreparedStatement select =
        connection.prepareStatement(String.format(RANGES, imageId == null ? "" : OF_IMAGE))) {
      int index = 1;
      if (imageId != null) {
        select.setLong(index++, imageId);
      }
      select.setInt(index, size);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          starts.add(rs.getLong(1));
        }
      }
    }
    return starts;
  }

  /**
   * Re-decides the next {@code limit} reported assignments with ids after {@code after} and below
   * {@code before} (of one image, or of all when {@code imageId} is null).
   *
   * @param chains the current chain of an image by id, empty for an image that is gone
   */
  public static Batch redecideBatch(
      Connection connection,
      LongFunction<Optional<ChainSnapshot>> chains,
      String trigger,
      Long imageId,
      long after,
      long before,
      int limit,
      Instant now,
      int pollSeconds)
      throws SQLException {
    String triggeredBy =
        trigger.length() > TRIGGER_LENGTH ? trigger.substring(0, TRIGGER_LENGTH) : trigger;
    OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
    int read = 0;
    long last = after;
    List<Row> toWrite = new ArrayList<>();
    try (PreparedStatement select =
        connection.prepareStatement(String.format(SELECT, imageId == null ? "" : OF_IMAGE))) {
      int index = 1;
      select.setLong(index++, after);
      select.setLong(index++, before);
      if (imageId != null) {
        select.setLong(index++, imageId);
      }
      select.setInt(index, limit);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          read++;
          last = rs.getLong(1);
          Optional<ChainSnapshot> chain = chains.apply(rs.getLong(3));
          long answerRevision = rs.getLong(9);
          boolean decided = !rs.wasNull();
          if (chain.isEmpty() || (decided && answerRevision > chain.get().revision())) {
            continue; // the image is gone, or someone decided against a newer chain meanwhile
          }
          byte[] nodes = rs.getBytes(4);
          StrategyAnswer answer = chain.get().answerFor(ReportedNodes.decode(nodes), pollSeconds);
          String fingerprint = answer.fingerprint();
          String oldHash = rs.getString(8);
          if (decided && answerRevision == chain.get().revision() && fingerprint.equals(oldHash)) {
            continue; // already this chain's answer
          }
          toWrite.add(
              new Row(
                  last,
                  rs.getLong(2),
                  rs.getLong(3),
                  nodes,
                  rs.getInt(5),
                  enumOrNull(Strategy.class, rs.getString(6)),
                  enumOrNull(Reason.class, rs.getString(7)),
                  oldHash,
                  rs.getLong(10),
                  chain.get().revision(),
                  answer,
                  fingerprint));
        }
      }
    }
    if (toWrite.isEmpty()) {
      return new Batch(read, last, 0, 0, List.of());
    }
    boolean postgres = isPostgres(connection);
    boolean[] took =
        postgres ? updateAtOnce(connection, toWrite, at) : updateBatched(connection, toWrite, at);
    int written = 0;
    List<Row> toRecord = new ArrayList<>();
    List<Changed> changed = new ArrayList<>();
    for (int i = 0; i < toWrite.size(); i++) {
      if (!took[i]) {
        continue;
      }
      written++;
      Row row = toWrite.get(i);
      if (row.fingerprint().equals(row.oldHash())) {
        continue; // same answer, only recorded against the newer revision
      }
      toRecord.add(row);
      StrategyAnswer a = row.answer();
      if (a.strategy() != row.oldStrategy() || a.reason() != row.oldReason()) {
        changed.add(
            new Changed(
                row.terminalId(),
                row.imageId(),
                row.oldStrategy(),
                row.oldReason(),
                a.strategy(),
                a.reason()));
      }
    }
    if (!toRecord.isEmpty()) {
      if (postgres) {
        insertAtOnce(connection, toRecord, triggeredBy, at);
      } else {
        insertBatched(connection, toRecord, triggeredBy, at);
      }
    }
    return new Batch(read, last, written, toWrite.size() - written, changed);
  }

  /** Every stored answer, counted per strategy and per reason with one GROUP BY. */
  public static FleetDecisions.Redecision counts(
      Connection connection, long changed, List<FleetDecisions.Change> changes)
      throws SQLException {
    Map<Strategy, Long> byStrategy = new EnumMap<>(Strategy.class);
    Map<Reason, Long> byReason = new EnumMap<>(Reason.class);
    long decisions = 0;
    try (PreparedStatement counts = connection.prepareStatement(COUNTS);
        ResultSet rs = counts.executeQuery()) {
      while (rs.next()) {
        long n = rs.getLong(3);
        byStrategy.merge(Strategy.valueOf(rs.getString(1)), n, Long::sum);
        byReason.merge(Reason.valueOf(rs.getString(2)), n, Long::sum);
        decisions += n;
      }
    }
    return new FleetDecisions.Redecision(decisions, byStrategy, byReason, changed, changes);
  }

  /** The names of terminals or images, by id, in one query (for a short list of ids). */
  public static Map<Long, String> names(Connection connection, String table, Collection<Long> ids)
      throws SQLException {
    Map<Long, String> names = new HashMap<>();
    if (ids.isEmpty()) {
      return names;
    }
    if (!table.equals("terminal") && !table.equals("image")) {
      throw new IllegalArgumentException(table);
    }
    String marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT id, name FROM " + table + " WHERE id IN (" + marks + ")")) {
      int index = 1;
      for (long id : ids) {
        select.setLong(index++, id);
      }
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          names.put(rs.getLong(1), rs.getString(2));
        }
      }
    }
    return names;
  }

  /** The images that have reported assignments, by id. */
  public static Map<Long, String> reportedImages(Connection connection) throws SQLException {
    Map<Long, String> images = new HashMap<>();
    try (PreparedStatement select =
            connection.prepareStatement(
                "SELECT i.id, i.name FROM image i WHERE EXISTS (SELECT 1 FROM assignment a"
                    + " WHERE a.image_id = i.id AND a.reported_nodes IS NOT NULL)");
        ResultSet rs = select.executeQuery()) {
      while (rs.next()) {
        images.put(rs.getLong(1), rs.getString(2));
      }
    }
    return images;
  }

  /** The terminals not seen since {@code notSeenSince}: two queries. */
  public static FleetDecisions.StaleTerminals stale(
      Connection connection, Instant notSeenSince, int limit) throws SQLException {
    OffsetDateTime since = notSeenSince.atOffset(ZoneOffset.UTC);
    long total;
    try (PreparedStatement count = connection.prepareStatement(STALE_COUNT)) {
      count.setObject(1, since);
      try (ResultSet rs = count.executeQuery()) {
        rs.next();
        total = rs.getLong(1);
      }
    }
    List<FleetDecisions.Stale> terminals = new ArrayList<>();
    if (total > 0 && limit > 0) {
      try (PreparedStatement select = connection.prepareStatement(STALE)) {
        select.setObject(1, since);
        select.setInt(2, limit);
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) {
            OffsetDateTime seen = rs.getObject(3, OffsetDateTime.class);
            terminals.add(
                new FleetDecisions.Stale(
                    rs.getLong(1), rs.getString(2), seen == null ? null : seen.toInstant()));
          }
        }
      }
    }
    return new FleetDecisions.StaleTerminals(total, terminals);
  }

  /** H2 and others: one JDBC batch of single-row UPDATEs. */
  private static boolean[] updateBatched(Connection connection, List<Row> rows, OffsetDateTime at)
      throws SQLException {
    int[] updated;
    try (PreparedStatement update = connection.prepareStatement(UPDATE)) {
      for (Row row : rows) {
        StrategyAnswer a = row.answer();
        update.setString(1, a.strategy().name());
        update.setString(2, a.reason().name());
        update.setString(3, a.policy());
        setInt(update, 4, a.moveCount());
        setInt(update, 5, a.divergedAt());
        update.setInt(6, a.keep());
        update.setLong(7, a.totalBytes());
        update.setString(8, row.fingerprint());
        update.setLong(9, row.revision());
        update.setString(10, row.fingerprint());
        update.setObject(11, at);
        update.setObject(12, at);
        update.setLong(13, row.id());
        update.setLong(14, row.version());
        update.setLong(15, row.revision());
        update.addBatch();
      }
      updated = update.executeBatch();
    }
    boolean[] took = new boolean[rows.size()];
    for (int i = 0; i < took.length; i++) {
      took[i] = updated[i] == 1 || updated[i] == Statement.SUCCESS_NO_INFO;
    }
    return took;
  }

  /** PostgreSQL: the whole batch in one UPDATE over arrays; RETURNING says which rows took. */
  private static boolean[] updateAtOnce(Connection connection, List<Row> rows, OffsetDateTime at)
      throws SQLException {
    int n = rows.size();
    Object[] ids = new Object[n];
    Object[] versions = new Object[n];
    Object[] revisions = new Object[n];
    Object[] strategies = new Object[n];
    Object[] reasons = new Object[n];
    Object[] policies = new Object[n];
    Object[] moves = new Object[n];
    Object[] diverged = new Object[n];
    Object[] keeps = new Object[n];
    Object[] totals = new Object[n];
    Object[] hashes = new Object[n];
    Map<Long, Integer> index = new HashMap<>();
    for (int i = 0; i < n; i++) {
      Row row = rows.get(i);
      StrategyAnswer a = row.answer();
      ids[i] = row.id();
      versions[i] = row.version();
      revisions[i] = row.revision();
      strategies[i] = a.strategy().name();
      reasons[i] = a.reason().name();
      policies[i] = a.policy();
      moves[i] = a.moveCount();
      diverged[i] = a.divergedAt();
      keeps[i] = a.keep();
      totals[i] = a.totalBytes();
      hashes[i] = row.fingerprint();
      index.put(row.id(), i);
    }
    boolean[] took = new boolean[n];
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE assignment a SET strategy = v.strategy, reason = v.reason, policy = v.policy,"
                + " move_count = v.move_count, diverged_at = v.diverged_at, keep_layers = v.keep,"
                + " total_bytes = v.total, answer_hash = v.hash, answer_revision = v.rev,"
                + " decided_at = CASE WHEN a.answer_hash = v.hash THEN COALESCE(a.decided_at, ?)"
                + " ELSE ? END, version = a.version + 1"
                + " FROM unnest(?::int8[], ?::int8[], ?::int8[], ?::varchar[], ?::varchar[],"
                + " ?::varchar[], ?::int4[], ?::int4[], ?::int4[], ?::int8[], ?::varchar[])"
                + " AS v(id, version, rev, strategy, reason, policy, move_count, diverged_at,"
                + " keep, total, hash)"
                + " WHERE a.id = v.id AND a.version = v.version"
                + " AND (a.answer_revision IS NULL OR a.answer_revision <= v.rev)"
                + " RETURNING a.id")) {
      update.setObject(1, at);
      update.setObject(2, at);
      update.setArray(3, connection.createArrayOf("int8", ids));
      update.setArray(4, connection.createArrayOf("int8", versions));
      update.setArray(5, connection.createArrayOf("int8", revisions));
      update.setArray(6, connection.createArrayOf("varchar", strategies));
      update.setArray(7, connection.createArrayOf("varchar", reasons));
      update.setArray(8, connection.createArrayOf("varchar", policies));
      update.setArray(9, connection.createArrayOf("int4", moves));
      update.setArray(10, connection.createArrayOf("int4", diverged));
      update.setArray(11, connection.createArrayOf("int4", keeps));
      update.setArray(12, connection.createArrayOf("int8", totals));
      update.setArray(13, connection.createArrayOf("varchar", hashes));
      try (ResultSet rs = update.executeQuery()) {
        while (rs.next()) {
          took[index.get(rs.getLong(1))] = true;
        }
      }
    }
    return took;
  }

  /** H2 and others: one JDBC batch of INSERTs. */
  private static void insertBatched(
      Connection connection, List<Row> rows, String triggeredBy, OffsetDateTime at)
      throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
      for (Row row : rows) {
        addChange(insert, row, triggeredBy, at);
      }
      insert.executeBatch();
    }
  }

  /** PostgreSQL: every change of the batch in one INSERT over arrays. */
  private static void insertAtOnce(
      Connection connection, List<Row> rows, String triggeredBy, OffsetDateTime at)
      throws SQLException {
    int n = rows.size();
    Object[][] columns = new Object[17][n];
    for (int i = 0; i < n; i++) {
      Row row = rows.get(i);
      StrategyAnswer a = row.answer();
      columns[0][i] = row.terminalId();
      columns[1][i] = row.imageId();
      columns[2][i] = a.strategy().name();
      columns[3][i] = a.reason().name();
      columns[4][i] = a.policy();
      columns[5][i] = a.moveCount();
      columns[6][i] = a.divergedAt();
      columns[7][i] = a.keep();
      columns[8][i] = a.downloads().size();
      columns[9][i] = a.totalBytes();
      columns[10][i] = row.reportedLayers();
      columns[11][i] = row.nodes().length == 0 ? null : ReportedNodes.lastHead(row.nodes()).hex();
      columns[12][i] = a.tip() == null ? null : a.tip().depth();
      columns[13][i] = a.tip() == null ? null : a.tip().version();
      columns[14][i] = a.tip() == null ? null : a.tip().checksum();
      columns[15][i] = row.revision();
      columns[16][i] = row.fingerprint();
    }
    String[] types = {
      "int8", "int8", "varchar", "varchar", "varchar", "int4", "int4", "int4", "int4", "int8",
      "int4", "varchar", "int4", "int8", "varchar", "int8", "varchar"
    };
    StringBuilder arrays = new StringBuilder();
    for (int c = 0; c < types.length; c++) {
      arrays.append(c == 0 ? "" : ", ").append("?::").append(types[c]).append("[]");
    }
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO answer_change (decided_at, triggered_by, terminal_id, image_id, strategy,"
                + " reason, policy, move_count, diverged_at, keep_layers, download_count,"
                + " total_bytes, reported_layers, reported_tip, tip_depth, tip_version,"
                + " tip_checksum, image_revision, answer_hash) SELECT ?, ?, v.* FROM unnest("
                + arrays
                + ") AS v")) {
      insert.setObject(1, at);
      insert.setString(2, triggeredBy);
      for (int c = 0; c < types.length; c++) {
        insert.setArray(3 + c, connection.createArrayOf(types[c], columns[c]));
      }
      insert.executeUpdate();
    }
  }

  private static boolean isPostgres(Connection connection) throws SQLException {
    return connection.getMetaData().getDatabaseProductName().equals("PostgreSQL");
  }

  private static void addChange(
      PreparedStatement insert, Row row, String triggeredBy, OffsetDateTime at)
      throws SQLException {
    StrategyAnswer a = row.answer();
    insert.setLong(1, row.terminalId());
    insert.setLong(2, row.imageId());
    insert.setObject(3, at);
    insert.setString(4, triggeredBy);
    insert.setString(5, a.strategy().name());
    insert.setString(6, a.reason().name());
    insert.setString(7, a.policy());
    setInt(insert, 8, a.moveCount());
    setInt(insert, 9, a.divergedAt());
    insert.setInt(10, a.keep());
    insert.setInt(11, a.downloads().size());
    insert.setLong(12, a.totalBytes());
    insert.setInt(13, row.reportedLayers());
    insert.setString(
        14, row.nodes().length == 0 ? null : ReportedNodes.lastHead(row.nodes()).hex());
    if (a.tip() == null) {
      insert.setNull(15, Types.INTEGER);
      insert.setNull(16, Types.BIGINT);
      insert.setNull(17, Types.VARCHAR);
    } else {
      insert.setInt(15, a.tip().depth());
      insert.setLong(16, a.tip().version());
      insert.setString(17, a.tip().checksum());
    }
    insert.setLong(18, row.revision());
    insert.setString(19, row.fingerprint());
    insert.addBatch();
  }

  private static void setInt(PreparedStatement statement, int index, Integer value)
      throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.INTEGER);
    } else {
      statement.setInt(index, value);
    }
  }

  private static <E extends Enum<E>> E enumOrNull(Class<E> type, String name) {
    return name == null ? null : Enum.valueOf(type, name);
  }

  private record Row(
      long id,
      long terminalId,
      long imageId,
      byte[] nodes,
      int reportedLayers,
      Strategy oldStrategy,
      Reason oldReason,
      String oldHash,
      long version,
      long revision,
      StrategyAnswer answer,
      String fingerprint) {}
}
