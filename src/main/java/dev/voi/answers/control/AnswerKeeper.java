package dev.voi.answers.control;

import dev.voi.answers.entity.AnswerChange;
import dev.voi.answers.entity.Assignment;
import dev.voi.answers.entity.StoredAnswer;
import dev.voi.answers.entity.StrategyAnswer;
import dev.voi.chain.ChainNode;
import dev.voi.platform.VoiConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Stores reports and answers: every write to an assignment's list or answer goes through here, on
 * the row locked, so that reports, polls and re-decisions after a chain change serialise per
 * terminal and image. A changed answer adds one {@link AnswerChange}; an unchanged one adds none.
 */
@ApplicationScoped
@Transactional
public class AnswerKeeper {

  /** An answer and the row version it was stored at (later versions supersede it in caches). */
  public record Kept(StrategyAnswer answer, long version) {}

  @PersistenceContext EntityManager em;
  @Inject VoiConfig config;
  @Inject Clock clock;

  /**
   * Keeps a terminal's freshly reported list and the answer it gets now.
   *
   * @return empty when the assignment no longer exists
   */
  public Optional<Kept> report(long assignmentId, List<ChainNode> nodes, ChainSnapshot chain) {
    Assignment assignment = em.find(Assignment.class, assignmentId, LockModeType.PESSIMISTIC_WRITE);
    if (assignment == null) {
      return Optional.empty();
    }
    assignment.report(nodes, clock.instant());
    return Optional.of(decideNow(assignment, chain, AnswerChange.BY_REPORT));
  }

  /**
   * Decides again for the last reported list against {@code chain}, unless someone did meanwhile.
   *
   * @return empty when the assignment no longer exists or has no report
   */
  public Optional<Kept> redecide(long assignmentId, ChainSnapshot chain, String trigger) {
    Assignment assignment = em.find(Assignment.class, assignmentId, LockModeType.PESSIMISTIC_WRITE);
    if (assignment == null || !assignment.hasReport()) {
      return Optional.empty();
    }
    return Optional.of(decideNow(assignment, chain, trigger));
  }

  /** Decides and writes at once: the row's new version is what the caller caches. */
  private Kept decideNow(Assignment assignment, ChainSnapshot chain, String trigger) {
    StrategyAnswer answer = decide(assignment, chain, trigger);
    em.flush();
    return new Kept(answer, assignment.version());
  }

  private StrategyAnswer decide(Assignment assignment, ChainSnapshot chain, String trigger) {
    StrategyAnswer answer = chain.answerFor(assignment.reportedNodes(), config.pollSeconds());
    Instant now = clock.instant();
    if (assignment.answer(new StoredAnswer(answer, answer.fingerprint()), chain.revision(), now)) {
      em.persist(AnswerChange.of(assignment, answer, trigger, chain.revision(), now));
    }
    return answer;
  }
}
