package dev.voi.agent;

import dev.voi.agent.ServerClient.FeedbackState;

/**
 * Best-effort feedback to the server: a failed feedback request is a warning (once), never the
 * reason an update fails. {@code DOWNLOADING} progress is sent at most every few seconds.
 */
final class Feedback {

  private static final long PROGRESS_INTERVAL_NANOS = 5_000_000_000L;

  private final ServerClient client;
  private final Console console;
  private boolean warned;
  private long lastProgressSent;
  private int lastProgress = -1;
  private volatile boolean closed;

  Feedback(ServerClient client, Console console) {
    this.client = client;
    this.console = console;
  }

  /** No more feedback from this run (it was interrupted: its last word is sent elsewhere). */
  void close() {
    closed = true;
  }

  void send(FeedbackState state, int progress, String detail) {
    if (closed) {
      return;
    }
    try {
      client.feedback(state, progress, detail);
      console.detail("feedback " + state + " " + progress + "%: " + detail);
    } catch (AgentException e) {
      if (!warned) {
        warned = true;
        console.warn("feedback to the server failed: " + e.getMessage());
      } else {
        console.detail("feedback failed: " + e.getMessage());
      }
    }
  }

  /** {@code DOWNLOADING} with the overall percentage, throttled. */
  void downloading(int percent, String detail) {
    long now = System.nanoTime();
    if (percent == lastProgress
        || (percent < 100
            && lastProgress >= 0
            && now - lastProgressSent < PROGRESS_INTERVAL_NANOS)) {
      return;
    }
    lastProgress = percent;
    lastProgressSent = now;
    send(FeedbackState.DOWNLOADING, percent, detail);
  }
}
