package dev.voi.answers.control;

import dev.voi.answers.entity.AnswerChange;
import dev.voi.answers.entity.Assignment;
import dev.voi.answers.entity.StoredAnswer;
import dev.voi.answers.entity.StrategyAnswer;
import dev.voi.chain.ChainNode;
import dev.voi.chain.Reason;
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
import java.util.Objects;
import java.util.Optional;

/**
 * Stores reports and answers: every write to an assignment's list or answer goes through here, on
 * the row locked, so that reports, polls and re-decisions after a chain change serialise per
 * terminal and image. A changed answer adds one {@link AnswerChange}; an unchanged one adds none.
 */
@ApplicationScoped
@Transactional
public class AnswerKeeper {

  /**
   * An answer and the row version it was stored at (later versions supersede it in caches).
   *
   * @param validUntil when a maintenance window changes the answer, null for never
   */
  public record Kept(StrategyAnswer answer, long version, Instant validUntil) {}

  /** The history's trigger when a window opening changed an answer and nothing else did. */
  public static final String WINDOW_OPENED = "window opened";

  /** The history's trigger when a window closing changed an answer and nothing else did. */
  public static final String WINDOW_CLOSED = "window closed";

  @PersistenceContext EntityManager em;
  @Inject VoiConfig config;
  @Inject Clock clock;

  /**
   * Keeps a terminal's freshly reported list and the answer it gets now.
   *
   * @return empty when the assignment no longer exists
   */
  public Optional<Kept> report(
      long assignmentId, List<ChainNode> nodes, ChainSnapshot chain, String group) {
    Assignment assignment = em.find(Assignment.class, assignmentId, LockModeType.PESSIMISTIC_WRITE);
    if (assignment == null) {
      return Optional.empty();
    }
    assignment.report(nodes, clock.instant());
    return Optional.of(decideNow(assignment, chain, group, AnswerChange.BY_REPORT));
  }

  /**
   * Decides again for the last reported list against {@code chain}, unless someone did meanwhile.
   *
   * @return empty when the assignment no longer exists or has no report
   */
  public Optional<Kept> redecide(
      long assignmentId, ChainSnapshot chain, String group, String trigger) {
    Assignment assignment = em.find(Assignment.class, assignmentId, LockModeType.PESSIMISTIC_WRITE);
    if (assignment == null || !assignment.hasReport()) {
      return Optional.empty();
    }
    return Optional.of(decideNow(assignment, chain, group, trigger));
  }

  /** Decides and writes at once: the row's new version is what the caller caches. */
  private Kept decideNow(Assignment assignment, ChainSnapshot chain, String group, String trigger) {
    Instant now = clock.instant();
    ChainSnapshot.Judged judged =
        chain.answerFor(assignment.reportedNodes(), config.pollSeconds(), group, now);
    StrategyAnswer answer = judged.answer();
    String cause =
        trigger.equals(AnswerChange.BY_REPORT)
            ? trigger
            : windowTrigger(assignment, chain, answer).orElse(trigger);
    if (assignment.answer(new StoredAnswer(answer, answer.fingerprint()), chain.revision(), now)) {
      em.persist(AnswerChange.of(assignment, answer, cause, chain.revision(), now));
    }
    em.flush();
    return new Kept(answer, assignment.version(), judged.validUntil());
  }

  /**
   * "window opened" or "window closed" when only the passing of a window's edge can explain the new
   * answer: the row was decided against this very revision, and the answer moves into or out of
   * {@code OUTSIDE_WINDOW}.
   */
  static Optional<String> windowTrigger(
      Assignment assignment, ChainSnapshot chain, StrategyAnswer answer) {
    if (assignment.answer() == null
        || !Objects.equals(assignment.answerRevision(), chain.revision())) {
      return Optional.empty();
    }
    boolean was = assignment.answer().reason() == Reason.OUTSIDE_WINDOW;
    boolean is = answer.reason() == Reason.OUTSIDE_WINDOW;
    if (was == is) {
      return Optional.empty();
    }
    return Optional.of(was ? WINDOW_OPENED : WINDOW_CLOSED);
  }
}
