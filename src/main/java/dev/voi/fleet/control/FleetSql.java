package dev.voi.fleet.control;

import dev.voi.answers.control.ChainSnapshot;
import dev.voi.answers.control.TargetChains;
import dev.voi.answers.entity.AnswerChange;
import dev.voi.answers.entity.MappedColumns.MappedColumn;
import dev.voi.answers.entity.ReportedNodes;
import dev.voi.answers.entity.StoredAnswer;
import dev.voi.answers.entity.StrategyAnswer;
import dev.voi.chain.Reason;
import dev.voi.chain.Strategy;
import dev.voi.images.control.Affected;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
import java.util.function.Function;
import java.util.stream.Collectors;

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
 * at all, whatever revision they were decided at.
 *
 * <p>A change that names groups ({@link Affected}) selects by the assignment's own copy of its
 * terminal's group ({@code assignment.group_name}, index {@code (image_id, group_name, id)}): every
 * statement reads assignment rows only, never the terminal table.
 */
public final class FleetSql {

  /** {@code answer_change.triggered_by} holds 16 characters. */
  static final int TRIGGER_LENGTH = 16;

  private static final String SELECT =
      "SELECT a.id, a.terminal_id, a.image_id, a.reported_nodes, a.reported_layers, a.strategy,"
          + " a.reason, a.answer_hash, a.answer_revision, a.version, a.group_name"
          + " FROM assignment a WHERE a.reported_nodes IS NOT NULL AND a.id > ? AND a.id < ?%s ORDER BY a.id LIMIT ?";

  private static final String RANGES =
      "SELECT id FROM (SELECT a.id, ROW_NUMBER() OVER (ORDER BY a.id) AS n FROM assignment a"
          + " WHERE a.reported_nodes IS NOT NULL%s) numbered WHERE MOD(n - 1, ?) = 0 ORDER BY id";

  private static final String OF_IMAGE = " AND a.image_id = ?";

  /** The rows of the groups a change names, or of all but those ({@link Affected}). */
  static String ofGroups(Affected affected) {
    if (affected.all()) {
      return "";
    }
    if (affected.groups().isEmpty()) {
      return " AND 1 = 0"; // only the groups named, and none is
    }
    return " AND a.group_name "
        + (affected.allBut() ? "NOT IN" : "IN")
        + " ("
        + String.join(", ", java.util.Collections.nCopies(affected.groups().size(), "?"))
        + ")";
  }

  private static int bindGroups(PreparedStatement statement, int index, Affected affected)
      throws SQLException {
    if (!affected.all()) {
      for (String group : affected.groups().stream().sorted().toList()) {
        statement.setString(index++, group);
      }
    }
    return index;
  }

  /** The columns of the stored answer, shared by both tables: owned by {@link StoredAnswer}. */
  private static final List<MappedColumn<StoredAnswer>> ANSWER = StoredAnswer.COLUMNS;

  /** The columns of a recorded change: owned by {@link AnswerChange}. */
  private static final List<MappedColumn<AnswerChange>> CHANGE = AnswerChange.COLUMNS;

  /** One row's compare-and-set UPDATE; the CASE reads {@code answer_hash} before the SET. */
  static final String UPDATE =
      "UPDATE assignment SET "
          + list(ANSWER, c -> c.name() + " = ?")
          + ", answer_revision = ?, decided_at = CASE WHEN answer_hash = ? THEN"
          + " COALESCE(decided_at, ?) ELSE ? END, version = version + 1"
          + " WHERE id = ? AND version = ? AND (answer_revision IS NULL OR answer_revision <= ?)";

  /** PostgreSQL: the whole batch's UPDATE over arrays; RETURNING says which rows took. */
  static final String UPDATE_ARRAYS =
      "UPDATE assignment a SET "
          + list(ANSWER, c -> c.name() + " = v." + c.name())
          + ", answer_revision = v.answer_revision, decided_at = CASE WHEN a.answer_hash ="
          + " v.answer_hash THEN COALESCE(a.decided_at, ?) ELSE ? END, version = a.version + 1"
          + " FROM unnest(?::int8[], ?::int8[], ?::int8[], "
          + list(ANSWER, c -> "?::" + c.type().arrayElement + "[]")
          + ") AS v(id, version, answer_revision, "
          + list(ANSWER, MappedColumn::name)
          + ") WHERE a.id = v.id AND a.version = v.version"
          + " AND (a.answer_revision IS NULL OR a.answer_revision <= v.answer_revision)"
          + " RETURNING a.id";

  static final String INSERT =
      "INSERT INTO answer_change ("
          + list(CHANGE, MappedColumn::name)
          + ") VALUES ("
          + list(CHANGE, c -> "?")
          + ")";

