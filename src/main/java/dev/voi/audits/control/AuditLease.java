package dev.voi.audits.control;

import dev.voi.audits.entity.AuditState;
import dev.voi.audits.entity.AuditTrigger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;

/**
 * The one-run-at-a-time rule of docs/design.md §7, across every server instance on one database: a
 * single lease row ({@code audit_lease}) that a run takes with one conditional {@code UPDATE} (when
 * it is free or expired), renews while it works and releases at its end. A holder that dies stops
 * renewing, and the lease expires {@link #ttl()} after its last renewal.
 *
 * <p>Plain SQL on a connection the caller owns, so that the same code runs on PostgreSQL and the
 * embedded H2 (no advisory locks, which leak through pooled connections and do not exist on H2), in
 * the container and in tests. Every time is the database's clock: instances with skewed clocks
 * still agree on when a lease expires. The statements of {@link #begin} must run in one
 * transaction: the row lock taken by its {@code UPDATE} makes a concurrent {@code begin} wait and
 * then find the lease taken, with the new run's id already in it.
 */
public final class AuditLease {

  /** How long a lease lives without renewal. */
  public static final Duration DEFAULT_TTL = Duration.ofMinutes(2);

  private static final OffsetDateTime FREE =
      OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
  private static final String ABANDONED =
      "the server instance running it stopped before it finished (its audit lease expired)";

  private final Duration ttl;

