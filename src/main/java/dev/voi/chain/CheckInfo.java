package dev.voi.chain;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * The initial check info of a layer (docs/design.md §2, 初始校验信息): {@code
 * VOI1|{version}|{serverUuid}|{imageName}|{parentChecksumHex}|{contentDigestHex}}. Its SHA-256 is
 * the layer checksum {@code c_k}, which commits to the whole lineage below the layer through {@code
 * parent}.
 *
 * @param version the admin's version number, non-negative; not required to be unique
 * @param serverUuid the publishing server's identity
 * @param imageName a valid {@link ImageName}
 * @param parent the checksum of the layer below, or {@code null} for the base
 * @param contentDigest SHA-256 of the layer file exactly as uploaded
 */
public record CheckInfo(
    long version, UUID serverUuid, String imageName, Checksum parent, Checksum contentDigest) {

  private static final String PREFIX = "VOI1";
  private static final char SEPARATOR = '|';

  public CheckInfo {
    if (version < 0) {
      throw new IllegalArgumentException("version must be non-negative, got " + version);
    }
    Objects.requireNonNull(serverUuid, "serverUuid");
    ImageName.requireValid(imageName);
    Objects.requireNonNull(contentDigest, "contentDigest");
  }

  /** Check info of a base layer (no parent). */
  public static CheckInfo base(
      long version, UUID serverUuid, String imageName, Checksum contentDigest) {
    return new CheckInfo(version, serverUuid, imageName, null, contentDigest);
  }

  /** True for the base layer, which has no parent. */
  public boolean isBase() {
    return parent == null;
  }

  /** The exact check info string. */
  public String text() {
    // UUID.toString() is specified as lowercase 8-4-4-4-12, whatever spelling the UUID was parsed
    // from; Long.toString has no leading zeros.
    return String.join(
        String.valueOf(SEPARATOR),
        PREFIX,
        Long.toString(version),
        serverUuid.toString(),
        imageName,
        isBase() ? "" : parent.hex(),
        contentDigest.hex());
  }

  /** The UTF-8 bytes that are hashed. */
  public byte[] bytes() {
    return text().getBytes(StandardCharsets.UTF_8);
  }

  /** The layer checksum {@code c_k} = SHA-256 of {@link #bytes()}. */
  public Checksum checksum() {
    return Checksum.sha256(bytes());
  }
}
