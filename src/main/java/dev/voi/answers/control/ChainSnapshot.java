package dev.voi.answers.control;

import dev.voi.answers.entity.StrategyAnswer;
import dev.voi.chain.ChainNode;
import dev.voi.chain.Decision;
import dev.voi.chain.Policy;
import dev.voi.chain.ServerLayer;
import dev.voi.chain.StrategyDecider;
import dev.voi.chain.rollout.MaintenanceWindows;
import dev.voi.chain.rollout.RolloutPlan;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An image at one revision, immutable, as the strategy answers need it: its current chain and
 * policy, its rollout (the plan and each wave's target chain) and the groups' maintenance windows,
 * held in memory so that deciding touches no table but the terminal's own row.
 *
 * @param layers the current chain (PUBLISHED and QUARANTINED layers), base first
 * @param rollout the rollout plan with each wave's target chain, null without a plan
 * @param windows the maintenance windows of every group that has some, by group
 * @param cause what moved the image to this revision (for the history), when this instance knows
 */
public record ChainSnapshot(
    long imageId,
    String image,
    Policy policy,
    int maxIncrementalLayers,
    long revision,
    List<LayerFile> layers,
    Staging rollout,
    Map<String, MaintenanceWindows> windows,
    String cause) {

  public ChainSnapshot {
    layers = List.copyOf(layers);
    windows = Map.copyOf(windows);
  }

  /** An image without a rollout plan and without windows (tests, and images nobody staged). */
  public ChainSnapshot(
      long imageId,
      String image,
      Policy policy,
      int maxIncrementalLayers,
      long revision,
      List<LayerFile> layers,
      String cause) {
    this(imageId, image, policy, maxIncrementalLayers, revision, layers, null, Map.of(), cause);
  }

  /** One layer of a chain, with what a download needs. */
  public record LayerFile(ServerLayer layer, String fileName, String sha256) {}

  /**
   * An image's rollout: the plan, and each wave's target chain (its released tip and that layer's
   * ancestors, base first; a retired layer in it is offered as PUBLISHED: it stays downloadable).
   */
  public record Staging(RolloutPlan plan, List<List<LayerFile>> targets) {
    public Staging {
      targets = targets.stream().map(List::copyOf).toList();
      if (targets.size() != plan.waveCount()) {
        throw new IllegalArgumentException(
            plan.waveCount() + " waves but " + targets.size() + " target chains");
      }
    }
  }

  /**
   * An answer and the instant until which it holds: a maintenance window opening or closing changes
   * it then, without any request.
   *
   * @param validUntil null when nothing but a change of the image or a report changes it
   */
  public record Judged(StrategyAnswer answer, Instant validUntil) {

    /** True when the answer may still be served at {@code now}. */
    public boolean holdsAt(Instant now) {
      return validUntil == null || now.isBefore(validUntil);
    }
  }

  /** The chain as the decision sees it, base first. */
  public List<ServerLayer> serverLayers() {
    return layers.stream().map(LayerFile::layer).toList();
  }

  /**
   * The answer for a terminal of {@code group} that reported {@code nodes}, at {@code now}
   * (docs/design.md §6, 9 and 11): decided against the target chain {@link TargetChains} chooses,
   * and held back while the group's windows are closed.
   */
  public Judged answerFor(List<ChainNode> nodes, int pollAfterSeconds, String group, Instant now) {
    TargetChains.Target target = TargetChains.target(this, group);
    List<LayerFile> chain = target.chain();
    Decision decision =
        new StrategyDecider(policy, maxIncrementalLayers)
            .decide(nodes, chain.stream().map(LayerFile::layer).toList());
    Instant validUntil = null;
    String opensAt = null;
    MaintenanceWindows windows = target.windows();
    if (!windows.alwaysOpen() && StrategyDecider.heldByWindows(decision)) {
      validUntil = windows.nextChange(now).orElse(null);
      if (!windows.isOpen(now)) {
        decision = StrategyDecider.outsideWindow(decision);
        opensAt = windows.nextOpening(now).toString();
      }
    }
    List<StrategyAnswer.Download> downloads =
        decision.downloads().stream().map(layer -> download(chain.get(layer.depth()))).toList();
    StrategyAnswer answer =
        new StrategyAnswer(
            image,
            group,
            target.wave(),
            decision.strategy(),
            decision.reason(),
            decision.policy().wireName(),
            decision.moveCount(),
            decision.divergedAt(),
            decision.keep(),
            tip(decision.tip()),
            layers.isEmpty() ? null : tip(layers.get(layers.size() - 1).layer()),
            opensAt,
            downloads,
            decision.totalBytes(),
            pollAfterSeconds);
    return new Judged(answer, validUntil);
  }

  private static StrategyAnswer.Tip tip(ServerLayer layer) {
    return layer == null
        ? null
        : new StrategyAnswer.Tip(layer.depth(), layer.version(), layer.checksum().hex());
  }

  private StrategyAnswer.Download download(LayerFile file) {
    ServerLayer layer = file.layer();
    String checksum = layer.checksum().hex();
    return new StrategyAnswer.Download(
        layer.depth(),
        layer.version(),
        checksum,
        file.fileName(),
        layer.size(),
        file.sha256(),
        contentUrl(image, checksum));
  }

  /**
   * Where a terminal downloads a layer (docs/design.md §9): the images component's content route,
   * spelled here because control never imports a boundary; {@code ChainSnapshotTest} holds the two
   * equal.
   */
  static String contentUrl(String image, String checksum) {
    return "/api/v1/images/" + image + "/layers/" + checksum + "/content";
  }

  public ChainSnapshot withCause(String cause) {
    return new ChainSnapshot(
        imageId, image, policy, maxIncrementalLayers, revision, layers, rollout, windows, cause);
  }
}
