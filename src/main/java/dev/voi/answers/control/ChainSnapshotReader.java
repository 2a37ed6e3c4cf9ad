package dev.voi.answers.control;

import dev.voi.chain.ImageName;
import dev.voi.chain.LayerState;
import dev.voi.chain.ServerLayer;
import dev.voi.chain.rollout.ReleasedTips;
import dev.voi.groups.control.Groups;
import dev.voi.images.control.Lineage;
import dev.voi.images.entity.Image;
import dev.voi.images.entity.Layer;
import dev.voi.rollouts.control.Rollouts;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads an image's chain, policy, rollout and the groups' windows in one transaction, so that all
 * are of one revision (every change of any of them revises the image).
 */
@ApplicationScoped
@Transactional
public class ChainSnapshotReader {

  @Inject Lineage lineage;
  @Inject Rollouts rollouts;
  @Inject Groups groups;
  @PersistenceContext EntityManager em;

  public Optional<ChainSnapshot> read(String imageName, String cause) {
    return lineage.image(ImageName.of(imageName)).map(image -> snapshot(image, cause));
  }

  /** Every image's current revision, by name: how changes made elsewhere are noticed. */
  public Map<String, Long> revisions() {
    return em.createQuery("SELECT i.name, i.revision FROM Image i", Object[].class)
        .getResultStream()
        .collect(Collectors.toMap(row -> (String) row[0], row -> (Long) row[1]));
  }

  private ChainSnapshot snapshot(Image image, String cause) {
    List<ChainSnapshot.LayerFile> layers =
        lineage.chain(image).stream().map(ChainSnapshotReader::file).toList();
    ChainSnapshot.Staging staging =
        rollouts
            .state(image.id())
            .map(state -> new ChainSnapshot.Staging(state.plan(), targets(image, state.tips())))
            .orElse(null);
    return new ChainSnapshot(
        image.id(),
        image.name().value(),
        image.policy(),
        image.maxIncrementalLayers(),
        image.revision(),
        layers,
        staging,
        groups.windows(),
        cause);
  }

  /** Each wave's target chain: its released tip and the tip's ancestors, base first. */
  private List<List<ChainSnapshot.LayerFile>> targets(Image image, ReleasedTips tips) {
    Map<Long, Layer> byId = new HashMap<>();
    Map<String, Layer> byChecksum = new HashMap<>();
    for (Layer layer : lineage.lineage(image)) {
      byId.put(layer.id(), layer);
      byChecksum.put(layer.checksumHex(), layer);
    }
    List<List<ChainSnapshot.LayerFile>> targets = new ArrayList<>();
    for (int w = 0; w < tips.count(); w++) {
      List<ChainSnapshot.LayerFile> chain = new ArrayList<>();
      Layer layer = byId.get(tips.of(w));
      while (layer != null) {
        chain.add(file(layer));
        layer =
            layer.parentChecksum() == null ? null : byChecksum.get(layer.parentChecksum().hex());
      }
      Collections.reverse(chain);
      targets.add(chain);
    }
    return targets;
  }

  /** A layer as a target chain offers it: a retired layer stays in it, as PUBLISHED. */
  private static ChainSnapshot.LayerFile file(Layer layer) {
    ServerLayer server = layer.toServerLayer();
    if (server.state() == LayerState.RETIRED) {
      server =
          new ServerLayer(
              server.depth(),
              server.version(),
              server.checksum(),
              server.size(),
              LayerState.PUBLISHED);
    }
    return new ChainSnapshot.LayerFile(server, layer.fileName(), layer.sha256Hex());
  }
}
