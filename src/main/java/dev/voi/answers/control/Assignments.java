package dev.voi.answers.control;

import dev.voi.answers.entity.Assignment;
import dev.voi.coherence.control.Invalidations;
import dev.voi.coherence.control.TerminalChanged;
import dev.voi.metrics.control.Meters;
import dev.voi.platform.ImageAccess;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which images each terminal may see and the row of its reports and answers for each, in memory
 * after the first look-up: a terminal's poll is authorised without the database. Dropped as soon as
 * a terminal's assignments change or the terminal is deleted, here or on another instance.
 */
@ApplicationScoped
public class Assignments implements ImageAccess {

  /** An image assigned to a terminal: the row of its reports and answers, and its group. */
  public record AssignmentRef(long assignmentId, long imageId, String group) {}

  @PersistenceContext EntityManager em;
  @Inject Invalidations invalidations;
  @Inject Meters meters;

  private Invalidations.Cache<Long, Map<String, AssignmentRef>> assignments;

  @PostConstruct
  void init() {
    assignments = invalidations.newCache();
    meters.cache("assignments", assignments::size);
  }

  @Override
  public boolean mayRead(long terminalId, String imageName) {
    return assignment(terminalId, imageName).isPresent();
  }

  /** The assignment of that image to that terminal, if it is assigned. */
  public Optional<AssignmentRef> assignment(long terminalId, String imageName) {
    return Optional.ofNullable(assignments.get(terminalId, this::load).get(imageName));
  }

  /** Every image assigned to the terminal, by image name. */
  public Map<String, AssignmentRef> all(long terminalId) {
    return assignments.get(terminalId, this::load);
  }

  void onTerminalChanged(
      @Observes(during = TransactionPhase.AFTER_SUCCESS) TerminalChanged change) {
    if (change.kind() != TerminalChanged.Kind.TOKEN) { // assignments, group, deletion
      assignments.invalidate(change.terminalId());
    }
  }

  private Map<String, AssignmentRef> load(long terminalId) {
    Map<String, AssignmentRef> byImage = new HashMap<>();
    em.createNamedQuery(Assignment.OF_TERMINAL, Object[].class)
        .setParameter("terminal", terminalId)
        .getResultStream()
        .forEach(
            row ->
                byImage.put(
                    (String) row[2],
                    new AssignmentRef((Long) row[0], (Long) row[1], (String) row[3])));
    return Map.copyOf(byImage);
  }
}
