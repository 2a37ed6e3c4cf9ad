package dev.voi.answers.control;

import dev.voi.chain.ImageName;
import dev.voi.images.control.Lineage;
import dev.voi.images.entity.Image;
import dev.voi.images.entity.Layer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Reads an image's chain and policy in one transaction, so that both are of one revision. */
@ApplicationScoped
@Transactional
public class ChainSnapshotReader {

  @Inject Lineage lineage;
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
        lineage.chain(image).stream()
            .map(
                (Layer layer) ->
                    new ChainSnapshot.LayerFile(
                        layer.toServerLayer(), layer.fileName(), layer.sha256Hex()))
            .toList();
    return new ChainSnapshot(
        image.id(),
        image.name().value(),
        image.policy(),
        image.maxIncrementalLayers(),
        image.revision(),
        layers,
        cause);
  }
}
