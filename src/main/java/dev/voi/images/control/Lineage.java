package dev.voi.images.control;

import dev.voi.chain.Checksum;
import dev.voi.chain.Policy;
import dev.voi.images.entity.Image;
import dev.voi.images.entity.Layer;
import dev.voi.platform.ProblemType;
import dev.voi.platform.Refused;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The lineages of all images: reads, and every change of a chain in one short transaction that
 * locks the image row, so concurrent publishes on one tip serialise and exactly one wins.
 */
@ApplicationScoped
@Transactional
public class Lineage {

  @PersistenceContext EntityManager em;
  @Inject Clock clock;
  @Inject Event<ChainChanged> changes;

  public Optional<Image> image(String name) {
    return em.createNamedQuery(Image.BY_NAME, Image.class)
        .setParameter("name", name)
        .getResultStream()
        .findFirst();
  }

  public Image requireImage(String name) {
    return image(name).orElseThrow(() -> ProblemType.NOT_FOUND.refuse("no image named " + name));
  }

  /** Images in name order after {@code after} (a cursor), at most {@code limit}. */
  public List<Image> images(String after, int limit) {
    return em.createNamedQuery(Image.ALL, Image.class)
        .setParameter("after", after == null ? "" : after)
        .setMaxResults(limit)
        .getResultList();
  }

  /** The current chain: PUBLISHED and QUARANTINED layers, base first. */
  public List<Layer> chain(Image image) {
    return em.createNamedQuery(Layer.CHAIN, Layer.class)
        .setParameter("image", image)
        .getResultList();
  }

  /** Every layer ever published for the image, in publishing order. */
  public List<Layer> lineage(Image image) {
    return em.createNamedQuery(Layer.LINEAGE, Layer.class)
        .setParameter("image", image)
        .getResultList();
  }

  public Optional<Layer> layer(Checksum checksum) {
    return em.createNamedQuery(Layer.BY_CHECKSUM, Layer.class)
        .setParameter("checksum", checksum.hex())
        .getResultStream()
        .findFirst();
  }

  /** The layer of that image with that checksum, retired or not. */
  public Optional<Layer> layer(String imageName, Checksum checksum) {
    return layer(checksum).filter(l -> l.image().name().equals(imageName));
  }

  /** True when a row holds the file (the start-up repair must not remove it). */
  public boolean referenced(String imageName, String fileName) {
    return em.createNamedQuery(Layer.BY_FILE, Long.class)
            .setParameter("image", imageName)
            .setParameter("fileName", fileName)
            .getSingleResult()
        > 0;
  }

  /** What an upload must fit: checked before its body is read, and again at commit. */
  public record Target(Optional<Layer> tip, Optional<Image> image) {}

  /**
   * Checks an upload's request against the lineage before its body is read: the image exists (or
   * not, for a new image) and the named parent is the current tip.
   */
  @Transactional(Transactional.TxType.SUPPORTS)
  public Target precheck(PublishKind kind, String imageName, Checksum parent) {
    Optional<Image> image = image(imageName);
    switch (kind) {
      case NEW_IMAGE -> {
        if (image.isPresent()) {
          throw imageExists(imageName);
        }
        return new Target(Optional.empty(), Optional.empty());
      }
      case NEW_BASE -> {
        Image existing =
            image.orElseThrow(() -> ProblemType.NOT_FOUND.refuse("no image named " + imageName));
        return new Target(tip(existing), image);
      }
      default -> {
        Image existing =
            image.orElseThrow(() -> ProblemType.NOT_FOUND.refuse("no image named " + imageName));
        Optional<Layer> tip = tip(existing);
        requireTip(tip, parent);
        return new Target(tip, image);
      }
    }
  }

