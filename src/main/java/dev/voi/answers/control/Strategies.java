package dev.voi.answers.control;

import dev.voi.answers.control.AnswerJson.Representation;
import dev.voi.answers.control.Assignments.AssignmentRef;
import dev.voi.answers.entity.Assignment;
import dev.voi.answers.entity.StrategyAnswer;
import dev.voi.chain.ChainNode;
import dev.voi.chain.ImageName;
import dev.voi.coherence.control.Invalidations;
import dev.voi.coherence.control.TerminalChanged;
import dev.voi.images.control.Lineage;
import dev.voi.metrics.control.Meters;
import dev.voi.platform.ProblemType;
import dev.voi.platform.Refused;
import dev.voi.platform.TerminalId;
import dev.voi.platform.VoiConfig;
import dev.voi.rollouts.control.RolloutProgress;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The terminal's side of docs/design.md §6: reports of checksum lists and polls for the current
 * answer.
 *
 * <p>Polls are the product's hottest path. Every terminal's current answer per image (its ETag and
 * a reference to its bytes, which terminals in the same state share) is held in memory, so that a
 * poll answers without the database: 304 when {@code If-None-Match} matches, else the bytes (the
 * token comes from the terminals component, the assignment from {@link Assignments}, "seen" is
 * marked there too). The entries are dropped the moment something that changes answers commits: a
 * report (which replaces the entry), a chain or policy change of the image, an assignment change, a
 * deletion. A poll without an entry reads its one assignment row, decides against the in-memory
 * chain, and decides again (and keeps the answer) when the row was decided against an older
 * revision, so a publish, retire, quarantine or policy change is in the very next poll's answer
 * even while the re-decision of the whole fleet is still under way.
 */
@ApplicationScoped
public class Strategies {

  /** Whose answer, for which image. */
  public record AnswerKey(long terminalId, String image) {}

  /**
   * The current answer and the version of the row it came from: a later version wins.
   *
   * @param validUntil epoch millis from which a maintenance window's edge changes the answer
   */
  record CachedAnswer(long version, Representation representation, long validUntil) {}

  @Inject Assignments assignments;
  @Inject TargetChains targets;
  @Inject AnswerKeeper keeper;
  @Inject Invalidations invalidations;
  @Inject Lineage lineage;
  @Inject VoiConfig config;
  @Inject Clock clock;
  @Inject RolloutProgress progress;
  @Inject Meters meters;
  @PersistenceContext EntityManager em;

  private Invalidations.Cache<AnswerKey, CachedAnswer> answers;

  /**
   * Answer bytes by fingerprint. An answer's bytes are a function of its fingerprint (and of {@code
   * voi.poll.seconds}, fixed for the process), so entries never go stale; terminals in the same
   * state share one. Cleared when it grows past its bound.
   */
  private final Map<String, Representation> representations = new ConcurrentHashMap<>();

  static final int MAX_REPRESENTATIONS = 10_000;

  @PostConstruct
  void init() {
    answers = invalidations.newCache();
    meters.cache("answers", answers::size);
    meters.cache("answer-bodies", representations::size);
  }

  /**
   * The assignment of a terminal's image, or the refusal docs/design.md §6 step 1 asks for: 404 for
   * an image that does not exist, 403 for one not assigned to the terminal.
   */
  public AssignmentRef requireAssigned(TerminalId terminalId, ImageName imageName) {
    String image = imageName.value();
    Optional<AssignmentRef> assignment = assignments.assignment(terminalId.value(), image);
    if (assignment.isPresent()) {
      return assignment.get();
    }
    if (lineage.image(ImageName.of(image)).isEmpty()) {
      throw ProblemType.NOT_FOUND.refuse("no image named " + image);
    }
    throw notAssigned(image);
  }

  /**
   * The terminal's current answer when it is known without the database, or null. Conditional polls
   * that match answer 304 from it, others get its bytes.
   */
  public Representation known(TerminalId terminalId, String image) {
    CachedAnswer answer = answers.get(new AnswerKey(terminalId.value(), image));
    if (answer == null || clock.millis() >= answer.validUntil()) {
      return null; // a window opened or closed since: decided again by current()
    }
    return answer.representation();
  }

