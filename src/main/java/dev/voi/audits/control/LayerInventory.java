package dev.voi.audits.control;

import dev.voi.audits.control.IntegritySweep.StoredLayer;
import dev.voi.images.control.Lineage;
import dev.voi.images.entity.Layer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The layer rows as an audit sees them, and the quarantine of a layer whose file failed. */
@ApplicationScoped
public class LayerInventory {

  @PersistenceContext EntityManager em;
  @Inject Lineage lineage;

  /** Every layer row, in every state, by image and depth. */
  @Transactional
  public List<StoredLayer> storedLayers() {
    return em.createQuery(
            "SELECT l FROM Layer l JOIN FETCH l.image i ORDER BY i.name, l.depth, l.id",
            Layer.class)
        .getResultStream()
        .map(LayerInventory::stored)
        .toList();
  }

  /** The files the rows name, relative to the images directory: {@code <image>/<file name>}. */
  @Transactional
  public Set<Path> referencedFiles() {
    Set<Path> files = new HashSet<>();
    em.createQuery("SELECT l.image.name, l.fileName FROM Layer l", Object[].class)
        .getResultStream()
        .forEach(row -> files.add(Path.of((String) row[0], (String) row[1])));
    return files;
  }

  /**
   * Quarantines a PUBLISHED layer through the owner of the chains ({@link Lineage#quarantine}),
   * which locks the image, revises it and announces the change, so the image's terminals are
   * re-decided at once. Each quarantine commits on its own, whatever the audit does next.
   *
   * @return false when the layer is not PUBLISHED (any more): retired, or already quarantined
   */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public boolean quarantine(StoredLayer stored) {
    return lineage.quarantine(stored.id());
  }

  private static StoredLayer stored(Layer layer) {
    return new StoredLayer(
        layer.id(),
        layer.image().name(),
        layer.depth(),
        layer.version(),
        layer.checksum(),
        layer.fileName(),
        layer.size(),
        layer.sha256(),
        layer.state());
  }
}
