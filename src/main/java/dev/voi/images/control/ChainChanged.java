package dev.voi.images.control;

import dev.voi.chain.ImageName;

/**
 * Fired after a transaction that changed an image's chain, policy or what its terminals are judged
 * against commits, so that the answers of its terminals are decided again at once.
 *
 * @param cause what happened: {@code publish}, {@code retire}, {@code policy}, {@code quarantine},
 *     {@code rollout}, {@code advance}, {@code windows}
 * @param affected the groups whose terminals it may affect
 */
public record ChainChanged(long imageId, ImageName image, String cause, Affected affected) {

  public ChainChanged(long imageId, ImageName image, String cause) {
    this(imageId, image, cause, Affected.ALL);
  }
}
