package dev.voi.answers.control;

import dev.voi.answers.entity.StrategyAnswer;
import dev.voi.chain.ChainNode;
import dev.voi.chain.Decision;
import dev.voi.chain.Policy;
import dev.voi.chain.ServerLayer;
import dev.voi.chain.StrategyDecider;
import java.util.List;

/**
 * An image's current chain and policy at one revision, immutable, as the strategy answers need it:
 * held in memory so that deciding touches no table but the terminal's own row.
 *
 * @param cause what moved the image to this revision (for the history), when this instance knows
 */
public record ChainSnapshot(
    long imageId,
    String image,
    Policy policy,
    int maxIncrementalLayers,
    long revision,
    List<LayerFile> layers,
    String cause) {

  public ChainSnapshot {
    layers = List.copyOf(layers);
  }

  /** One layer of the chain, with what a download needs. */
  public record LayerFile(ServerLayer layer, String fileName, String sha256) {}

  /** The chain as the decision sees it, base first. */
  public List<ServerLayer> serverLayers() {
    return layers.stream().map(LayerFile::layer).toList();
  }

  /** The answer for a terminal that reported {@code nodes} (docs/design.md §6 and 9). */
  public StrategyAnswer answerFor(List<ChainNode> nodes, int pollAfterSeconds) {
    Decision decision =
        new StrategyDecider(policy, maxIncrementalLayers).decide(nodes, serverLayers());
    StrategyAnswer.Tip tip =
        decision.tip() == null
            ? null
            : new StrategyAnswer.Tip(
                decision.tip().depth(), decision.tip().version(), decision.tip().checksum().hex());
    List<StrategyAnswer.Download> downloads =
        decision.downloads().stream().map(layer -> download(layers.get(layer.depth()))).toList();
    return new StrategyAnswer(
        image,
        decision.strategy(),
        decision.reason(),
        decision.policy().wireName(),
        decision.moveCount(),
        decision.divergedAt(),
        decision.keep(),
        tip,
        downloads,
        decision.totalBytes(),
        pollAfterSeconds);
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
    return new ChainSnapshot(imageId, image, policy, maxIncrementalLayers, revision, layers, cause);
  }
}
