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
import dev.voi.platform.ProblemType;
import dev.voi.platform.Refused;
import dev.voi.platform.TerminalId;
import dev.voi.platform.VoiConfig;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
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

  /** The current answer and the version of the row it came from: a later version wins. */
  record CachedAnswer(long version, Representation representation) {}

  @Inject Assignments assignments;
  @Inject TargetChains targets;
  @Inject AnswerKeeper keeper;
  @Inject Invalidations invalidations;
  @Inject Lineage lineage;
  @Inject VoiConfig config;
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
    return answer == null ? null : answer.representation();
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
    ChainSnapshot chain = chain(image, terminalId);
    Assignment row = em.find(Assignment.class, assignment.assignmentId());
    if (row == null) {
      throw notAssigned(image);
    }
    if (!row.hasReport()) {
      return Optional.empty();
    }
    if (Objects.equals(row.answerRevision(), chain.revision())) {
      // The stored answer is current: its bytes are likely known already (terminals in the same
      // state get the same answer), so neither the list nor the decision is needed.
      Representation known =
          row.answerHash() == null ? null : representations.get(row.answerHash());
      if (known != null) {
        return Optional.of(remember(terminalId, image, known, row.version(), epoch));
      }
      StrategyAnswer answer = chain.answerFor(row.reportedNodes(), config.pollSeconds());
      if (answer.fingerprint().equals(row.answerHash())) {
        return Optional.of(remember(terminalId, image, answer, row.version(), epoch));
      }
    }
    AnswerKeeper.Kept kept =
        keeper
            .redecide(assignment.assignmentId(), chain, chain.cause())
            .orElseThrow(() -> notAssigned(image));
    return Optional.of(remember(terminalId, image, kept.answer(), kept.version(), epoch));
  }

  /** Keeps a reported list and answers it. */
  public Representation report(TerminalId id, ImageName imageName, List<ChainNode> nodes) {
    AssignmentRef assignment = requireAssigned(id, imageName);
    long terminalId = id.value();
    String image = imageName.value();
    long epoch = invalidations.epoch();
    ChainSnapshot chain = chain(image, terminalId);
    AnswerKeeper.Kept kept =
        keeper
            .report(assignment.assignmentId(), nodes, chain)
            .orElseThrow(() -> notAssigned(image));
    return remember(terminalId, image, kept.answer(), kept.version(), epoch);
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
      long terminalId, String image, StrategyAnswer answer, long version, long epoch) {
    String fingerprint = answer.fingerprint();
    Representation representation = representations.get(fingerprint);
    if (representation == null) {
      representation = AnswerJson.represent(answer);
      if (representations.size() >= MAX_REPRESENTATIONS) {
        representations.clear();
      }
      representations.put(fingerprint, representation);
    }
    return remember(terminalId, image, representation, version, epoch);
  }

  private Representation remember(
      long terminalId, String image, Representation representation, long version, long epoch) {
    answers.offer(
        new AnswerKey(terminalId, image),
        new CachedAnswer(version, representation),
        epoch,
        (held, offered) -> offered.version() >= held.version() ? offered : held);
    return representation;
  }

  private ChainSnapshot chain(String image, long terminalId) {
    return targets
        .of(image, terminalId)
        .orElseThrow(() -> ProblemType.NOT_FOUND.refuse("no image named " + image));
  }

  private static Refused notAssigned(String image) {
    return ProblemType.FORBIDDEN.refuse("image " + image + " is not assigned to this terminal");
  }
}
