package dev.voi.terminals.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;

/**
 * Drops what the caches hold about a terminal once a change of it commits: a rotated-out or deleted
 * terminal's token answers 401 from the next request on, an unassigned image 403. Changes made by
 * another instance arrive through {@link RemoteTerminalChanges}.
 */
@ApplicationScoped
public class CacheInvalidation {

  @Inject TerminalDirectory directory;
  @Inject Strategies strategies;
  @Inject LastSeen lastSeen;

  void onTerminalChanged(
      @Observes(during = TransactionPhase.AFTER_SUCCESS) TerminalChanged change) {
    apply(change);
  }

  /** Drops what the caches hold about the terminal (a change here or on another instance). */
  public void apply(TerminalChanged change) {
    long id = change.terminalId();
    switch (change.kind()) {
      case TOKEN -> directory.forgetTokens(id);
      case ASSIGNMENTS -> {
        directory.forgetAssignments(id);
        strategies.forgetTerminal(id);
      }
      case DELETED -> {
        directory.forgetTokens(id);
        directory.forgetAssignments(id);
        strategies.forgetTerminal(id);
        lastSeen.forget(id);
      }
    }
  }
}
