package dev.voi.terminals.control;

import dev.voi.answers.entity.AnswerChange;
import dev.voi.answers.entity.Assignment;
import dev.voi.chain.ImageName;
import dev.voi.chain.Reason;
import dev.voi.chain.Strategy;
import dev.voi.chain.rollout.GroupName;
import dev.voi.coherence.control.OwnChanges;
import dev.voi.coherence.control.TerminalChangeLog;
import dev.voi.coherence.control.TerminalChanged;
import dev.voi.images.control.Lineage;
import dev.voi.images.entity.Image;
import dev.voi.platform.ProblemType;
import dev.voi.platform.Refused;
import dev.voi.platform.TerminalId;
import dev.voi.platform.Tokens;
import dev.voi.terminals.entity.AssignedImage;
import dev.voi.terminals.entity.Terminal;
import dev.voi.terminals.entity.TerminalFeedback;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.TypedQuery;
import jakarta.transaction.Transactional;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.hibernate.Session;

/**
 * Terminals as the administrator manages them: registration, tokens, assignments, deletion, and the
 * listings and histories. Every change fires {@link TerminalChanged}, which drops what the caches
 * hold once the transaction commits.
 */
@ApplicationScoped
@Transactional
public class Registry {

  /** The readable start of every terminal token (the admin's start with {@code voia_}). */
  static final String TOKEN_PREFIX = "voit_";

  /** A new terminal and its token, which is shown this once. */
  public record Registered(Terminal terminal, String token) {}

  /** What the listing may be narrowed to; null fields do not narrow it. */
  public record Filter(ImageName image, Strategy strategy, Reason reason, String group) {}

  @PersistenceContext EntityManager em;
  @Inject Lineage lineage;
  @Inject Clock clock;
  @Inject SecureRandom random;
  @Inject Event<TerminalChanged> changes;
  @Inject OwnChanges ownChanges;

  public Registered register(String name, String group) {
    try {
      Terminal.requireValidName(name);
      GroupName.require(group, "group");
    } catch (IllegalArgumentException e) {
      throw ProblemType.BAD_REQUEST.refuse(e.getMessage());
    }
    if (byName(name).isPresent()) {
      throw nameTaken(name);
    }
    String token = Tokens.generate(TOKEN_PREFIX, random);
    Terminal terminal = new Terminal(name, group, Tokens.hash(token), clock.instant());
    try {
      em.persist(terminal);
      em.flush();
    } catch (PersistenceException e) {
      throw nameTaken(name);
    }
    return new Registered(terminal, token);
  }

  /**
   * Moves the terminal to another group (docs/design.md §11); its answers are decided again once
   * this commits.
   *
   * @return false when it was in that group already
   */
  public boolean moveToGroup(TerminalId terminalId, String group) {
    try {
      GroupName.require(group, "group");
    } catch (IllegalArgumentException e) {
      throw ProblemType.BAD_REQUEST.refuse(e.getMessage());
    }
    Terminal terminal = require(terminalId);
    em.lock(terminal, LockModeType.PESSIMISTIC_WRITE);
    if (terminal.group().equals(group)) {
      return false;
    }
    terminal.moveTo(group);
    em.createNamedQuery(Assignment.MOVE_OF_TERMINAL)
        .setParameter("group", group)
        .setParameter("terminal", terminalId.value())
        .executeUpdate();
    changed(terminalId, TerminalChanged.Kind.GROUP);
    return true;
  }

  /** A new token for the terminal; the old one stops working when this commits. */
  public String rotateToken(TerminalId terminalId) {
    Terminal terminal = require(terminalId);
    String token = Tokens.generate(TOKEN_PREFIX, random);
    terminal.useTokenHash(Tokens.hash(token));
    changed(terminalId, TerminalChanged.Kind.TOKEN);
    return token;
  }

  /** Removes the terminal with its assignments, answers, history and feedback. */
  public void delete(TerminalId id) {
    Terminal terminal = require(id);
    long terminalId = id.value();
    em.createNamedQuery(TerminalFeedback.DELETE_OF_TERMINAL)
        .setParameter("terminal", terminalId)
        .executeUpdate();
    em.createNamedQuery(AnswerChange.DELETE_OF_TERMINAL)
        .setParameter("terminal", terminalId)
        .executeUpdate();
    em.createNamedQuery(Assignment.DELETE_OF_TERMINAL)
        .setParameter("terminal", terminalId)
        .executeUpdate();
    em.remove(terminal);
    changed(id, TerminalChanged.Kind.DELETED);
  }

  /**
   * Assigns the image to the terminal.
   *
   * @return false when it was assigned already
   */
  public boolean assign(TerminalId terminalId, ImageName imageName) {
    Terminal terminal = require(terminalId);
    em.lock(terminal, LockModeType.PESSIMISTIC_WRITE);
    Image image = lineage.requireImage(imageName);
    if (assignment(terminalId, image.id()).isPresent()) {
      return false;
    }
    em.persist(new Assignment(terminalId.value(), image.id(), terminal.group(), clock.instant()));
    changed(terminalId, TerminalChanged.Kind.ASSIGNMENTS);
    return true;
  }

  /**
   * Takes the image away from the terminal with its reported list and answer; the history stays.
   *
   * @return false when it was not assigned
   */
  public boolean unassign(TerminalId terminalId, ImageName imageName) {
    Terminal terminal = require(terminalId);
    em.lock(terminal, LockModeType.PESSIMISTIC_WRITE);
    Image image = lineage.requireImage(imageName);
    Optional<Assignment> assignment = assignment(terminalId, image.id());
    if (assignment.isEmpty()) {
      return false;
    }
    em.remove(assignment.get());
    changed(terminalId, TerminalChanged.Kind.ASSIGNMENTS);
    return true;
  }

