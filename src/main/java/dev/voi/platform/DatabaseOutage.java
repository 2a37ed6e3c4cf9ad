package dev.voi.platform;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tells a failure to reach the database from any other failure (docs/design.md §16): the request
 * could not be served now and can be tried again, so it is answered 503 with {@code Retry-After}
 * ({@link ProblemType#DATABASE_UNAVAILABLE}), never 500, and logged as one line at most every
 * {@link #LOG_EVERY}, not as a stack trace per request.
 */
public final class DatabaseOutage {

  private static final Logger LOG = Logger.getLogger(DatabaseOutage.class.getName());

  /** What a client is told to wait: the pool tries a new connection on its next request. */
  public static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  static final Duration LOG_EVERY = Duration.ofSeconds(30);

  /** The pool's failures to hand out a connection (Payara), found by name: no server API. */
  private static final String[] POOL_FAILURES = {
    "jakarta.resource.ResourceException",
    "jakarta.resource.spi.ResourceAllocationException",
    "com.sun.appserv.connectors.internal.api.PoolingException"
  };

  private static final AtomicReference<Instant> lastLogged = new AtomicReference<>(Instant.MIN);
  private static final AtomicLong unlogged = new AtomicLong();

  private DatabaseOutage() {}

  /**
   * Whether {@code failure} (or anything it was caused by) says the database could not be reached:
   * a connection refused, broken or not handed out by the pool, or the server shutting down.
   */
  public static boolean isOutage(Throwable failure) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    Throwable each = failure;
    while (each != null && seen.put(each, Boolean.TRUE) == null) {
      if (says(each)) {
        return true;
      }
      if (each instanceof SQLException sql
          && sql.getNextException() != null
          && says(sql.getNextException())) {
        return true;
      }
      each = each.getCause();
    }
    return false;
  }

  private static boolean says(Throwable failure) {
    if (failure instanceof SQLTransientConnectionException
        || failure instanceof SQLNonTransientConnectionException
        || failure instanceof SQLRecoverableException) {
      return true;
    }
    if (failure instanceof SQLException sql && sql.getSQLState() != null) {
      String state = sql.getSQLState();
      // 08: connection exceptions; 57P01-57P03: the server shuts down or is starting.
      if (state.startsWith("08")
          || state.equals("57P01")
          || state.equals("57P02")
          || state.equals("57P03")) {
        return true;
      }
    }
    for (Class<?> c = failure.getClass(); c != null; c = c.getSuperclass()) {
      for (String name : POOL_FAILURES) {
        if (c.getName().equals(name)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The refusal that stands for {@code failure}, logged as one line now and then. */
  public static Refused refusal(Throwable failure, Clock clock) {
    note(failure, clock);
    return ProblemType.DATABASE_UNAVAILABLE
        .refuse("the database cannot be reached; try again shortly")
        .retryAfter(RETRY_AFTER);
  }

  /** Logs the outage at most once every {@link #LOG_EVERY}, counting what went unlogged. */
  public static void note(Throwable failure, Clock clock) {
    Instant now = clock.instant();
    Instant last = lastLogged.get();
    boolean recent =
        last != Instant.MIN && Duration.between(last, now).abs().compareTo(LOG_EVERY) < 0;
    if (recent || !lastLogged.compareAndSet(last, now)) {
      unlogged.incrementAndGet();
      return;
    }
    long since = unlogged.getAndSet(0);
    LOG.log(
        Level.WARNING,
        "The database cannot be reached ({0}); requests that need it answer 503{1}",
        new Object[] {
          rootMessage(failure), since == 0 ? "" : " (" + since + " more since the last line)"
        });
  }

  static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    String text = root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    return text.length() > 300 ? text.substring(0, 300) + "…" : text;
  }
}
