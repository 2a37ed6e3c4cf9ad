package dev.voi.answers.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which chain a terminal is judged against: the one place that says it. Polls, reports and the
 * set-based re-decision all ask here, for an (image, terminal) pair; {@link ChainSnapshots} only
 * holds the chains it chooses from.
 *
 * <p>Today every terminal of an image is judged against the image's current chain (docs/design.md
 * §6), so {@link #judge} ignores the terminal. Staged rollouts (docs/design.md §11, staged
 * rollouts: not built yet) judge a terminal against the released tip of its group's wave; they
 * change {@link #judge} and what it is given, nothing else. A change of an image's chains affects
 * at most the terminals assigned that image, which is why a re-decision after a change selects its
 * rows by image ({@link Run#imageId}) and the answer cache forgets by image: that is the affected
 * set or, with waves, a superset of it, and a row whose target did not move is read but left
 * unwritten.
 */
@ApplicationScoped
public class TargetChains {

  /** The chain each (image, terminal) is judged against, for a set of rows. */
  @FunctionalInterface
  public interface Judging {

    /** The chain the terminal is judged against for that image; empty for an image that is gone. */
    Optional<ChainSnapshot> chainFor(long imageId, long terminalId);
  }

  /**
   * The rows a re-decision covers and how each is judged.
   *
   * @param imageId the image whose rows are re-decided, null for every reported row
   */
  public record Run(Long imageId, Judging judging) {}

  @Inject ChainSnapshots snapshots;
  @Inject ChainSnapshotReader reader;

  /** The chain a terminal is judged against now (held in memory), empty for no such image. */
  public Optional<ChainSnapshot> of(String image, long terminalId) {
    return judge(snapshots.get(image), terminalId);
  }

  /**
   * After a change of one image: the terminals it may affect, judged against the chains held now
   * (read afresh, as the change dropped them); empty when the image is gone.
   */
  public Optional<Run> afterChangeOf(String image) {
    return snapshots
        .get(image)
        .map(
            chain ->
                new Run(chain.imageId(), judging(Map.of(chain.imageId(), Optional.of(chain)))));
  }

  /**
   * An audit: every reported row, judged against chains read afresh from the database (not the ones
   * held in memory), one read per image.
   *
   * @param images the images that have reported rows, names by id
   */
  public Run afresh(Map<Long, String> images, String cause) {
    Map<Long, Optional<ChainSnapshot>> chains = new HashMap<>();
    images.forEach((id, name) -> chains.put(id, reader.read(name, cause)));
    return new Run(null, judging(chains));
  }

  /**
   * How the rows of a re-decision are judged, given the current chains of the images it covers,
   * read once for the whole run.
   */
  public static Judging judging(Map<Long, Optional<ChainSnapshot>> imageChains) {
    return (imageId, terminalId) ->
        judge(imageChains.getOrDefault(imageId, Optional.empty()), terminalId);
  }

  /** The rule: one chain per image, the image's current one, whatever the terminal. */
  static Optional<ChainSnapshot> judge(Optional<ChainSnapshot> imageChain, long terminalId) {
    return imageChain;
  }
}
