package dev.voi.rollouts.control;

import dev.voi.chain.ImageName;
import dev.voi.chain.rollout.ReleasedTips;
import dev.voi.chain.rollout.RolloutPlan;
import dev.voi.images.control.Affected;
import dev.voi.images.control.Lineage;
import dev.voi.images.control.TipMoved;
import dev.voi.images.entity.Image;
import dev.voi.images.entity.Layer;
import dev.voi.platform.ProblemType;
import dev.voi.platform.VoiConfig;
import dev.voi.rollouts.entity.Rollout;
import dev.voi.rollouts.entity.RolloutEvent;
import dev.voi.rollouts.entity.RolloutWave;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Rollout plans and their waves (docs/design.md §11). Every change of a plan or of a released tip
 * goes through {@link Lineage#revise} (lock → revise → announce), naming the groups whose terminals
 * it affects; a publish or a retire moves released tips inside its own transaction ({@link
 * #onTipMoved}).
 */
@ApplicationScoped
@Transactional
public class Rollouts {

  /** An image's plan as answers need it: the plan, each wave's released tip and when it changed. */
  public record State(
      RolloutPlan plan, ReleasedTips tips, List<Instant> releasedAt, boolean halted) {

    /** IDLE, ROLLING or HALTED. */
    public String name() {
      return halted ? "HALTED" : tips.rolling() ? "ROLLING" : "IDLE";
    }
  }

  /** A wave's terminals as the thresholds count them. */
  public record Counts(long terminals, long upToDate, long failed) {}

  /**
   * How the implicit last wave's groups are stored: none named (a named wave names one or more).
   */
  static final String IMPLICIT_WAVE = "";

  /** A wave for people: its groups, released tip, counts. */
  public record WaveView(
      int wave,
      List<String> groups,
      boolean implicit,
      Layer releasedTip,
      Instant releasedAt,
      Counts counts,
      boolean complete) {}

  /** A plan for people. */
  public record View(State state, List<WaveView> waves, List<RolloutEvent> events) {}

  static final String ADVANCE = "advance";
  static final String HALT = "halt";

  private static final String COUNT =
      "SELECT COUNT(*),"
          + " COALESCE(SUM(CASE WHEN a.reason = 'UP_TO_DATE' AND a.reported_tip = :tip"
          + " THEN 1 ELSE 0 END), 0),"
          + " COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM feedback f WHERE f.terminal_id ="
          + " a.terminal_id AND f.image_id = a.image_id AND f.state = 'FAILED' AND f.received_at"
          + " >= :since) THEN 1 ELSE 0 END), 0)"
          + " FROM assignment a JOIN terminal t ON t.id = a.terminal_id"
          + " WHERE a.image_id = :image AND (t.last_seen >= :seen OR a.reported_at >= :seen)";

  @PersistenceContext EntityManager em;
  @Inject Lineage lineage;
  @Inject VoiConfig config;
  @Inject Clock clock;

  /** The images that have a rollout plan. */
  public List<ImageName> imagesWithPlans() {
    return em.createQuery(
            "SELECT i.name FROM Image i WHERE EXISTS (SELECT r FROM Rollout r WHERE r.imageId ="
                + " i.id) ORDER BY i.name",
            String.class)
        .getResultStream()
        .map(ImageName::of)
        .toList();
  }

  /** The image's plan, empty without one. */
  public Optional<State> state(long imageId) {
    Rollout rollout = em.find(Rollout.class, imageId);
    if (rollout == null) {
      return Optional.empty();
    }
    // Scalars, not entities: released tips move by bulk UPDATEs, which a persistence context's
    // entities would not see within the same transaction.
    List<Object[]> waves =
        em.createQuery(
                "SELECT w.wave, w.groups, w.releasedLayerId, w.releasedAt FROM RolloutWave w"
                    + " WHERE w.imageId = :image ORDER BY w.wave",
                Object[].class)
            .setParameter("image", imageId)
            .getResultList();
    List<List<String>> named = new ArrayList<>();
    long[] tips = new long[waves.size()];
    List<Instant> at = new ArrayList<>();
    for (Object[] wave : waves) {
      int index = (Integer) wave[0];
      String stored = (String) wave[1];
      // The implicit last wave is stored without groups (IMPLICIT_WAVE); a wave that names "*" is
      // stored as "*", so the two stay apart and a plan of one "*" wave reads back as itself.
      boolean implicit = index == waves.size() - 1 && stored.equals(IMPLICIT_WAVE);
      if (!implicit) {
        named.add(List.of(stored.split(",")));
      }
      tips[index] = (Long) wave[2];
      at.add((Instant) wave[3]);
    }
    RolloutPlan plan =
        new RolloutPlan(
            named, rollout.successThreshold(), rollout.errorThreshold(), rollout.autoAdvance());
    return Optional.of(new State(plan, ReleasedTips.of(tips), at, rollout.halted()));
  }

  /**
   * Puts a plan. A new plan releases the current tip to every wave (it stages what is published
   * next); a replaced plan keeps each wave's released tip by position (new waves take the last
   * one's). Either way the rollout is no longer halted.
   */
  public View put(ImageName imageName, RolloutPlan plan, String actor) {
    lineage.revise(
        imageName,
        "rollout",
        image -> {
          Instant now = clock.instant();
          long tip = tip(image).id();
          Optional<State> before = state(image.id());
          ReleasedTips tips =
              before
                  .map(s -> s.tips().resized(plan.waveCount()).published(tip))
                  .orElse(ReleasedTips.allAt(plan.waveCount(), tip));
          Rollout rollout = em.find(Rollout.class, image.id());
          boolean created = rollout == null;
          if (created) {
            rollout = new Rollout(image.id());
          }
          rollout.configure(
              plan.successThreshold(), plan.errorThreshold(), plan.autoAdvance(), now);
          rollout.halt(false, now);
          if (created) {
            em.persist(rollout); // configured first: the insert takes the state it has now
          }
          em.createNamedQuery(RolloutWave.DELETE_OF_IMAGE)
              .setParameter("image", image.id())
              .executeUpdate();
          em.flush();
          for (int w = 0; w < plan.waveCount(); w++) {
            Instant at = now;
            if (before.isPresent()
                && w < before.get().tips().count()
                && before.get().tips().of(w) == tips.of(w)) {
              at = before.get().releasedAt().get(w);
            }
            List<String> groups =
                plan.hasImplicitLastWave() && w == plan.waves().size()
                    ? List.of()
                    : plan.groupsOf(w);
            em.persist(new RolloutWave(image.id(), w, groups, tips.of(w), at));
          }
          record(image.id(), "plan", null, actor, describe(plan));
          return Optional.of(image.id());
        },
        id -> Affected.ALL);
    return view(imageName);
  }

  /** Removes the plan: every terminal of the image is judged against its current tip again. */
  public void remove(ImageName imageName, String actor) {
    lineage.revise(
        imageName,
        "rollout",
        image -> {
          Rollout rollout = em.find(Rollout.class, image.id());
          if (rollout == null) {
            throw noPlan(imageName);
          }
          em.createNamedQuery(RolloutWave.DELETE_OF_IMAGE)
              .setParameter("image", image.id())
              .executeUpdate();
          em.remove(rollout);
          record(image.id(), "removed", null, actor, null);
          return Optional.of(image.id());
        },
        id -> Affected.ALL);
  }

  /**
   * Advances the next wave that has not released the first wave's tip, by hand, and clears a halt;
   * with nothing to advance it only clears the halt (409 when not halted either).
   */
  public View advance(ImageName imageName, String actor) {
    Image image = lineage.requireImage(imageName);
    State state = state(image.id()).orElseThrow(() -> noPlan(imageName));
    if (state.tips().nextPending() < 0) {
      if (!state.halted()) {
        throw ProblemType.NOTHING_TO_ADVANCE.refuse(
            "every wave of " + imageName + " has released the newest tip");
      }
      resume(image.id(), actor);
      return view(imageName);
    }
    advanceNext(imageName, actor, true, null);
    return view(imageName);
  }

  /** Halts: no wave advances by itself until an administrator advances one. */
  public View halt(ImageName imageName, String actor) {
    Image image = lineage.requireImage(imageName);
    Rollout rollout = em.find(Rollout.class, image.id());
    if (rollout == null) {
      throw noPlan(imageName);
    }
    if (!rollout.halted()) {
      rollout.halt(true, clock.instant());
      record(image.id(), HALT, null, actor, null);
    }
    return view(imageName);
  }

  public View view(ImageName imageName) {
    Image image = lineage.requireImage(imageName);
    State state = state(image.id()).orElseThrow(() -> noPlan(imageName));
    List<WaveView> waves = new ArrayList<>();
    RolloutPlan plan = state.plan();
    for (int w = 0; w < plan.waveCount(); w++) {
      Counts counts = counts(image.id(), plan, state, w);
      waves.add(
          new WaveView(
              w,
              plan.groupsOf(w),
              plan.hasImplicitLastWave() && w == plan.waveCount() - 1,
              em.find(Layer.class, state.tips().of(w)),
              state.releasedAt().get(w),
              counts,
              plan.isComplete(counts.terminals(), counts.upToDate())));
    }
    List<RolloutEvent> events =
        em.createNamedQuery(RolloutEvent.OF_IMAGE, RolloutEvent.class)
            .setParameter("image", image.id())
            .setMaxResults(50)
            .getResultList();
    return new View(state, waves, events);
  }

  /**
   * What the thresholds say now (after a report, a failure, at every audit): halts the rollout when
   * a wave's failures exceed the error threshold; otherwise, with automatic advance and not halted,
   * advances each next wave whose predecessor is complete.
   *
   * @return what it did, one line each (an audit records them)
   */
  public List<String> check(ImageName imageName, String actor) {
    List<String> done = new ArrayList<>();
    Optional<Image> found = lineage.image(imageName);
    if (found.isEmpty()) {
      return done;
    }
    long imageId = found.get().id();
    for (int round = 0; round < 64; round++) {
      Optional<State> current = state(imageId);
      if (current.isEmpty()) {
        return done;
      }
      State state = current.get();
      RolloutPlan plan = state.plan();
      if (!state.tips().rolling()) {
        return done; // every wave has the newest tip: nothing to halt or advance
      }
      if (!state.halted()) {
        for (int w = 0; w < plan.waveCount(); w++) {
          Counts counts = counts(imageId, plan, state, w);
          if (plan.exceedsErrors(counts.terminals(), counts.failed())) {
            String detail =
                "wave "
                    + w
                    + ": "
                    + counts.failed()
                    + " of "
                    + counts.terminals()
                    + " terminals sent FAILED (error threshold "
                    + plan.errorThreshold()
                    + ")";
            em.find(Rollout.class, imageId).halt(true, clock.instant());
            record(imageId, HALT, w, actor, detail);
            done.add("halted " + imageName + ": " + detail);
            return done;
          }
        }
      }
      int next = state.tips().nextPending();
      if (state.halted() || !plan.autoAdvance() || next < 0) {
        return done;
      }
      Counts before = counts(imageId, plan, state, next - 1);
      if (!plan.isComplete(before.terminals(), before.upToDate())) {
        return done;
      }
      String detail =
          "wave "
              + (next - 1)
              + " complete: "
              + before.upToDate()
              + " of "
              + before.terminals()
              + " up to date";
      if (!advanceNext(imageName, actor, false, detail)) {
        return done;
      }
      done.add("advanced " + imageName + " wave " + next + " (" + detail + ")");
    }
    return done;
  }

  /**
   * A publish, a new base or a reactivation releases the new tip to the first wave; a retire moves
   * every wave that had released the retired tip to its parent. Inside the change's transaction.
   */
  void onTipMoved(@Observes TipMoved moved) {
    if (em.find(Rollout.class, moved.imageId()) == null) {
      return;
    }
    Instant now = clock.instant();
    if ("retire".equals(moved.cause()) && moved.from() != null) {
      int moved_ =
          em.createNamedQuery(RolloutWave.MOVE_RELEASED)
              .setParameter("to", moved.to())
              .setParameter("from", moved.from())
              .setParameter("at", now)
              .setParameter("image", moved.imageId())
              .executeUpdate();
      record(
          moved.imageId(),
          "retire",
          null,
          "retire",
          moved_ + " waves moved back to the retired tip's parent");
    } else {
      em.createNamedQuery(RolloutWave.RELEASE_FIRST)
          .setParameter("to", moved.to())
          .setParameter("at", now)
          .setParameter("image", moved.imageId())
          .executeUpdate();
    }
  }

  /** Advances the next pending wave under the image lock; false when there was none any more. */
  private boolean advanceNext(ImageName imageName, String actor, boolean manual, String detail) {
    return lineage
        .revise(
            imageName,
            ADVANCE,
            image -> {
              State state = state(image.id()).orElseThrow(() -> noPlan(imageName));
              int next = state.tips().nextPending();
              if (next < 0 || (!manual && (state.halted() || !state.plan().autoAdvance()))) {
                return Optional.<Affected>empty();
              }
              Instant now = clock.instant();
              em.createQuery(
                      "UPDATE RolloutWave w SET w.releasedLayerId = :to, w.releasedAt = :at"
                          + " WHERE w.imageId = :image AND w.wave = :wave")
                  .setParameter("to", state.tips().of(next - 1))
                  .setParameter("at", now)
                  .setParameter("image", image.id())
                  .setParameter("wave", next)
                  .executeUpdate();
              if (manual && state.halted()) {
                em.find(Rollout.class, image.id()).halt(false, now);
              }
              record(image.id(), ADVANCE, next, actor, detail);
              return Optional.of(affected(state.plan(), next));
            },
            affected -> affected)
        .isPresent();
  }

  private void resume(long imageId, String actor) {
    em.find(Rollout.class, imageId).halt(false, clock.instant());
    record(imageId, "resume", null, actor, null);
  }

  /** The terminals a wave holds: its named groups, or, for a "*" wave, all but the others'. */
  static Affected affected(RolloutPlan plan, int wave) {
    Set<String> named = new HashSet<>(plan.groupsOf(wave));
    if (!named.remove(RolloutPlan.EVERY_OTHER_GROUP)) {
      return Affected.only(named);
    }
    Set<String> others = new HashSet<>(plan.namedGroups());
    others.removeAll(named);
    others.remove(RolloutPlan.EVERY_OTHER_GROUP);
    return Affected.allBut(others);
  }

  /** A wave's counted terminals (assigned, seen lately), up to date, and those that FAILED. */
  Counts counts(long imageId, RolloutPlan plan, State state, int wave) {
    Affected affected = affected(plan, wave);
    String where =
        affected.all()
            ? ""
            : " AND a.group_name " + (affected.allBut() ? "NOT IN" : "IN") + " (:groups)";
    Layer tip = em.find(Layer.class, state.tips().of(wave));
    Instant seen = clock.instant().minus(Duration.ofMinutes(config.auditStaleMinutes()));
    Query query =
        em.createNativeQuery(COUNT + where)
            .setParameter("tip", tip == null ? "" : tip.checksumHex())
            .setParameter("since", state.releasedAt().get(wave))
            .setParameter("image", imageId)
            .setParameter("seen", seen);
    if (!affected.all()) {
      query.setParameter("groups", List.copyOf(affected.groups()));
    }
    Object[] row = (Object[]) query.getSingleResult();
    return new Counts(number(row[0]), number(row[1]), number(row[2]));
  }

  private void record(long imageId, String kind, Integer wave, String actor, String detail) {
    em.persist(new RolloutEvent(imageId, clock.instant(), kind, wave, actor, detail));
  }

  private Layer tip(Image image) {
    List<Layer> chain = lineage.chain(image);
    if (chain.isEmpty()) {
      throw ProblemType.NOT_FOUND.refuse("image " + image.name() + " has no published layer");
    }
    return chain.get(chain.size() - 1);
  }

  private static String describe(RolloutPlan plan) {
    return "waves "
        + plan.waves()
        + ", success "
        + plan.successThreshold()
        + ", error "
        + plan.errorThreshold()
        + (plan.autoAdvance() ? ", automatic" : ", by hand");
  }

  private static long number(Object value) {
    return value == null ? 0 : ((Number) value).longValue();
  }

  private static RuntimeException noPlan(ImageName imageName) {
    return ProblemType.NOT_FOUND.refuse("image " + imageName + " has no rollout plan");
  }
}
