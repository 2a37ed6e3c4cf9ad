package dev.voi.answers.control;

import dev.voi.chain.rollout.MaintenanceWindows;
import dev.voi.images.control.Affected;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which chain a terminal is judged against: the one place that says it (docs/design.md §11). Polls,
 * reports and the set-based re-decision all ask here, for an (image, group) pair; {@link
 * ChainSnapshots} only holds the images it chooses from.
 *
 * <p>Without a rollout plan every terminal of an image is judged against the image's current chain
 * (docs/design.md §6). With one, a terminal is judged against its wave's target chain: the wave's
 * released tip and its ancestors, whatever their state. The terminal's group picks the wave, and
 * also the maintenance windows that may hold the answer back. A change of an image's chains or of
 * what is released to which wave affects at most the terminals assigned that image, and of those
 * the groups the change names ({@link Affected}); a re-decision selects its rows by both.
 */
@ApplicationScoped
public class TargetChains {

  /** The image each row of a re-decision is judged in. */
  @FunctionalInterface
  public interface Judging {

    /** The image as the rows are judged in it; empty for an image that is gone. */
    Optional<ChainSnapshot> imageFor(long imageId);
  }

  /**
   * The rows a re-decision covers and how each is judged.
   *
   * @param imageId the image whose rows are re-decided, null for every reported row
   * @param affected the groups whose rows are re-decided
   */
  public record Run(Long imageId, Affected affected, Judging judging) {}

  /**
   * What a terminal of a group is judged against in an image.
   *
   * @param wave the group's wave, 0 without a plan
   * @param chain the target chain, base first
   * @param windows the group's maintenance windows
   */
  public record Target(int wave, List<ChainSnapshot.LayerFile> chain, MaintenanceWindows windows) {}

  @Inject ChainSnapshots snapshots;
  @Inject ChainSnapshotReader reader;

  /** The image as terminals are judged in it now (held in memory), empty for no such image. */
  public Optional<ChainSnapshot> of(String image) {
    return snapshots.get(image);
  }

  /**
   * After a change of one image: the terminals it may affect, judged in the image as held now (read
   * afresh, as the change dropped it); empty when the image is gone.
   */
  public Optional<Run> afterChangeOf(String image, Affected affected) {
    return snapshots
        .get(image)
        .map(chain -> new Run(chain.imageId(), affected, judging(Map.of(chain.imageId(), chain))));
  }

  /**
   * An audit: every reported row, judged in images read afresh from the database (not the ones held
   * in memory), one read per image.
   *
   * @param images the images that have reported rows, names by id
   */
  public Run afresh(Map<Long, String> images, String cause) {
    Map<Long, ChainSnapshot> chains = new HashMap<>();
    images.forEach((id, name) -> reader.read(name, cause).ifPresent(c -> chains.put(id, c)));
    return new Run(null, Affected.ALL, judging(chains));
  }

  /** How the rows of a re-decision are judged, given the images it covers, read once per run. */
  public static Judging judging(Map<Long, ChainSnapshot> images) {
    return imageId -> Optional.ofNullable(images.get(imageId));
  }

  /** The rule: the group's wave's target chain, or the current chain without a plan. */
  public static Target target(ChainSnapshot image, String group) {
    MaintenanceWindows windows =
        image.windows().getOrDefault(group, MaintenanceWindows.ALWAYS_OPEN);
    ChainSnapshot.Staging rollout = image.rollout();
    if (rollout == null) {
      return new Target(0, image.layers(), windows);
    }
    int wave = rollout.plan().waveOf(group);
    return new Target(wave, rollout.targets().get(wave), windows);
  }
}
