package dev.voi.fleet.control;

import dev.voi.answers.control.ChainSnapshot;
import dev.voi.answers.control.ChainSnapshots;
import dev.voi.answers.control.Strategies;
import dev.voi.answers.control.TargetChains;
import dev.voi.images.control.Affected;
import dev.voi.images.control.ChainChanged;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Re-decides an image's terminals when its chain or policy changes (docs/design.md §7: at once,
 * never waiting for an audit). The caches are dropped synchronously, before the publishing request
 * returns; the stored answers of the fleet are then brought up to date in the background, in short
 * batches, one run per image at a time (changes that arrive meanwhile are folded into one more
 * run). Polls do not wait for it: a poll whose row is behind decides for itself ({@link
 * Strategies}).
 */
@ApplicationScoped
public class Redecider {

  private static final Logger LOG = Logger.getLogger(Redecider.class.getName());

  @Inject ChainSnapshots snapshots;
  @Inject TargetChains targets;
  @Inject Strategies strategies;
  @Inject Fleet fleet;

  @Resource ManagedExecutorService executor;

  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final Set<String> running = ConcurrentHashMap.newKeySet();

  void onChainChanged(@Observes(during = TransactionPhase.AFTER_SUCCESS) ChainChanged change) {
    changed(change.image().value(), change.cause(), change.affected());
  }

  /**
   * The image changed ({@code cause}: publish, retire, policy, quarantine, audit, lineage, rollout,
   * advance, windows); the terminals of every group may be affected.
   */
  public void changed(String image, String cause) {
    changed(image, cause, Affected.ALL);
  }

  /** The image changed in a way that affects the terminals of {@code affected} only. */
  public void changed(String image, String cause, Affected affected) {
    snapshots.invalidate(image, cause);
    strategies.forgetImage(image);
    pending.merge(image, new Pending(cause, affected), Pending::and);
    if (running.add(image)) {
      executor.execute(() -> drain(image));
    }
  }

  /** What is still to re-decide of an image: the last cause, and the groups of all changes. */
  record Pending(String cause, Affected affected) {
    Pending and(Pending later) {
      Affected both;
      if (affected.all() || later.affected.all()) {
        both = Affected.ALL;
      } else if (!affected.allBut() && !later.affected.allBut()) {
        java.util.Set<String> union = new java.util.HashSet<>(affected.groups());
        union.addAll(later.affected.groups());
        both = Affected.only(union);
      } else {
        both = Affected.ALL; // a complement meets another set: every group, a safe superset
      }
      return new Pending(later.cause, both);
    }
  }

  /**
   * A maintenance window of {@code group} opened or closed: brings the stored answers of the
   * group's terminals, in every image, up to date in one set-based run.
   *
   * @return how many answers were written
   */
  public long windowPassed(String group, String trigger) {
    try {
      Map<Long, ChainSnapshot> images = new java.util.HashMap<>();
      for (String image : fleet.reportedImageNames()) {
        snapshots.get(image).ifPresent(chain -> images.put(chain.imageId(), chain));
      }
      return fleet.redecideImage(
          new TargetChains.Run(null, Affected.only(Set.of(group)), TargetChains.judging(images)),
          trigger);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Re-deciding the terminals of group " + group + " failed", e);
      return 0;
    }
  }

  private void drain(String image) {
    try {
      Pending next;
      while ((next = pending.remove(image)) != null) {
        redecideAll(image, next.cause(), next.affected());
      }
    } finally {
      running.remove(image);
      if (pending.containsKey(image) && running.add(image)) {
        executor.execute(() -> drain(image));
      }
    }
  }

  /**
   * Brings every stored answer of the image up to its current chain, now, in this thread.
   *
   * @return how many answers were decided again
   */
  public long redecideAll(String image, String trigger) {
    return redecideAll(image, trigger, Affected.ALL);
  }

  /** Brings the stored answers of the image's terminals in {@code affected} up to date, now. */
  public long redecideAll(String image, String trigger, Affected affected) {
    try {
      Optional<TargetChains.Run> run = targets.afterChangeOf(image, affected);
      if (run.isEmpty()) {
        return 0;
      }
      return fleet.redecideImage(run.get(), trigger);
    } catch (RuntimeException e) {
      // The polls still decide for themselves; the next change or audit tries again.
      LOG.log(Level.WARNING, "Re-deciding the terminals of " + image + " failed", e);
      return 0;
    }
  }
}
