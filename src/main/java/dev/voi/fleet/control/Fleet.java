package dev.voi.fleet.control;

import dev.voi.answers.control.Strategies;
import dev.voi.answers.control.TargetChains;
import dev.voi.platform.VoiConfig;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The fleet's side of an audit (docs/design.md §7, steps 1 and 2): re-decides every reported
 * assignment against the chain it is judged against ({@link TargetChains}), read afresh, in batches
 * of {@link #BATCH} rows, one short transaction each ({@link FleetBatches}, SQL in {@link
 * FleetSql}); counts the stored answers with one GROUP BY; lists the terminals not seen for a
 * while.
 */
@ApplicationScoped
public class Fleet implements FleetDecisions {

  private static final Logger LOG = Logger.getLogger(Fleet.class.getName());
  static final int BATCH = 2000;

  @Inject FleetBatches batches;
  @Inject TargetChains targets;
  @Inject Strategies strategies;
  @Inject VoiConfig config;
  @Inject Clock clock;
  @Resource ManagedExecutorService executor;

  @Override
  public Redecision redecideAll(String trigger, int changeLimit) {
    Map<Long, String> images = batches.reportedImages();
    FleetRun run = run(targets.afresh(images, trigger), trigger, changeLimit);
    for (long imageId : run.touched()) {
      strategies.forgetImage(images.get(imageId));
    }
    LOG.info(
        () ->
            trigger
                + ": re-decided the fleet, "
                + run.written()
                + " answers written, "
                + run.changed()
                + " changed, "
                + run.lost()
                + " left to newer writes");
    return batches.counts(run.changed(), run.kept(), images);
  }

  /**
   * Brings every stored answer that a change of one image may affect up to date (after a publish, a
   * retire, a policy change or a quarantine), with the same set-based batches as an audit.
   *
   * @return how many answers were written
   */
  public long redecideImage(TargetChains.Run targets, String trigger) {
    return run(targets, trigger, 0).written();
  }

  private FleetRun run(TargetChains.Run targets, String trigger, int changeLimit) {
    Long imageId = targets.imageId();
    List<Long> starts = batches.rangeStarts(imageId, targets.affected(), BATCH);
    return FleetRun.run(
        starts,
        BATCH,
        config.redecideWorkers(),
        executor,
        (after, before, limit) ->
            batches.redecide(
                targets.judging(),
                trigger,
                imageId,
                targets.affected(),
                after,
                before,
                limit,
                clock.instant(),
                config.pollSeconds()),
        changeLimit);
  }

  /** The names of the images that have reported assignments. */
  public java.util.Collection<String> reportedImageNames() {
    return batches.reportedImages().values();
  }

  @Override
  public StaleTerminals staleTerminals(Instant notSeenSince, int limit) {
    return batches.stale(notSeenSince, limit);
  }
}
