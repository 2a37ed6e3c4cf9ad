package dev.voi.fleet.control;

import dev.voi.answers.control.ChainSnapshots;
import dev.voi.answers.control.Strategies;
import dev.voi.answers.control.TargetChains;
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

  private final Map<String, String> pending = new ConcurrentHashMap<>();
  private final Set<String> running = ConcurrentHashMap.newKeySet();

  void onChainChanged(@Observes(during = TransactionPhase.AFTER_SUCCESS) ChainChanged change) {
    changed(change.image().value(), change.cause());
  }

  /** The image changed ({@code cause}: publish, retire, policy, quarantine, audit, lineage). */
  public void changed(String image, String cause) {
    snapshots.invalidate(image, cause);
    strategies.forgetImage(image);
    pending.put(image, cause);
    if (running.add(image)) {
      executor.execute(() -> drain(image));
    }
  }

  private void drain(String image) {
    try {
      String cause;
      while ((cause = pending.remove(image)) != null) {
        redecideAll(image, cause);
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
    try {
      Optional<TargetChains.Run> run = targets.afterChangeOf(image);
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
