package dev.voi.platform;

/**
 * Whether a terminal may read an image's layers: only when the image is assigned to it. The
 * terminals component provides the answer; without it no terminal reads anything.
 */
public interface ImageAccess {
  boolean mayRead(long terminalId, String imageName);
}
