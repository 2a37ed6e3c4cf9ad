package dev.voi.images.control;

/**
 * Fired inside the transaction in which an image's tip moved (a publish, a new base, a retire), so
 * that what follows the tip (a rollout's first wave, waves that had released a retired tip) moves
 * in the same transaction.
 *
 * @param from the tip before, null for a new image
 * @param to the tip after
 * @param cause {@code publish} or {@code retire}
 */
public record TipMoved(long imageId, Long from, long to, String cause) {}