  /**
   * Drops the caches' entries about the terminal when this transaction commits, here through the
   * event and on every other instance through the {@code terminal_change} row.
   */
  private void changed(TerminalId terminalId, TerminalChanged.Kind kind) {
    TerminalChanged change = new TerminalChanged(terminalId.value(), kind);
    ownChanges.wrote(
        em.unwrap(Session.class).doReturningWork(c -> TerminalChangeLog.record(c, change)));
    changes.fire(change);
  }

  public Terminal require(TerminalId terminalId) {
    Terminal terminal = em.find(Terminal.class, terminalId.value());
    if (terminal == null) {
      throw ProblemType.NOT_FOUND.refuse("no terminal " + terminalId);
    }
    return terminal;
  }

  /** The terminal's images and current answers, by image name. */
  public List<AssignedImage> images(TerminalId terminalId) {
    return images(List.of(terminalId.value())).getOrDefault(terminalId.value(), List.of());
  }

  /** Terminals in id order after {@code after}, at most {@code limit}, narrowed by the filter. */
  public List<Terminal> list(Filter filter, long after, int limit) {
    StringBuilder jpql = new StringBuilder("SELECT t FROM Terminal t WHERE t.id > :after");
    Long imageId = null;
    if (filter.image() != null) {
      Optional<Image> image = lineage.image(filter.image());
      if (image.isEmpty()) {
        return List.of();
      }
      imageId = image.get().id();
    }
    if (imageId != null || filter.strategy() != null || filter.reason() != null) {
      jpql.append(" AND EXISTS (SELECT a.id FROM Assignment a WHERE a.terminalId = t.id");
      if (imageId != null) {
        jpql.append(" AND a.imageId = :image");
      }
      if (filter.strategy() != null) {
        jpql.append(" AND a.answer.strategy = :strategy");
      }
      if (filter.reason() != null) {
        jpql.append(" AND a.answer.reason = :reason");
      }
      jpql.append(")");
    }
    if (filter.group() != null) {
      jpql.append(" AND t.group = :group");
    }
    jpql.append(" ORDER BY t.id");
    TypedQuery<Terminal> query =
        em.createQuery(jpql.toString(), Terminal.class)
            .setParameter("after", after)
            .setMaxResults(limit);
    if (imageId != null) {
      query.setParameter("image", imageId);
    }
    if (filter.strategy() != null) {
      query.setParameter("strategy", filter.strategy());
    }
    if (filter.reason() != null) {
      query.setParameter("reason", filter.reason());
    }
    if (filter.group() != null) {
      query.setParameter("group", filter.group());
    }
    return query.getResultList();
  }

  /** The images of several terminals, by terminal id, each list by image name. */
  public Map<Long, List<AssignedImage>> images(List<Long> terminalIds) {
    if (terminalIds.isEmpty()) {
      return Map.of();
    }
    return em.createQuery(
            AssignedImage.SELECT + " WHERE a.terminalId IN :ids ORDER BY a.terminalId, i.name",
            AssignedImage.class)
        .setParameter("ids", terminalIds)
        .getResultStream()
        .collect(Collectors.groupingBy(AssignedImage::terminalId));
  }

  /** A terminal's answer changes, newest first, before the id {@code before}. */
  public List<Object[]> history(TerminalId terminalId, ImageName image, long before, int limit) {
    return newestFirst("AnswerChange", terminalId, image, before, limit);
  }

  /** A terminal's feedback, newest first, before the id {@code before}. */
  public List<Object[]> feedback(TerminalId terminalId, ImageName image, long before, int limit) {
    return newestFirst("TerminalFeedback", terminalId, image, before, limit);
  }

  /** Keeps what a terminal said about applying its answer. */
  public void addFeedback(
      TerminalId terminalId,
      long imageId,
      TerminalFeedback.State state,
      Integer progress,
      String detail) {
    em.persist(
        new TerminalFeedback(
            terminalId.value(), imageId, clock.instant(), state, progress, detail));
  }

  /** Rows of {@code entity} (which has terminalId and imageId) with the image's name. */
  private List<Object[]> newestFirst(
      String entity, TerminalId terminalId, ImageName image, long before, int limit) {
    String jpql =
        "SELECT x, i.name FROM "
            + entity
            + " x JOIN Image i ON i.id = x.imageId WHERE x.terminalId = :terminal AND x.id < :before"
            + (image == null ? "" : " AND i.name = :image")
            + " ORDER BY x.id DESC";
    TypedQuery<Object[]> query =
        em.createQuery(jpql, Object[].class)
            .setParameter("terminal", terminalId.value())
            .setParameter("before", before)
            .setMaxResults(limit);
    if (image != null) {
      query.setParameter("image", image.value());
    }
    return query.getResultList();
  }

  private Optional<Terminal> byName(String name) {
    return em.createNamedQuery(Terminal.BY_NAME, Terminal.class)
        .setParameter("name", name)
        .getResultStream()
        .findFirst();
  }

  private Optional<Assignment> assignment(TerminalId terminalId, long imageId) {
    return em.createNamedQuery(Assignment.BY_TERMINAL_AND_IMAGE, Assignment.class)
        .setParameter("terminal", terminalId.value())
        .setParameter("image", imageId)
        .getResultStream()
        .findFirst();
  }

  private static Refused nameTaken(String name) {
    return ProblemType.TERMINAL_EXISTS.refuse("a terminal named " + name + " is registered");
  }
}
