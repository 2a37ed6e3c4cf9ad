package dev.voi.audits.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.audits.control.AuditLease.Busy;
import dev.voi.audits.control.AuditLease.NotDue;
import dev.voi.audits.control.AuditLease.Skipped;
import dev.voi.audits.control.AuditLease.Start;
import dev.voi.audits.control.AuditLease.Started;
import dev.voi.audits.entity.AuditTrigger;
import dev.voi.platform.SchemaMigration;
import dev.voi.platform.VoiDataSource;
import dev.voi.testing.FreshDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The audit lease against the two real databases the server runs on: PostgreSQL and the embedded H2
 * in PostgreSQL mode. Each instance of the rule is a holder with its own connection.
 */
class AuditLeaseTest {

  static final String PG_ADMIN =
      System.getProperty(
          "voi.test.pg.admin.url", "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");
  static final String PG_URL =
      "jdbc:postgresql://127.0.0.1:5432/voi_audit_lease_test?user=postgres";

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class OnPostgresql extends Rules {
    @BeforeAll
    void database() throws Exception {
      FreshDatabase.create(PG_ADMIN, PG_URL);
      VoiDataSource pg = new VoiDataSource();
      pg.setUrl(PG_URL);
      use(pg);
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class OnTheEmbeddedDatabase extends Rules {
    @BeforeAll
    void database() throws Exception {
      Path dataDir = Files.createTempDirectory(Path.of("target"), "audit-lease-h2-");
      VoiDataSource h2 = new VoiDataSource();
      h2.setDataDir(dataDir.toString());
      use(h2);
    }
  }

  abstract static class Rules {

    static final Duration TEN_MINUTES = Duration.ofMinutes(10);

    DataSource db;
    final AuditLease lease = new AuditLease(Duration.ofMinutes(2));

    /** Keeps the embedded database open between connections (it closes with the last one). */
    private Connection keeper;

    void use(DataSource dataSource) throws SQLException {
      db = dataSource;
      keeper = db.getConnection();
      SchemaMigration.migrate(db);
    }

    @AfterAll
    void close() throws SQLException {
      keeper.close();
    }

    @BeforeEach
    void freeLeaseAndNoRuns() throws SQLException {
      execute("DELETE FROM audit_run");
      execute(
          "UPDATE audit_lease SET holder = NULL, run_id = NULL,"
              + " expires_at = TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00'");
    }

    @Test
    void aFreeLeaseIsTakenWithARunningRun() throws Exception {
      Start start = begin(AuditTrigger.API, "a", null);

      assertThat(start).isInstanceOf(Started.class);
      long run = ((Started) start).runId();
      AuditLease.Holding holding = inTransaction(lease::holding).orElseThrow();
      assertThat(holding.holder()).isEqualTo("a");
      assertThat(holding.runId()).isEqualTo(run);
      assertThat(state(run)).isEqualTo("RUNNING");
      assertThat(text("SELECT trigger_kind FROM audit_run WHERE id = " + run)).isEqualTo("api");
    }

    @Test
    void aHeldLeaseAnswersBusyToARequestAndRecordsATimerTickAsSkipped() throws Exception {
      long run = ((Started) begin(AuditTrigger.TIMER, "a", null)).runId();

      Start request = begin(AuditTrigger.API, "b", null);
      assertThat(request).isInstanceOf(Busy.class);
      assertThat(((Busy) request).holding().runId()).isEqualTo(run);
      assertThat(((Busy) request).holding().holder()).isEqualTo("a");
      assertThat(count("SELECT COUNT(*) FROM audit_run")).isEqualTo(1);

      Start tick = begin(AuditTrigger.TIMER, "c", TEN_MINUTES);
      assertThat(tick).isInstanceOf(Skipped.class);
      long skip = ((Skipped) tick).id();
      assertThat(state(skip)).isEqualTo("SKIPPED");
      assertThat(text("SELECT detail FROM audit_run WHERE id = " + skip))
          .startsWith("run " + run + " held the audit lease (a, until ");
      assertThat(text("SELECT holder FROM audit_run WHERE id = " + skip)).isEqualTo("c");
      assertThat(state(run)).isEqualTo("RUNNING");
    }

    @Test
    void onlyTheHolderRenewsOrReleases() throws Exception {
      begin(AuditTrigger.API, "a", null);

      assertThat(answer(c -> lease.renew(c, "b"))).isFalse();
      assertThat(answer(c -> lease.release(c, "b"))).isFalse();
      assertThat(answer(c -> lease.renew(c, "a"))).isTrue();
      assertThat(begin(AuditTrigger.API, "b", null)).isInstanceOf(Busy.class);

      assertThat(answer(c -> lease.release(c, "a"))).isTrue();
      assertThat(inTransaction(lease::holding)).isEmpty();
      assertThat(begin(AuditTrigger.API, "b", null)).isInstanceOf(Started.class);
    }

    @Test
    void renewingMovesTheExpiryForward() throws Exception {
      begin(AuditTrigger.API, "a", null);
      execute("UPDATE audit_lease SET expires_at = CURRENT_TIMESTAMP");
      Instant before = Instant.now();

      assertThat(answer(c -> lease.renew(c, "a"))).isTrue();

      AuditLease.Holding after = inTransaction(lease::holding).orElseThrow();
      assertThat(after.holder()).isEqualTo("a");
      assertThat(after.expiresAt()).isAfter(before.plus(Duration.ofSeconds(100)));
    }

    @Test
    void theLeaseOfAHolderThatDiedExpiresAndItsRunIsMarkedFailed() throws Exception {
      AuditLease shortLived = new AuditLease(Duration.ofSeconds(2));
      long abandoned =
          ((Started) inTransaction(c -> shortLived.begin(c, AuditTrigger.API, "dead", null)))
              .runId();
      assertThat(begin(AuditTrigger.API, "b", null)).isInstanceOf(Busy.class);

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (inTransaction(lease::holding).isPresent() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }

      Start start = begin(AuditTrigger.API, "b", null);
      assertThat(start).isInstanceOf(Started.class);
      assertThat(state(abandoned)).isEqualTo("FAILED");
      assertThat(text("SELECT detail FROM audit_run WHERE id = " + abandoned))
          .contains("lease expired");
      assertThat(text("SELECT finished_at FROM audit_run WHERE id = " + abandoned)).isNotNull();
      assertThat(answer(c -> shortLived.renew(c, "dead"))).isFalse();
      assertThat(answer(c -> shortLived.release(c, "dead"))).isFalse();
      assertThat(inTransaction(lease::holding).orElseThrow().holder()).isEqualTo("b");
    }

    @Test
    void aTimerTickThatIsNotDueStillMarksTheRunOfAHolderThatDiedFailed() throws Exception {
      AuditLease shortLived = new AuditLease(Duration.ofSeconds(1));
      long abandoned =
          ((Started) inTransaction(c -> shortLived.begin(c, AuditTrigger.TIMER, "dead", null)))
              .runId();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (inTransaction(lease::holding).isPresent() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }

      Start tick = begin(AuditTrigger.TIMER, "b", TEN_MINUTES);

      assertThat(tick).isInstanceOf(NotDue.class);
      assertThat(state(abandoned)).isEqualTo("FAILED");
      assertThat(inTransaction(lease::holding)).isEmpty();
    }

    @Test
    void aTimerTickSoonAfterAnyRunIsNotDueAndLeavesTheLeaseFree() throws Exception {
      long run = ((Started) begin(AuditTrigger.API, "a", null)).runId();
      execute(
          "UPDATE audit_run SET state = 'FINISHED', finished_at = CURRENT_TIMESTAMP WHERE id = "
              + run);
      inTransaction(c -> lease.release(c, "a"));

      Start tick = begin(AuditTrigger.TIMER, "b", TEN_MINUTES);

      assertThat(tick).isInstanceOf(NotDue.class);
      assertThat(inTransaction(lease::holding)).isEmpty();
      assertThat(count("SELECT COUNT(*) FROM audit_run")).isEqualTo(1);
      assertThat(begin(AuditTrigger.TIMER, "b", Duration.ZERO)).isInstanceOf(Started.class);
    }

    @Test
    void skippedTicksDoNotCountAsRuns() throws Exception {
      begin(AuditTrigger.API, "a", null);
      execute("DELETE FROM audit_run");
      execute(
          "INSERT INTO audit_run (trigger_kind, state, holder, started_at, finished_at)"
              + " VALUES ('timer', 'SKIPPED', 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
      inTransaction(c -> lease.release(c, "a"));

      assertThat(begin(AuditTrigger.TIMER, "b", TEN_MINUTES)).isInstanceOf(Started.class);
    }

    @Test
    void ofManyConcurrentTriggersExactlyOneRunsAndTheOthersSeeItsRun() throws Exception {
      int holders = 8;
      CyclicBarrier together = new CyclicBarrier(holders);
      ExecutorService threads = Executors.newFixedThreadPool(holders);
      try {
        List<Future<Start>> starts = new ArrayList<>();
        for (int i = 0; i < holders; i++) {
          String holder = "h" + i;
          AuditTrigger trigger = i % 2 == 0 ? AuditTrigger.API : AuditTrigger.TIMER;
          starts.add(
              threads.submit(
                  () ->
                      inTransaction(
                          c -> {
                            together.await(10, TimeUnit.SECONDS);
                            return lease.begin(c, trigger, holder, null);
                          })));
        }
        List<Start> results = new ArrayList<>();
        for (Future<Start> start : starts) {
          results.add(start.get(60, TimeUnit.SECONDS));
        }
        List<Started> started =
            results.stream().filter(Started.class::isInstance).map(Started.class::cast).toList();
        assertThat(started).hasSize(1);
        long run = started.get(0).runId();
        for (Start other : results) {
          if (other instanceof Busy busy) {
            assertThat(busy.holding().runId()).isEqualTo(run);
          } else if (other instanceof Skipped skipped) {
            assertThat(skipped.holding().runId()).isEqualTo(run);
          }
        }
        assertThat(count("SELECT COUNT(*) FROM audit_run WHERE state = 'RUNNING'")).isEqualTo(1);
      } finally {
        threads.shutdownNow();
      }
    }

    // --- helpers ---

    interface Work<T> {
      T on(Connection c) throws Exception;
    }

    <T> T inTransaction(Work<T> work) throws Exception {
      try (Connection c = db.getConnection()) {
        c.setAutoCommit(false);
        try {
          T result = work.on(c);
          c.commit();
          return result;
        } catch (Exception | Error e) {
          c.rollback();
          throw e;
        }
      }
    }

    boolean answer(Work<Boolean> work) throws Exception {
      return inTransaction(work);
    }

    Start begin(AuditTrigger trigger, String holder, Duration gap) throws Exception {
      return inTransaction(c -> lease.begin(c, trigger, holder, gap));
    }

    void execute(String sql) throws SQLException {
      try (Connection c = db.getConnection();
          PreparedStatement statement = c.prepareStatement(sql)) {
        statement.executeUpdate();
      }
    }

    String text(String sql) throws SQLException {
      try (Connection c = db.getConnection();
          PreparedStatement statement = c.prepareStatement(sql);
          ResultSet row = statement.executeQuery()) {
        assertThat(row.next()).as(sql).isTrue();
        return row.getString(1);
      }
    }

    long count(String sql) throws SQLException {
      return Long.parseLong(text(sql));
    }

    String state(long run) throws SQLException {
      return text("SELECT state FROM audit_run WHERE id = " + run);
    }
  }
}