  public AuditLease(Duration ttl) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("the lease time must be positive, got " + ttl);
    }
    this.ttl = ttl;
  }

  public Duration ttl() {
    return ttl;
  }

  /** What {@link #begin} did. */
  public sealed interface Start permits Started, Busy, Skipped, NotDue {}

  /** The lease is the caller's and run {@code runId} is RUNNING. */
  public record Started(long runId, String holder) implements Start {}

  /** Another run holds the lease (an API trigger): nothing was written. */
  public record Busy(Holding holding) implements Start {}

  /** Another run holds the lease (a timer tick): the tick is recorded as SKIPPED run {@code id}. */
  public record Skipped(long id, Holding holding) implements Start {}

  /** A timer tick that came too soon after the last run (of any instance): nothing was written. */
  public record NotDue(Instant lastStarted) implements Start {}

  /** Who holds the lease, for which run, until when. */
  public record Holding(String holder, Long runId, Instant expiresAt) {}

  /**
   * Takes the lease for {@code holder} and inserts the RUNNING run row, in the caller's
   * transaction. Runs left RUNNING by a holder whose lease expired are marked FAILED on the way.
   *
   * @param minimumGap for timer ticks: do nothing when a run (of any instance) started less than
   *     this long ago, so that N instances' timers make one audit per interval, not N; null for
   *     requests, which always run when the lease is free
   */
  public Start begin(Connection c, AuditTrigger trigger, String holder, Duration minimumGap)
      throws SQLException {
    Objects.requireNonNull(holder, "holder");
    OffsetDateTime now = databaseNow(c);
    for (int attempt = 0; ; attempt++) {
      if (take(c, holder, now)) {
        break;
      }
      Optional<Holding> current = holding(c, now);
      if (current.isPresent() || attempt == 2) {
        Holding holding = current.orElse(new Holding(null, null, null));
        if (trigger == AuditTrigger.TIMER) {
          return new Skipped(insertSkip(c, holder, now, holding), holding);
        }
        return new Busy(holding);
      }
      // released between our UPDATE and the read: try again
    }
    // Holding the lease, any other RUNNING run is abandoned: say so now, even if no audit is due.
    failAbandoned(c, now);
    if (minimumGap != null) {
      Optional<OffsetDateTime> last = lastStart(c);
      if (last.isPresent() && last.get().isAfter(now.minus(minimumGap))) {
        release(c, holder);
        return new NotDue(last.get().toInstant());
      }
    }
    long runId = insertRun(c, trigger, holder, now);
    try (PreparedStatement attach =
        c.prepareStatement("UPDATE audit_lease SET run_id = ? WHERE id = 1 AND holder = ?")) {
      attach.setLong(1, runId);
      attach.setString(2, holder);
      attach.executeUpdate();
    }
    return new Started(runId, holder);
  }

  /**
   * Extends the holder's lease by {@link #ttl()} from now.
   *
   * @return false when the lease is no longer the holder's (it expired and another run took it)
   */
  public boolean renew(Connection c, String holder) throws SQLException {
    OffsetDateTime now = databaseNow(c);
    try (PreparedStatement renew =
        c.prepareStatement("UPDATE audit_lease SET expires_at = ? WHERE id = 1 AND holder = ?")) {
      renew.setObject(1, now.plus(ttl));
      renew.setString(2, holder);
      return renew.executeUpdate() == 1;
    }
  }

  /**
   * Frees the lease if {@code holder} still holds it.
   *
   * @return false when it did not (any more)
   */
  public boolean release(Connection c, String holder) throws SQLException {
    try (PreparedStatement release =
        c.prepareStatement(
            "UPDATE audit_lease SET holder = NULL, run_id = NULL, expires_at = ?"
                + " WHERE id = 1 AND holder = ?")) {
      release.setObject(1, FREE);
      release.setString(2, holder);
      return release.executeUpdate() == 1;
    }
  }

  /** The live lease, if some run holds one that has not expired. */
  public Optional<Holding> holding(Connection c) throws SQLException {
    return holding(c, databaseNow(c));
  }

  private boolean take(Connection c, String holder, OffsetDateTime now) throws SQLException {
    try (PreparedStatement take =
        c.prepareStatement(
            "UPDATE audit_lease SET holder = ?, run_id = NULL, expires_at = ?"
                + " WHERE id = 1 AND (holder IS NULL OR expires_at < ?)")) {
      take.setString(1, holder);
      take.setObject(2, now.plus(ttl));
      take.setObject(3, now);
      return take.executeUpdate() == 1;
    }
  }

  private static Optional<Holding> holding(Connection c, OffsetDateTime now) throws SQLException {
    try (PreparedStatement read =
            c.prepareStatement("SELECT holder, run_id, expires_at FROM audit_lease WHERE id = 1");
        ResultSet row = read.executeQuery()) {
      if (!row.next()) {
        throw new SQLException("the audit_lease row is missing (migration V4 inserts it)");
      }
      String holder = row.getString(1);
      long runId = row.getLong(2);
      Long run = row.wasNull() ? null : runId;
      OffsetDateTime expiresAt = row.getObject(3, OffsetDateTime.class);
      if (holder == null || expiresAt.isBefore(now)) {
        return Optional.empty();
      }
      return Optional.of(new Holding(holder, run, expiresAt.toInstant()));
    }
  }

  private static Optional<OffsetDateTime> lastStart(Connection c) throws SQLException {
    try (PreparedStatement read =
        c.prepareStatement("SELECT MAX(started_at) FROM audit_run WHERE state <> ?")) {
      read.setString(1, AuditState.SKIPPED.name());
      try (ResultSet row = read.executeQuery()) {
        row.next();
        return Optional.ofNullable(row.getObject(1, OffsetDateTime.class));
      }
    }
  }

  /** Whoever holds the lease is the only live run: any other RUNNING row lost its server. */
  private static void failAbandoned(Connection c, OffsetDateTime now) throws SQLException {
    try (PreparedStatement fail =
        c.prepareStatement(
            "UPDATE audit_run SET state = ?, finished_at = ?, detail = ? WHERE state = ?")) {
      fail.setString(1, AuditState.FAILED.name());
      fail.setObject(2, now);
      fail.setString(3, ABANDONED);
      fail.setString(4, AuditState.RUNNING.name());
      fail.executeUpdate();
    }
  }

  private static long insertRun(
      Connection c, AuditTrigger trigger, String holder, OffsetDateTime now) throws SQLException {
    return insert(c, trigger, AuditState.RUNNING, holder, now, null, null);
  }

  private static long insertSkip(Connection c, String holder, OffsetDateTime now, Holding holding)
      throws SQLException {
    String detail =
        holding.runId() == null
            ? "the audit lease was taken"
            : "run "
                + holding.runId()
                + " held the audit lease ("
                + holding.holder()
                + ", until "
                + holding.expiresAt()
                + ")";
    return insert(c, AuditTrigger.TIMER, AuditState.SKIPPED, holder, now, now, detail);
  }

  private static long insert(
      Connection c,
      AuditTrigger trigger,
      AuditState state,
      String holder,
      OffsetDateTime startedAt,
      OffsetDateTime finishedAt,
      String detail)
      throws SQLException {
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO audit_run (trigger_kind, state, holder, started_at, finished_at, detail)"
                + " VALUES (?, ?, ?, ?, ?, ?)",
            new String[] {"id"})) {
      insert.setString(1, trigger.wireName());
      insert.setString(2, state.name());
      insert.setString(3, holder);
      insert.setObject(4, startedAt);
      if (finishedAt == null) {
        insert.setNull(5, Types.TIMESTAMP_WITH_TIMEZONE);
      } else {
        insert.setObject(5, finishedAt);
      }
      insert.setString(6, detail);
      insert.executeUpdate();
      try (ResultSet keys = insert.getGeneratedKeys()) {
        if (!keys.next()) {
          throw new SQLException("no id was generated for the audit run");
        }
        return keys.getLong(1);
      }
    }
  }

  /** The database's clock, so that every instance measures the lease alike. */
  static OffsetDateTime databaseNow(Connection c) throws SQLException {
    try (Statement read = c.createStatement();
        ResultSet row = read.executeQuery("SELECT CURRENT_TIMESTAMP")) {
      row.next();
      return row.getObject(1, OffsetDateTime.class);
    }
  }
}
