package dev.voi.terminals.control;

import dev.voi.coherence.control.Invalidations;
import dev.voi.coherence.control.TerminalChanged;
import dev.voi.metrics.control.Meters;
import dev.voi.platform.Authenticator;
import dev.voi.platform.Caller;
import dev.voi.terminals.entity.Terminal;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Clock;
import java.util.Optional;

/**
 * Who a terminal token belongs to, in memory after the first look-up: a terminal's poll
 * authenticates without the database. Entries go as soon as a token is rotated or a terminal
 * deleted, here or on another instance ({@link TerminalChanged}).
 *
 * <p>Every request a terminal authenticates counts as "seen" ({@link LastSeen}).
 */
@ApplicationScoped
public class TerminalDirectory implements Authenticator.TerminalTokens {

  @PersistenceContext EntityManager em;
  @Inject Invalidations invalidations;
  @Inject LastSeen lastSeen;
  @Inject Meters meters;
  @Inject Clock clock;

  private Invalidations.Cache<String, Long> terminalsByTokenHash;

  @PostConstruct
  void init() {
    terminalsByTokenHash = invalidations.newCache();
    meters.cache("terminal-tokens", terminalsByTokenHash::size);
  }

  @Override
  public Optional<Caller.Terminal> terminalForTokenHash(String tokenHash) {
    Long id = terminalsByTokenHash.get(tokenHash, this::loadTerminalId);
    if (id == null) {
      return Optional.empty();
    }
    lastSeen.mark(id, clock.instant());
    return Optional.of(new Caller.Terminal(id));
  }

  void onTerminalChanged(
      @Observes(during = TransactionPhase.AFTER_SUCCESS) TerminalChanged change) {
    if (change.kind() != TerminalChanged.Kind.ASSIGNMENTS) {
      long terminalId = change.terminalId();
      terminalsByTokenHash.invalidateIf((hash, id) -> id == terminalId);
    }
  }

  private Long loadTerminalId(String tokenHash) {
    return em.createNamedQuery(Terminal.BY_TOKEN_HASH, Long.class)
        .setParameter("hash", tokenHash)
        .getResultStream()
        .findFirst()
        .orElse(null);
  }
}
