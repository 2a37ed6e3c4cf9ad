package dev.voi.images.control;

import dev.voi.chain.ImageName;

/**
 * Fired after a transaction that changed an image's chain or policy commits, so that the answers of
 * its terminals are decided again at once.
 *
 * @param cause what happened: {@code publish}, {@code retire}, {@code policy}, {@code quarantine}
 */
public record ChainChanged(long imageId, ImageName image, String cause) {}