  /** PostgreSQL: every change of the batch in one INSERT over arrays. */
  static final String INSERT_ARRAYS =
      "INSERT INTO answer_change ("
          + list(CHANGE, MappedColumn::name)
          + ") SELECT v.* FROM unnest("
          + list(CHANGE, c -> "?::" + c.type().arrayElement + "[]")
          + ") AS v";

  private static final String COUNTS =
      "SELECT strategy, reason, COUNT(*) FROM assignment WHERE reported_nodes IS NOT NULL"
          + " GROUP BY strategy, reason";

  private static final String STALE_COUNT =
      "SELECT COUNT(*) FROM terminal WHERE COALESCE(last_seen, created_at) < ?";

  private static final String STALE =
      "SELECT id, name, last_seen, group_name FROM terminal WHERE COALESCE(last_seen, created_at) < ?"
          + " ORDER BY COALESCE(last_seen, created_at), id LIMIT ?";

  /** One changed answer (strategy or reason), before the terminal's name is looked up. */
  public record Changed(
      long terminalId,
      long imageId,
      String group,
      int wave,
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
  public static List<Long> rangeStarts(
      Connection connection, Long imageId, Affected affected, int size) throws SQLException {
    if (size < 1) {
      throw new IllegalArgumentException("a range holds at least one row, got " + size);
    }
    List<Long> starts = new ArrayList<>();
    try (PreparedStatement select =
        connection.prepareStatement(
            String.format(RANGES, (imageId == null ? "" : OF_IMAGE) + ofGroups(affected)))) {
      int index = 1;
      if (imageId != null) {
        select.setLong(index++, imageId);
      }
      index = bindGroups(select, index, affected);
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
   * @param chains the image each row is judged in ({@link TargetChains}), empty for an image that
   *     is gone
   * @param affected the groups whose rows are re-decided
   */
  public static Batch redecideBatch(
      Connection connection,
      TargetChains.Judging chains,
      String trigger,
      Long imageId,
      Affected affected,
      long after,
      long before,
      int limit,
      Instant now,
      int pollSeconds)
      throws SQLException {
    String triggeredBy =
        trigger.length() > TRIGGER_LENGTH ? trigger.substring(0, TRIGGER_LENGTH) : trigger;
    int read = 0;
    long last = after;
    List<Row> toWrite = new ArrayList<>();
    try (PreparedStatement select =
        connection.prepareStatement(
            String.format(SELECT, (imageId == null ? "" : OF_IMAGE) + ofGroups(affected)))) {
      int index = 1;
      select.setLong(index++, after);
      select.setLong(index++, before);
      if (imageId != null) {
        select.setLong(index++, imageId);
      }
      index = bindGroups(select, index, affected);
      select.setInt(index, limit);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          read++;
          last = rs.getLong(1);
          long terminalId = rs.getLong(2);
          Optional<ChainSnapshot> chain = chains.imageFor(rs.getLong(3));
          long answerRevision = rs.getLong(9);
          boolean decided = !rs.wasNull();
          if (chain.isEmpty() || (decided && answerRevision > chain.get().revision())) {
            continue; // the image is gone, or someone decided against a newer chain meanwhile
          }
          byte[] nodes = rs.getBytes(4);
          StrategyAnswer answer =
              chain
                  .get()
                  .answerFor(ReportedNodes.decode(nodes), pollSeconds, rs.getString(11), now)
                  .answer();
          StoredAnswer stored = new StoredAnswer(answer, answer.fingerprint());
          String oldHash = rs.getString(8);
          if (decided && stored.hash().equals(oldHash)) {
            // Already this answer: left as it is, with the older revision it was decided at (a
            // poll of it decides in memory, finds the same answer and writes nothing either), so
            // a change re-decides without writing the rows it does not affect.
            continue;
          }
          toWrite.add(
              new Row(
                  last,
                  rs.getString(11),
                  answer.wave(),
                  rs.getLong(10),
                  enumOrNull(Strategy.class, rs.getString(6)),
                  enumOrNull(Reason.class, rs.getString(7)),
                  oldHash,
                  stored,
                  new AnswerChange(
                      terminalId,
                      rs.getLong(3),
                      rs.getInt(5),
                      ReportedNodes.tipHex(nodes),
                      answer,
                      stored,
                      triggeredBy,
                      chain.get().revision(),
                      now)));
        }
      }
    }
    if (toWrite.isEmpty()) {
      return new Batch(read, last, 0, 0, List.of());
    }
    OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
    boolean postgres = isPostgres(connection);
    boolean[] took =
        postgres ? updateAtOnce(connection, toWrite, at) : updateBatched(connection, toWrite, at);
    int written = 0;
    List<AnswerChange> toRecord = new ArrayList<>();
    List<Changed> changed = new ArrayList<>();
    for (int i = 0; i < toWrite.size(); i++) {
      if (!took[i]) {
        continue;
      }
      written++;
      Row row = toWrite.get(i);
      toRecord.add(row.change());
      StoredAnswer a = row.answer();
      if (a.strategy() != row.oldStrategy() || a.reason() != row.oldReason()) {
        changed.add(
            new Changed(
                row.change().terminalId(),
                row.change().imageId(),
                row.group(),
                row.wave(),
                row.oldStrategy(),
                row.oldReason(),
                a.strategy(),
                a.reason()));
      }
    }
    if (!toRecord.isEmpty()) {
      if (postgres) {
        insertAtOnce(connection, toRecord);
      } else {
        insertBatched(connection, toRecord);
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
                    rs.getLong(1),
                    rs.getString(2),
                    rs.getString(4),
                    seen == null ? null : seen.toInstant()));
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
        int index = 1;
        for (MappedColumn<StoredAnswer> column : ANSWER) {
          bind(update, index++, column, column.value().apply(row.answer()));
        }
        update.setLong(index++, row.change().imageRevision());
        update.setString(index++, row.answer().hash());
        update.setObject(index++, at);
        update.setObject(index++, at);
        update.setLong(index++, row.id());
        update.setLong(index++, row.version());
        update.setLong(index, row.change().imageRevision());
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
    Object[][] columns = new Object[ANSWER.size()][n];
    Map<Long, Integer> index = new HashMap<>();
    for (int i = 0; i < n; i++) {
      Row row = rows.get(i);
      ids[i] = row.id();
      versions[i] = row.version();
      revisions[i] = row.change().imageRevision();
      for (int c = 0; c < columns.length; c++) {
        columns[c][i] = arrayElement(ANSWER.get(c).value().apply(row.answer()));
      }
      index.put(row.id(), i);
    }
    boolean[] took = new boolean[n];
    try (PreparedStatement update = connection.prepareStatement(UPDATE_ARRAYS)) {
      update.setObject(1, at);
      update.setObject(2, at);
      update.setArray(3, connection.createArrayOf("int8", ids));
      update.setArray(4, connection.createArrayOf("int8", versions));
      update.setArray(5, connection.createArrayOf("int8", revisions));
      for (int c = 0; c < columns.length; c++) {
        update.setArray(
            6 + c, connection.createArrayOf(ANSWER.get(c).type().arrayElement, columns[c]));
      }
      try (ResultSet rs = update.executeQuery()) {
        while (rs.next()) {
          took[index.get(rs.getLong(1))] = true;
        }
      }
    }
    return took;
  }

  /** H2 and others: one JDBC batch of INSERTs. */
  private static void insertBatched(Connection connection, List<AnswerChange> changes)
      throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
      for (AnswerChange change : changes) {
        int index = 1;
        for (MappedColumn<AnswerChange> column : CHANGE) {
          bind(insert, index++, column, column.value().apply(change));
        }
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  /** PostgreSQL: every change of the batch in one INSERT over arrays. */
  private static void insertAtOnce(Connection connection, List<AnswerChange> changes)
      throws SQLException {
    int n = changes.size();
    Object[][] columns = new Object[CHANGE.size()][n];
    for (int i = 0; i < n; i++) {
      AnswerChange change = changes.get(i);
      for (int c = 0; c < columns.length; c++) {
        columns[c][i] = arrayElement(CHANGE.get(c).value().apply(change));
      }
    }
    try (PreparedStatement insert = connection.prepareStatement(INSERT_ARRAYS)) {
      for (int c = 0; c < columns.length; c++) {
        insert.setArray(
            1 + c, connection.createArrayOf(CHANGE.get(c).type().arrayElement, columns[c]));
      }
      insert.executeUpdate();
    }
  }

  private static boolean isPostgres(Connection connection) throws SQLException {
    return connection.getMetaData().getDatabaseProductName().equals("PostgreSQL");
  }

  private static void bind(
      PreparedStatement statement, int index, MappedColumn<?> column, Object value)
      throws SQLException {
    if (value == null) {
      statement.setNull(index, column.type().jdbcType);
    } else {
      statement.setObject(index, value);
    }
  }

  /** An array element as PostgreSQL parses it: times as ISO-8601 text, the rest as they are. */
  private static Object arrayElement(Object value) {
    return value instanceof OffsetDateTime time ? time.toString() : value;
  }

  private static <T> String list(
      List<MappedColumn<T>> columns, Function<MappedColumn<T>, String> f) {
    return columns.stream().map(f).collect(Collectors.joining(", "));
  }

  private static <E extends Enum<E>> E enumOrNull(Class<E> type, String name) {
    return name == null ? null : Enum.valueOf(type, name);
  }

  /** A row to write: what the batch read, and the new answer with the change it records. */
  private record Row(
      long id,
      String group,
      int wave,
      long version,
      Strategy oldStrategy,
      Reason oldReason,
      String oldHash,
      StoredAnswer answer,
      AnswerChange change) {}
}
