package dev.voi.terminals.control;

import dev.voi.platform.Authenticator;
import dev.voi.platform.Caller;
import dev.voi.platform.ImageAccess;
import dev.voi.terminals.entity.Assignment;
import dev.voi.terminals.entity.Terminal;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Who a terminal token belongs to and which images each terminal may see, in memory after the first
 * look-up: a terminal's poll authenticates and is authorised without the database. The registry
 * drops entries as soon as a token is rotated or a terminal deleted or (un)assigned.
 *
 * <p>Every request a terminal authenticates counts as "seen" ({@link LastSeen}).
 */
@ApplicationScoped
public class TerminalDirectory implements Authenticator.TerminalTokens, ImageAccess {

  /** An image assigned to a terminal: the row of its reports and answers. */
  public record AssignmentRef(long assignmentId, long imageId) {}

  @PersistenceContext EntityManager em;
  @Inject Invalidations invalidations;
  @Inject LastSeen lastSeen;
  @Inject Clock clock;

  private Invalidations.Cache<String, Long> terminalsByTokenHash;
  private Invalidations.Cache<Long, Map<String, AssignmentRef>> assignments;

  @PostConstruct
  void init() {
    terminalsByTokenHash = invalidations.newCache();
    assignments = invalidations.newCache();
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

  @Override
  public boolean mayRead(long terminalId, String imageName) {
    return assignment(terminalId, imageName).isPresent();
  }

  /** The assignment of that image to that terminal, if it is assigned. */
  public Optional<AssignmentRef> assignment(long terminalId, String imageName) {
    return Optional.ofNullable(assignments.get(terminalId, this::loadAssignments).get(imageName));
  }

  /** After a rotation or a deletion: the terminal's old token stops working now. */
  public void forgetTokens(long terminalId) {
    terminalsByTokenHash.invalidateIf((hash, id) -> id == terminalId);
  }

  /** After an assignment changed. */
  public void forgetAssignments(long terminalId) {
    assignments.invalidate(terminalId);
  }

  private Long loadTerminalId(String tokenHash) {
    return em.createNamedQuery(Terminal.BY_TOKEN_HASH, Long.class)
        .setParameter("hash", tokenHash)
        .getResultStream()
        .findFirst()
        .orElse(null);
  }

  private Map<String, AssignmentRef> loadAssignments(long terminalId) {
    Map<String, AssignmentRef> byImage = new HashMap<>();
    em.createNamedQuery(Assignment.OF_TERMINAL, Object[].class)
        .setParameter("terminal", terminalId)
        .getResultStream()
        .forEach(
            row -> byImage.put((String) row[2], new AssignmentRef((Long) row[0], (Long) row[1])));
    return Map.copyOf(byImage);
  }
}
