package dev.voi.rollouts.control;

import dev.voi.chain.ImageName;
import dev.voi.platform.DatabaseOutage;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Checks an image's rollout thresholds after reports and failures, in the background and folded:
 * however many reports arrive while a check runs, one more check follows it (docs/design.md §11).
 * The request that caused it does not wait.
 */
@ApplicationScoped
public class RolloutProgress {

  private static final Logger LOG = Logger.getLogger(RolloutProgress.class.getName());

  @Inject Rollouts rollouts;
  @Inject Clock clock;
  @Resource ManagedExecutorService executor;

  private final Set<ImageName> pending = ConcurrentHashMap.newKeySet();
  private final Set<ImageName> running = ConcurrentHashMap.newKeySet();

  /** A report or a failure of a terminal of the image arrived: check the thresholds soon. */
  public void nudge(ImageName image) {
    pending.add(image);
    if (running.add(image)) {
      executor.execute(() -> drain(image));
    }
  }

  private void drain(ImageName image) {
    try {
      while (pending.remove(image)) {
        try {
          rollouts.check(image, "automatic").forEach(line -> LOG.info(line));
        } catch (RuntimeException e) {
          if (DatabaseOutage.isOutage(e)) {
            DatabaseOutage.note(e, clock);
          } else {
            LOG.log(Level.WARNING, "Checking the rollout of " + image + " failed", e);
          }
        }
      }
    } finally {
      running.remove(image);
      if (pending.contains(image) && running.add(image)) {
        executor.execute(() -> drain(image));
      }
    }
  }
}
