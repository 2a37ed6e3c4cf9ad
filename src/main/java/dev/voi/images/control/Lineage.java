package dev.voi.images.control;

import dev.voi.chain.Checksum;
import dev.voi.chain.ImageName;
import dev.voi.chain.LayerState;
import dev.voi.chain.Policy;
import dev.voi.images.entity.Image;
import dev.voi.images.entity.Layer;
import dev.voi.platform.ProblemType;
import dev.voi.platform.Refused;
import dev.voi.platform.Text;
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
import java.util.function.Function;

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
  @Inject Event<TipMoved> tipMoves;

  public Optional<Image> image(ImageName name) {
    return em.createNamedQuery(Image.BY_NAME, Image.class)
        .setParameter("name", name.value())
        .getResultStream()
        .findFirst();
  }

  public Image requireImage(ImageName name) {
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
  public Optional<Layer> layer(ImageName imageName, Checksum checksum) {
    return layer(checksum).filter(l -> l.image().name().equals(imageName));
  }

  /** True when a row holds the file (the start-up repair must not remove it). */
  public boolean referenced(ImageName imageName, String fileName) {
    return em.createNamedQuery(Layer.BY_FILE, Long.class)
            .setParameter("image", imageName.value())
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
  public Target precheck(PublishKind kind, ImageName imageName, Checksum parent) {
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
      ImageName imageName,
      Checksum parent,
      Layer.Published file,
      Policy policy,
      int maxIncrementalLayers) {
    Image image =
        kind == PublishKind.NEW_IMAGE
            ? created(imageName, policy, maxIncrementalLayers)
            : requireImage(imageName);
    return change(image, "publish", locked -> Optional.of(add(locked, kind, parent, file)))
        .orElseThrow();
  }

  /**
   * The same file published again on the same parent: its retired row comes back instead of a
   * duplicate. For a base, the current chain retires first.
   */
  public Layer reactivate(
      PublishKind kind, ImageName imageName, Checksum parent, Checksum checksum) {
    return change(
            requireImage(imageName),
            "publish",
            locked -> Optional.of(bringBack(locked, kind, parent, checksum)))
        .orElseThrow();
  }

  /** Retires the tip; the base cannot be retired (publish a new base instead). */
  public Layer retire(ImageName imageName, int depth) {
    return change(
            requireImage(imageName), "retire", locked -> Optional.of(retireTip(locked, depth)))
        .orElseThrow();
  }

  /**
   * A policy change as REST and SOAP receive it: the policy's wire name (required) and the bound on
   * incremental layers, null for the image's current one; both checked here, once.
   */
  public Image changePolicy(
      ImageName imageName, String policyWireName, Integer maxIncrementalLayers) {
    if (policyWireName == null) {
      throw ProblemType.BAD_REQUEST.refuse("policy is required: \"patent\" or \"catch-up\"");
    }
    Policy policy;
    try {
      policy = Policy.ofWireName(policyWireName);
    } catch (IllegalArgumentException e) {
      throw ProblemType.BAD_REQUEST.refuse("policy must be \"patent\" or \"catch-up\"");
    }
    int max =
        maxIncrementalLayers != null
            ? maxIncrementalLayers
            : requireImage(imageName).maxIncrementalLayers();
    if (max < 1 || max > 4096) {
      throw ProblemType.BAD_REQUEST.refuse("maxIncrementalLayers must be between 1 and 4096");
    }
    return changePolicy(imageName, policy, max);
  }

  public Image changePolicy(ImageName imageName, Policy policy, int maxIncrementalLayers) {
    return change(
            requireImage(imageName),
            "policy",
            locked -> {
              locked.usePolicy(policy, maxIncrementalLayers);
              return Optional.of(locked);
            })
        .orElseThrow();
  }

  /**
   * Turns a PUBLISHED layer QUARANTINED: its downloads answer 410, and answers that need it become
   * {@code WAIT}.
   *
   * @return false when there is no such layer or it is not PUBLISHED (any more): retired, or
   *     quarantined already; nothing changed then
   */
  public boolean quarantine(long layerId) {
    Layer layer = em.find(Layer.class, layerId);
    if (layer == null) {
      return false;
    }
    return change(layer.image(), "quarantine", locked -> quarantined(layer)).isPresent();
  }

  /**
   * Every change of a chain or policy goes through here: locks the image row (so that concurrent
   * changes of one image serialise and see each other), applies {@code change} and, when it changed
   * something (a present result), revises the image, so that answers computed before are stale, and
   * announces it with {@link ChainChanged} so that its terminals are re-decided once the
   * transaction commits. A refusal thrown by {@code change} rolls everything back.
   */
  /**
   * A change of what an image's terminals are judged against that is not the chain itself (a
   * rollout plan, a released tip, the groups' windows), under the same lock → revise → announce.
   *
   * @param affected the groups whose terminals it may affect, given what the change returned
   */
  public <T> Optional<T> revise(
      ImageName imageName,
      String cause,
      Function<Image, Optional<T>> change,
      Function<T, Affected> affected) {
    return change(requireImage(imageName), cause, change, affected);
  }

  private <T> Optional<T> change(Image image, String cause, Function<Image, Optional<T>> change) {
    return change(image, cause, change, result -> Affected.ALL);
  }

  private <T> Optional<T> change(
      Image image,
      String cause,
      Function<Image, Optional<T>> change,
      Function<T, Affected> affected) {
    em.lock(image, LockModeType.PESSIMISTIC_WRITE);
    em.refresh(image);
    Optional<Layer> tipBefore = tip(image);
    Optional<T> changed = change.apply(image);
    if (changed.isPresent()) {
      em.flush();
      Optional<Layer> tipAfter = tip(image);
      if (tipAfter.isPresent() && !tipAfter.map(Layer::id).equals(tipBefore.map(Layer::id))) {
        // Inside the transaction: the rollouts component moves released tips with the chain.
        tipMoves.fire(
            new TipMoved(
                image.id(), tipBefore.map(Layer::id).orElse(null), tipAfter.get().id(), cause));
      }
      image.revise();
      changes.fire(
          new ChainChanged(image.id(), image.name(), cause, affected.apply(changed.get())));
    }
    return changed;
  }

  private Layer add(Image locked, PublishKind kind, Checksum parent, Layer.Published file) {
    if (kind == PublishKind.NEW_BASE) {
      retireChain(locked);
    } else if (kind == PublishKind.DIFF) {
      requireTip(tip(locked), parent);
    }
    Layer layer = new Layer(locked, file, clock.instant());
    try {
      em.persist(layer);
      em.flush();
    } catch (PersistenceException e) {
      if (!Text.isUniqueViolation(e)) {
        throw e;
      }
      throw ProblemType.STALE_OR_WRONG_PARENT.refuse(
          "another layer was published on this image at the same time; fetch the lineage and"
              + " build on its new tip");
    }
    return layer;
  }

  private Layer bringBack(Image locked, PublishKind kind, Checksum parent, Checksum checksum) {
    Layer layer =
        layer(locked.name(), checksum)
            .orElseThrow(() -> ProblemType.NOT_FOUND.refuse("no layer " + checksum.hex()));
    if (layer.inChain()) {
      throw ProblemType.ALREADY_PUBLISHED.refuse(
          "this file is already in the chain at depth " + layer.depth());
    }
    if (kind.isBase()) {
      retireChain(locked);
      em.refresh(layer);
    } else {
      requireTip(tip(locked), parent);
    }
    layer.reactivate();
    em.flush();
    return layer;
  }

  private Layer retireTip(Image locked, int depth) {
    List<Layer> chain = chain(locked);
    if (chain.isEmpty() || depth != chain.size() - 1) {
      throw ProblemType.NOT_THE_TIP.refuse(
          "depth "
              + depth
              + " is not the tip of "
              + locked.name()
              + (chain.isEmpty() ? "" : " (the tip is depth " + (chain.size() - 1) + ")"));
    }
    if (depth == 0) {
      throw ProblemType.BASE_NOT_RETIRABLE.refuse(
          "publish a new base of " + locked.name() + " instead");
    }
    Layer tip = chain.get(depth);
    tip.retire();
    return tip;
  }

  /** Empty when the layer is not PUBLISHED (any more) under the lock. */
  private Optional<Layer> quarantined(Layer layer) {
    em.refresh(layer);
    if (layer.state() != LayerState.PUBLISHED) {
      return Optional.empty();
    }
    layer.quarantine();
    return Optional.of(layer);
  }

  private Image created(ImageName imageName, Policy policy, int maxIncrementalLayers) {
    Image image = new Image(imageName, policy, maxIncrementalLayers, clock.instant());
    try {
      em.persist(image);
      em.flush();
    } catch (PersistenceException e) {
      if (!Text.isUniqueViolation(e)) {
        throw e;
      }
      throw imageExists(imageName);
    }
    return image;
  }

  private void retireChain(Image image) {
    em.createNamedQuery(Layer.RETIRE_CHAIN).setParameter("image", image).executeUpdate();
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

  private static Refused imageExists(ImageName imageName) {
    return ProblemType.IMAGE_EXISTS.refuse(
        "an image named " + imageName + " exists; publish a new base of it instead");
  }
}
