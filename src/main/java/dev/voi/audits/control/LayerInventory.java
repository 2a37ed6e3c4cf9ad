package dev.voi.audits.control;

import dev.voi.audits.control.IntegritySweep.StoredLayer;
import dev.voi.chain.LayerState;
import dev.voi.images.control.ChainChanged;
import dev.voi.images.entity.Image;
import dev.voi.images.entity.Layer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
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
  @Inject Event<ChainChanged> changes;

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
   * Turns a PUBLISHED layer QUARANTINED (its downloads answer 410; answers that need it become
   * WAIT), under the image's lock like every change of a chain, and announces it with {@link
   * ChainChanged} (cause {@code quarantine}) so the image's terminals are re-decided at once.
   *
   * @return false when the layer is not PUBLISHED (any more): retired, or already quarantined
   */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  public boolean quarantine(StoredLayer stored) {
    Layer layer = em.find(Layer.class, stored.id());
    if (layer == null) {
      return false;
    }
    Image image = layer.image();
    em.lock(image, LockModeType.PESSIMISTIC_WRITE);
    em.refresh(image);
    em.refresh(layer);
    if (layer.state() != LayerState.PUBLISHED) {
      return false;
    }
    layer.quarantine();
    image.revise();
    changes.fire(new ChainChanged(image.id(), image.name(), "quarantine"));
    return true;
  }

  private static StoredLayer stored(Layer layer) {
    return new StoredLayer(
        layer.id(),
        layer.image().name(),
        layer.depth(),
        layer.version(),
        layer.checksumHex(),
        layer.fileName(),
        layer.size(),
        layer.sha256Hex(),
        layer.state());
  }
}