  /**
   * The current answer for the terminal's last reported list against the current chain.
   *
   * @return empty when the terminal has not reported a list for the image yet
   */
  public Optional<Representation> current(TerminalId id, ImageName imageName) {
    AssignmentRef assignment = requireAssigned(id, imageName);
    long terminalId = id.value();
    String image = imageName.value();
    long epoch = invalidations.epoch();
    ChainSnapshot chain = chain(image);
    Assignment row = em.find(Assignment.class, assignment.assignmentId());
    if (row == null) {
      throw notAssigned(image);
    }
    if (!row.hasReport()) {
      return Optional.empty();
    }
    String group = assignment.group();
    boolean timeless = !chain.windows().containsKey(group);
    if (timeless && Objects.equals(row.answerRevision(), chain.revision())) {
      // The stored answer is current: its bytes are likely known already (terminals in the same
      // state get the same answer), so neither the list nor the decision is needed.
      Representation known =
          row.answerHash() == null ? null : representations.get(row.answerHash());
      if (known != null) {
        return Optional.of(remember(terminalId, image, known, row.version(), null, epoch));
      }
    }
    // Decided again in memory: a row left at an older revision by a re-decision that did not
    // concern its group, or a window's edge that passed, needs no write when the answer stands.
    ChainSnapshot.Judged judged =
        chain.answerFor(row.reportedNodes(), config.pollSeconds(), group, clock.instant());
    if (judged.answer().fingerprint().equals(row.answerHash())) {
      return Optional.of(
          remember(terminalId, image, judged.answer(), row.version(), judged.validUntil(), epoch));
    }
    AnswerKeeper.Kept kept =
        keeper
            .redecide(assignment.assignmentId(), chain, group, chain.cause())
            .orElseThrow(() -> notAssigned(image));
    return Optional.of(
        remember(terminalId, image, kept.answer(), kept.version(), kept.validUntil(), epoch));
  }

  /** Keeps a reported list and answers it. */
  public Representation report(TerminalId id, ImageName imageName, List<ChainNode> nodes) {
    AssignmentRef assignment = requireAssigned(id, imageName);
    long terminalId = id.value();
    String image = imageName.value();
    long epoch = invalidations.epoch();
    ChainSnapshot chain = chain(image);
    AnswerKeeper.Kept kept =
        keeper
            .report(assignment.assignmentId(), nodes, chain, assignment.group())
            .orElseThrow(() -> notAssigned(image));
    if (chain.rollout() != null) {
      progress.nudge(imageName); // a wave may be complete now
    }
    return remember(terminalId, image, kept.answer(), kept.version(), kept.validUntil(), epoch);
  }

  /**
   * Decides every answer of one terminal again, at once (after it moved to another group: its wave
   * and windows may differ).
   */
  public void redecideTerminal(TerminalId id, String trigger) {
    long epoch = invalidations.epoch();
    assignments
        .all(id.value())
        .forEach(
            (image, assignment) ->
                targets
                    .of(image)
                    .flatMap(
                        chain ->
                            keeper.redecide(
                                assignment.assignmentId(), chain, assignment.group(), trigger))
                    .ifPresent(
                        kept ->
                            remember(
                                id.value(),
                                image,
                                kept.answer(),
                                kept.version(),
                                kept.validUntil(),
                                epoch)));
  }

  /** After a chain or policy change of the image: no answer held for it may be served again. */
  public void forgetImage(String image) {
    answers.invalidateIf((key, answer) -> key.image().equals(image));
  }

  /** After an assignment change or a deletion, here or on another instance. */
  void onTerminalChanged(
      @Observes(during = TransactionPhase.AFTER_SUCCESS) TerminalChanged change) {
    if (change.kind() != TerminalChanged.Kind.TOKEN) {
      long terminalId = change.terminalId();
      answers.invalidateIf((key, answer) -> key.terminalId() == terminalId);
    }
  }

  private Representation remember(
      long terminalId,
      String image,
      StrategyAnswer answer,
      long version,
      Instant validUntil,
      long epoch) {
    String fingerprint = answer.fingerprint();
    Representation representation = representations.get(fingerprint);
    if (representation == null) {
      representation = AnswerJson.represent(answer);
      if (representations.size() >= MAX_REPRESENTATIONS) {
        representations.clear();
      }
      representations.put(fingerprint, representation);
    }
    return remember(terminalId, image, representation, version, validUntil, epoch);
  }

  private Representation remember(
      long terminalId,
      String image,
      Representation representation,
      long version,
      Instant validUntil,
      long epoch) {
    answers.offer(
        new AnswerKey(terminalId, image),
        new CachedAnswer(
            version,
            representation,
            validUntil == null ? Long.MAX_VALUE : validUntil.toEpochMilli()),
        epoch,
        (held, offered) -> offered.version() >= held.version() ? offered : held);
    return representation;
  }

  private ChainSnapshot chain(String image) {
    return targets
        .of(image)
        .orElseThrow(() -> ProblemType.NOT_FOUND.refuse("no image named " + image));
  }

  private static Refused notAssigned(String image) {
    return ProblemType.FORBIDDEN.refuse("image " + image + " is not assigned to this terminal");
  }
}
