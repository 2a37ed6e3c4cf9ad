package dev.voi.terminals.control;

import dev.voi.audits.control.FleetDecisions;
import dev.voi.platform.VoiConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
  @Inject ChainReader reader;
  @Inject Strategies strategies;
  @Inject VoiConfig config;
  @Inject Clock clock;

  @Override
  public Redecision redecideAll(String trigger, int changeLimit) {
    Map<Long, String> images = batches.reportedImages();
    Map<Long, Optional<ChainSnapshot>> chains = new HashMap<>();
    for (Map.Entry<Long, String> image : images.entrySet()) {
      chains.put(image.getKey(), reader.read(image.getValue(), trigger));
    }
    long after = 0;
    long changed = 0;
    long written = 0;
    long lost = 0;
    List<FleetSql.Changed> kept = new ArrayList<>();
    Set<Long> touched = new LinkedHashSet<>();
    while (true) {
      Instant now = clock.instant();
      FleetSql.Batch batch =
          batches.redecide(
              id -> chains.computeIfAbsent(id, unknown -> Optional.empty()),
              trigger,
              after,
              BATCH,
              now,
              config.pollSeconds());
      if (batch.read() == 0) {
        break;
      }
      after = batch.lastId();
      written += batch.written();
      lost += batch.lost();
      changed += batch.changed().size();
      for (FleetSql.Changed change : batch.changed()) {
        touched.add(change.imageId());
      }
      kept.addAll(batch.changed());
      kept.sort(Comparator.comparingLong(FleetSql.Changed::terminalId));
      if (kept.size() > changeLimit) {
        kept.subList(changeLimit, kept.size()).clear();
      }
    }
    for (long imageId : touched) {
      strategies.forgetImage(images.get(imageId));
    }
    long writtenRows = written;
    long lostRows = lost;
    long changedRows = changed;
    LOG.info(
        () ->
            trigger
                + ": re-decided the fleet, "
                + writtenRows
                + " answers written, "
                + changedRows
                + " changed, "
                + lostRows
                + " left to newer writes");
    return batches.counts(changed, kept, images);
  }

  @Override
  public StaleTerminals staleTerminals(Instant notSeenSince, int limit) {
    return batches.stale(notSeenSince, limit);
  }
}
