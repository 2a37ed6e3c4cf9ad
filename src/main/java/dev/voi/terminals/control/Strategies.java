package dev.voi.terminals.control;

import dev.voi.chain.ChainNode;
import dev.voi.images.control.Lineage;
import dev.voi.platform.ProblemException;
import dev.voi.platform.VoiConfig;
import dev.voi.terminals.control.AnswerJson.Representation;
import dev.voi.terminals.control.TerminalDirectory.AssignmentRef;
import dev.voi.terminals.entity.Assignment;
import dev.voi.terminals.entity.StrategyAnswer;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The terminal's side of SPEC 6: reports of checksum lists and polls for the current answer.
 *
 * <p>Polls are the product's hottest path. The ETag of every terminal's current answer per image is
 * held in memory, so that a conditional poll that matches answers 304 without the database (the
 * token and the assignment come from {@link TerminalDirectory}, "seen" from {@link LastSeen}). The
 * tags are dropped the moment something that changes answers commits: a report (which replaces the
 * tag), a chain or policy change of the image, an assignment change, a deletion. A poll without a
 * usable tag reads its one assignment row, decides against the in-memory chain, and decides again
 * (and keeps the answer) when the row was decided against an older revision, so a publish, retire,
 * quarantine or policy change is in the very next poll's answer even while the re-decision of the
 * whole fleet is still under way.
 */
@ApplicationScoped
public class Strategies {

  /** Whose answer, for which image. */
  public record AnswerKey(long terminalId, String image) {}

  /** A cached tag and the version of the row it came from: a later version wins. */
  record CachedTag(long version, String etag) {}

  @Inject TerminalDirectory directory;
  @Inject ChainSnapshots snapshots;
  @Inject AnswerKeeper keeper;
  @Inject Invalidations invalidations;
  @Inject Lineage lineage;
  @Inject VoiConfig config;
  @PersistenceContext EntityManager em;

  private Invalidations.Cache<AnswerKey, CachedTag> tags;

  @PostConstruct
  void init() {
    tags = invalidations.newCache();
  }

  /**
   * The assignment of a terminal's image, or the refusal SPEC 6 step 1 asks for: 404 for an image
   * that does not exist, 403 for one not assigned to the terminal.
   */
  public AssignmentRef requireAssigned(long terminalId, String image) {
    Optional<AssignmentRef> assignment = directory.assignment(terminalId, image);
    if (assignment.isPresent()) {
      return assignment.get();
    }
    if (lineage.image(image).isEmpty()) {
      throw ProblemException.notFound("no image named " + image);
    }
    throw notAssigned(image);
  }

  /** The tag of the terminal's current answer when it is known without the database, or null. */
  public String knownEtag(long terminalId, String image) {
    CachedTag tag = tags.get(new AnswerKey(terminalId, image));
    return tag == null ? null : tag.etag();
  }

  /**
   * The current answer for the terminal's last reported list against the current chain.
   *
   * @return empty when the terminal has not reported a list for the image yet
   */
  public Optional<Representation> current(long terminalId, String image) {
    AssignmentRef assignment = requireAssigned(terminalId, image);
    long epoch = invalidations.epoch();
    ChainSnapshot chain = chain(image);
    Assignment row = em.find(Assignment.class, assignment.assignmentId());
    if (row == null) {
      throw notAssigned(image);
    }
    if (!row.hasReport()) {
      return Optional.empty();
    }
    StrategyAnswer answer = null;
    long version = row.version();
    if (Objects.equals(row.answerRevision(), chain.revision())) {
      answer = chain.answerFor(row.reportedNodes(), config.pollSeconds());
      if (!answer.fingerprint().equals(row.answerHash())) {
        answer = null;
      }
    }
    if (answer == null) {
      AnswerKeeper.Kept kept =
          keeper
              .redecide(assignment.assignmentId(), chain, chain.cause())
              .orElseThrow(() -> notAssigned(image));
      answer = kept.answer();
      version = kept.version();
    }
    return Optional.of(remember(terminalId, image, answer, version, epoch));
  }

  /** Keeps a reported list and answers it. */
  public Representation report(long terminalId, String image, List<ChainNode> nodes) {
    AssignmentRef assignment = requireAssigned(terminalId, image);
    long epoch = invalidations.epoch();
    ChainSnapshot chain = chain(image);
    AnswerKeeper.Kept kept =
        keeper
            .report(assignment.assignmentId(), nodes, chain)
            .orElseThrow(() -> notAssigned(image));
    return remember(terminalId, image, kept.answer(), kept.version(), epoch);
  }

  /** After a chain or policy change of the image: no cached tag of it may answer 304 again. */
  public void forgetImage(String image) {
    tags.invalidateIf((key, tag) -> key.image().equals(image));
  }

  /** After an assignment change or a deletion. */
  public void forgetTerminal(long terminalId) {
    tags.invalidateIf((key, tag) -> key.terminalId() == terminalId);
  }

  private Representation remember(
      long terminalId, String image, StrategyAnswer answer, long version, long epoch) {
    Representation representation = AnswerJson.represent(answer);
    tags.offer(
        new AnswerKey(terminalId, image),
        new CachedTag(version, representation.etag()),
        epoch,
        (held, offered) -> offered.version() >= held.version() ? offered : held);
    return representation;
  }

  private ChainSnapshot chain(String image) {
    return snapshots
        .get(image)
        .orElseThrow(() -> ProblemException.notFound("no image named " + image));
  }

  private static ProblemException notAssigned(String image) {
    return ProblemException.forbidden("image " + image + " is not assigned to this terminal");
  }
}