  /**
   * Writes the row of a freshly placed layer file, after checking again (under the image lock) that
   * the parent is still the tip. A new base retires the whole current chain first.
   */
  public Layer commit(
      PublishKind kind,
      String imageName,
      Checksum parent,
      Layer.Published file,
      Policy policy,
      int maxIncrementalLayers) {
    Image image;
    if (kind == PublishKind.NEW_IMAGE) {
      image = new Image(imageName, policy, maxIncrementalLayers, clock.instant());
      try {
        em.persist(image);
        em.flush();
      } catch (PersistenceException e) {
        throw imageExists(imageName);
      }
    } else {
      image = locked(imageName);
      if (kind == PublishKind.NEW_BASE) {
        em.createNamedQuery(Layer.RETIRE_CHAIN).setParameter("image", image).executeUpdate();
      } else {
        requireTip(tip(image), parent);
      }
    }
    Layer layer = new Layer(image, file, clock.instant());
    try {
      em.persist(layer);
      em.flush();
    } catch (PersistenceException e) {
      throw ProblemType.STALE_OR_WRONG_PARENT.refuse(
          "another layer was published on this image at the same time; fetch the lineage and"
              + " build on its new tip");
    }
    image.revise();
    changes.fire(new ChainChanged(image.id(), imageName, "publish"));
    return layer;
  }

  /**
   * The same file published again on the same parent: its retired row comes back instead of a
   * duplicate. For a base, the current chain retires first.
   */
  public Layer reactivate(PublishKind kind, String imageName, Checksum parent, Checksum checksum) {
    Image image = locked(imageName);
    Layer layer =
        layer(imageName, checksum)
            .orElseThrow(() -> ProblemType.NOT_FOUND.refuse("no layer " + checksum.hex()));
    if (layer.inChain()) {
      throw ProblemType.ALREADY_PUBLISHED.refuse(
          "this file is already in the chain at depth " + layer.depth());
    }
    if (kind.isBase()) {
      em.createNamedQuery(Layer.RETIRE_CHAIN).setParameter("image", image).executeUpdate();
      em.refresh(layer);
    } else {
      requireTip(tip(image), parent);
    }
    layer.reactivate();
    em.flush();
    image.revise();
    changes.fire(new ChainChanged(image.id(), imageName, "publish"));
    return layer;
  }

  /** Retires the tip; the base cannot be retired (publish a new base instead). */
  public Layer retire(String imageName, int depth) {
    Image image = locked(imageName);
    List<Layer> chain = chain(image);
    if (chain.isEmpty() || depth != chain.size() - 1) {
      throw ProblemType.NOT_THE_TIP.refuse(
          "depth "
              + depth
              + " is not the tip of "
              + imageName
              + (chain.isEmpty() ? "" : " (the tip is depth " + (chain.size() - 1) + ")"));
    }
    if (depth == 0) {
      throw ProblemType.BASE_NOT_RETIRABLE.refuse(
          "publish a new base of " + imageName + " instead");
    }
    Layer tip = chain.get(depth);
    tip.retire();
    image.revise();
    changes.fire(new ChainChanged(image.id(), imageName, "retire"));
    return tip;
  }

  public Image changePolicy(String imageName, Policy policy, int maxIncrementalLayers) {
    Image image = locked(imageName);
    image.usePolicy(policy, maxIncrementalLayers);
    changes.fire(new ChainChanged(image.id(), imageName, "policy"));
    return image;
  }

  private Image locked(String imageName) {
    Image image = requireImage(imageName);
    em.lock(image, LockModeType.PESSIMISTIC_WRITE);
    em.refresh(image);
    return image;
  }

  private Optional<Layer> tip(Image image) {
    List<Layer> chain = chain(image);
    return chain.isEmpty() ? Optional.empty() : Optional.of(chain.get(chain.size() - 1));
  }

  private static void requireTip(Optional<Layer> tip, Checksum parent) {
    if (tip.isEmpty() || !tip.get().checksum().equals(parent)) {
      throw ProblemType.STALE_OR_WRONG_PARENT.refuse(
          "parent "
              + parent.hex()
              + " is not the tip of the image"
              + tip.map(t -> " (the tip is " + t.checksumHex() + " at depth " + t.depth() + ")")
                  .orElse(""));
    }
  }

  private static Refused imageExists(String imageName) {
    return ProblemType.IMAGE_EXISTS.refuse(
        "an image named " + imageName + " exists; publish a new base of it instead");
  }
}
