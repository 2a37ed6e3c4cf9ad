package dev.voi.answers.control;

import dev.voi.answers.entity.AnswerChange;
import dev.voi.coherence.control.Invalidations;
import dev.voi.metrics.control.Meters;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The current chain of every image terminals ask about, in memory. Dropped the moment a change of
 * the image commits (the images component's {@code ChainChanged}), or when a periodic look at the
 * revisions finds that another server instance moved it.
 */
@ApplicationScoped
public class ChainSnapshots {

  @Inject Invalidations invalidations;
  @Inject ChainSnapshotReader reader;
  @Inject Meters meters;

  private Invalidations.Cache<String, ChainSnapshot> snapshots;

  /** What last changed each image on this instance: the history says what triggered a decision. */
  private final Map<String, String> causes = new ConcurrentHashMap<>();

  @PostConstruct
  void init() {
    snapshots = invalidations.newCache();
    meters.cache("chains", snapshots::size);
  }

  public Optional<ChainSnapshot> get(String imageName) {
    return Optional.ofNullable(
        snapshots.get(
            imageName,
            name ->
                reader
                    .read(name, causes.getOrDefault(name, AnswerChange.BY_LINEAGE))
                    .orElse(null)));
  }

  /** Forgets an image's chain; the next question loads it again. */
  public void invalidate(String imageName, String cause) {
    causes.put(imageName, cause);
    snapshots.invalidate(imageName);
  }

  /** The revision of every chain held, by image name. */
  public Map<String, Long> cachedRevisions() {
    Map<String, Long> revisions = new HashMap<>();
    snapshots.forEach((name, snapshot) -> revisions.put(name, snapshot.revision()));
    return revisions;
  }
}
