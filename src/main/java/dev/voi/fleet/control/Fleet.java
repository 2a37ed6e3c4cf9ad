package dev.voi.fleet.control;

import dev.voi.answers.control.ChainSnapshot;
import dev.voi.answers.control.ChainSnapshotReader;
import dev.voi.answers.control.Strategies;
import dev.voi.answers.control.TargetChains;
import dev.voi.platform.VoiConfig;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The terminals component's side of an audit (SPEC 7, steps 1 and 2): re-decides every reported
 * assignment against its image's current chain, read afresh, in batches of {@link #BATCH} rows, one
 * short transaction each ({@link FleetBatches}, SQL in {@link FleetSql}); counts the stored answers
 * with one GROUP BY; lists the terminals not seen for a while.
 */
@ApplicationScoped
public class Fleet implements FleetDecisions {

  private static final Logger LOG = Logger.getLogger(Fleet.class.getName());
  static final int BATCH = 2000;

  @Inject FleetBatches batches;
  @Inject ChainSnapshotReader reader;
  @Inject Strategies strategies;
  @Inject VoiConfig config;
  @Inject Clock clock;
  @Resource ManagedExecutorService executor;

  @Override
  public Redecision redecideAll(String trigger, int changeLimit) {
    Map<Long, String> images = batches.reportedImages();
    Map<Long, Optional<ChainSnapshot>> chains = new HashMap<>();
    for (Map.Entry<Long, String> image : images.entrySet()) {
      chains.put(image.getKey(), reader.read(image.getValue(), trigger));
    }
    FleetRun run = run(null, TargetChains.judging(chains), trigger, changeLimit);
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
   * Brings every stored answer of one image up to {@code chain} (after a publish, a retire, a
   * policy change or a quarantine), with the same set-based batches as an audit.
   *
   * @return how many answers were written
   */
  public long redecideImage(ChainSnapshot chain, String trigger) {
    return run(
            chain.imageId(),
            TargetChains.judging(Map.of(chain.imageId(), Optional.of(chain))),
            trigger,
            0)
        .written();
  }

  private FleetRun run(Long imageId, TargetChains.Judging chains, String trigger, int changeLimit) {
    List<Long> starts = batches.rangeStarts(imageId, BATCH);
    return FleetRun.run(
        starts,
        BATCH,
        config.redecideWorkers(),
        executor,
        (after, before, limit) ->
            batches.redecide(
                chains,
                trigger,
                imageId,
                after,
                before,
                limit,
                clock.instant(),
                config.pollSeconds()),
        changeLimit);
  }

  @Override
  public StaleTerminals staleTerminals(Instant notSeenSince, int limit) {
    return batches.stale(notSeenSince, limit);
  }
}
