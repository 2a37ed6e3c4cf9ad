package dev.voi.platform;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.persistence.PersistenceException;
import jakarta.resource.spi.ResourceAllocationException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

class DatabaseOutageTest {

  @Test
  void aRefusedOrBrokenConnectionIsAnOutageHoweverDeepItIsWrapped() {
    PSQLException refused =
        new PSQLException(
            "Connection to 127.0.0.1:5432 refused", PSQLState.CONNECTION_UNABLE_TO_CONNECT);
    assertThat(DatabaseOutage.isOutage(refused)).isTrue();
    assertThat(
            DatabaseOutage.isOutage(
                new PersistenceException(
                    "Unable to acquire JDBC Connection",
                    new SQLException("Error in allocating a connection", null, 0, refused))))
        .isTrue();
    PSQLException broken =
        new PSQLException(
            "An I/O error occurred while sending to the backend", PSQLState.CONNECTION_FAILURE);
    assertThat(DatabaseOutage.isOutage(new RuntimeException(new RuntimeException(broken))))
        .isTrue();
    assertThat(DatabaseOutage.isOutage(new SQLException("terminating connection", "57P01")))
        .as("the administrator shut PostgreSQL down")
        .isTrue();
    assertThat(DatabaseOutage.isOutage(new SQLTransientConnectionException("pool timeout")))
        .isTrue();
    assertThat(
            DatabaseOutage.isOutage(
                new SQLException(
                    "Error in allocating a connection",
                    new ResourceAllocationException("Connection could not be allocated"))))
        .as("the pool could not hand one out")
        .isTrue();
    SQLException batch = new SQLException("batch failed", "XX000");
    batch.setNextException(new SQLException("connection lost", "08006"));
    assertThat(DatabaseOutage.isOutage(batch)).as("the reason in the next exception").isTrue();
  }

  @Test
  void otherDatabaseFailuresAreNot() {
    assertThat(DatabaseOutage.isOutage(new SQLException("duplicate key", "23505"))).isFalse();
    assertThat(DatabaseOutage.isOutage(new PersistenceException("no transaction"))).isFalse();
    assertThat(DatabaseOutage.isOutage(new IllegalStateException("a bug"))).isFalse();
    RuntimeException loop = new RuntimeException("self");
    RuntimeException other = new RuntimeException("other", loop);
    loop.initCause(other);
    assertThat(DatabaseOutage.isOutage(loop)).as("a cycle of causes ends").isFalse();
  }

  @Test
  void theRefusalIs503WithRetryAfterAndTheLogIsOneLineNowAndThen() {
    List<LogRecord> records = new ArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            records.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger logger = Logger.getLogger(DatabaseOutage.class.getName());
    logger.addHandler(capture);
    try {
      Instant start = Instant.parse("2030-01-01T00:00:00Z");
      SQLException cause = new SQLException("refused", "08001");
      Refused first = DatabaseOutage.refusal(cause, Clock.fixed(start, ZoneOffset.UTC));
      assertThat(first.type()).isEqualTo(ProblemType.DATABASE_UNAVAILABLE);
      assertThat(first.type().status()).isEqualTo(503);
      assertThat(first.retryAfter()).contains(DatabaseOutage.RETRY_AFTER);
      for (int i = 1; i <= 500; i++) {
        DatabaseOutage.refusal(
            cause, Clock.fixed(start.plus(Duration.ofMillis(20L * i)), ZoneOffset.UTC));
      }
      DatabaseOutage.note(
          cause, Clock.fixed(start.plus(DatabaseOutage.LOG_EVERY).plusSeconds(1), ZoneOffset.UTC));
      assertThat(records).hasSize(2);
      assertThat(records.get(0).getThrown()).as("no stack trace").isNull();
      assertThat(String.valueOf(records.get(1).getParameters()[1])).contains("500 more");
    } finally {
      logger.removeHandler(capture);
    }
  }
}
