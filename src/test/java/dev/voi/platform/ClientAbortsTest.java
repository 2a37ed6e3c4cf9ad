package dev.voi.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class ClientAbortsTest {

  /** The shapes Payara logged for an aborted download and an aborted upload. */
  static Throwable abortedDownload() {
    return new RuntimeException(
        "org.glassfish.jersey.server.internal.process.MappableException",
        new IOException("Connection closed", new IOException("Connection reset by peer")));
  }

  static Throwable abortedUpload() {
    return new UncheckedIOException(new IOException("Connection is closed", new EOFException()));
  }

  static LogRecord record(Level level, Throwable thrown) {
    LogRecord record = new LogRecord(level, "Error while closing the output stream");
    record.setThrown(thrown);
    return record;
  }

  @Test
  void clientAbortsAreRecognisedThroughTheirCauses() {
    assertThat(ClientAborts.isClientAbort(abortedDownload())).isTrue();
    assertThat(ClientAborts.isClientAbort(abortedUpload())).isTrue();
    assertThat(ClientAborts.isClientAbort(new IOException("Broken pipe"))).isTrue();
    assertThat(ClientAborts.isClientAbort(new IOException("No space left on device"))).isFalse();
    assertThat(ClientAborts.isClientAbort(new IllegalStateException("closed"))).isFalse();
    assertThat(ClientAborts.isClientAbort(null)).isFalse();
  }

  @Test
  void onlyWarningsAndFailuresAboutClientAbortsAreDropped() {
    Filter filter = new ClientAborts.Dropping(null);
    long before = ClientAborts.dropped();
    assertThat(filter.isLoggable(record(Level.SEVERE, abortedDownload()))).isFalse();
    assertThat(filter.isLoggable(record(Level.WARNING, abortedUpload()))).isFalse();
    assertThat(ClientAborts.dropped()).isEqualTo(before + 2);
    assertThat(filter.isLoggable(record(Level.SEVERE, new IOException("disk failed")))).isTrue();
    assertThat(filter.isLoggable(record(Level.SEVERE, null))).isTrue();
    assertThat(filter.isLoggable(record(Level.FINE, abortedDownload()))).isTrue();
  }

  @Test
  void theWebContainersErrorPageAbortIsDroppedByItsText() {
    Filter filter = new ClientAborts.Dropping(null);
    String logged =
        "org.apache.catalina.core.StandardHostValve@5dc7c851: Exception processing"
            + " ErrorPage[errorCode=500, location=/problem]\njava.io.IOException: Connection is"
            + " closed\n\tat org.apache.catalina.connector.OutputBuffer.doFlush";
    assertThat(filter.isLoggable(new LogRecord(Level.WARNING, logged))).isFalse();
    String other =
        "org.apache.catalina.core.StandardHostValve@5dc7c851: Exception processing"
            + " ErrorPage[errorCode=500, location=/problem]\njava.lang.NullPointerException";
    assertThat(filter.isLoggable(new LogRecord(Level.WARNING, other))).isTrue();
  }

  @Test
  void aLoggersEarlierFilterStillDecidesEverythingElse() {
    Filter refuseAll = r -> false;
    Filter filter = new ClientAborts.Dropping(refuseAll);
    assertThat(filter.isLoggable(record(Level.SEVERE, new IOException("disk failed")))).isFalse();
  }
}
