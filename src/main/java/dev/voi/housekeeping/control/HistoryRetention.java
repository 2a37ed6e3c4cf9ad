package dev.voi.housekeeping.control;

import dev.voi.answers.entity.AnswerChange;
import dev.voi.terminals.entity.TerminalFeedback;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Instant;

/** The retention of the answer history and the feedback. */
@ApplicationScoped
@Transactional
public class HistoryRetention {

  @PersistenceContext EntityManager em;

  /**
   * Removes answer changes and feedback older than {@code before}.
   *
   * @return how many rows went
   */
  public int pruneBefore(Instant before) {
    int changes =
        em.createNamedQuery(AnswerChange.PRUNE).setParameter("before", before).executeUpdate();
    int feedback =
        em.createNamedQuery(TerminalFeedback.PRUNE).setParameter("before", before).executeUpdate();
    return changes + feedback;
  }
}
