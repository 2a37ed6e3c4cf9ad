package dev.voi.platform;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.io.EOFException;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * A client that goes away mid-transfer is normal for a fleet (a terminal reboots, a download is
 * cancelled, an upload is interrupted), not a server failure. Jersey and the web container log each
 * such abort as SEVERE with two stack traces (about a hundred lines per aborted upload); this
 * filter, installed on their loggers for the life of the application, drops those records and
 * counts them, and lets every other record through unchanged.
 */
@WebListener
public class ClientAborts implements ServletContextListener {

  /** The loggers that report client aborts as failures. */
  static final List<String> LOGGERS =
      List.of(
          "org.glassfish.jersey.server.ServerRuntime$Responder",
          "jakarta.enterprise.web",
          "jakarta.enterprise.web.core");

  private static final Logger LOG = Logger.getLogger(ClientAborts.class.getName());
  private static final List<String> CLOSED_MESSAGES =
      List.of(
          "connection is closed",
          "connection closed",
          "connection reset by peer",
          "broken pipe",
          "stream closed");
  private static final AtomicLong DROPPED = new AtomicLong();

  /**
   * Strong references to the loggers that carry the filter: the log manager holds loggers weakly,
   * and one collected before its owner asked for it again would come back without the filter.
   */
  private static final List<Logger> FILTERED = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * True when {@code failure} (or a cause) says the client's connection is gone: an end of stream
   * while reading its body, or a closed, reset or broken connection while writing to it.
   */
  public static boolean isClientAbort(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof EOFException
          || t.getClass().getSimpleName().equals("ClientAbortException")) {
        return true;
      }
      if (t instanceof IOException && t.getMessage() != null) {
        String message = t.getMessage().toLowerCase(Locale.ROOT);
        if (CLOSED_MESSAGES.stream().anyMatch(message::contains)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The web container's own logger writes the stack trace into the message: "Exception processing
   * ErrorPage[…]" followed by a trace whose first line is a closed connection.
   */
  static boolean isErrorPageAbort(String message) {
    if (message == null || !message.contains("Exception processing ErrorPage")) {
      return false;
    }
    String lower = message.toLowerCase(Locale.ROOT);
    return CLOSED_MESSAGES.stream().anyMatch(lower::contains);
  }

  /** How many log records of client aborts were dropped since the start. */
  public static long dropped() {
    return DROPPED.get();
  }

  /** Drops warnings and failures about client aborts; asks the logger's earlier filter else. */
  record Dropping(Filter previous) implements Filter {
    @Override
    public boolean isLoggable(LogRecord record) {
      if (record.getLevel().intValue() >= Level.WARNING.intValue()
          && (isClientAbort(record.getThrown()) || isErrorPageAbort(record.getMessage()))) {
        DROPPED.incrementAndGet();
        return false;
      }
      return previous == null || previous.isLoggable(record);
    }
  }

  @Override
  public void contextInitialized(ServletContextEvent event) {
    for (String name : LOGGERS) {
      Logger logger = Logger.getLogger(name);
      logger.setFilter(new Dropping(logger.getFilter()));
      FILTERED.add(logger);
    }
    LOG.fine("Client aborts are no longer logged as failures");
  }

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    for (String name : LOGGERS) {
      Logger logger = Logger.getLogger(name);
      if (logger.getFilter() instanceof Dropping dropping) {
        logger.setFilter(dropping.previous());
      }
    }
    FILTERED.clear();
  }
}
