package dev.voi.terminals.control;

import dev.voi.terminals.entity.AnswerChange;
import dev.voi.terminals.entity.Feedback;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Instant;

/** The retention of the answer history and the feedback. */
@ApplicationScoped
@Transactional
public class History {

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
        em.createNamedQuery(Feedback.PRUNE).setParameter("before", before).executeUpdate();
    return changes + feedback;
  }
}
