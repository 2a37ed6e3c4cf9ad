package dev.voi.images.control;

import dev.voi.chain.Checksum;
import dev.voi.chain.ImageName;
import java.util.Objects;

/**
 * One upload's request, validated at the boundary: what is published, where, and what the body
 * should be.
 *
 * @param version the layer's version, or null for the default (parent's + 1; 1 for a new image)
 * @param parent the tip the diff was built on (null for a base)
 * @param expectedDigest the SHA-256 the body must have, named before it ({@code digest=}), or null
 * @param contentLength the declared body length, or -1 when unknown (chunked)
 * @param digestAfterBody the SHA-256 the body must have, sent after it (a trailer): read once the
 *     body has ended
 */
public record Upload(
    PublishKind kind,
    ImageName imageName,
    Long version,
    Checksum parent,
    Checksum expectedDigest,
    String note,
    long contentLength,
    DigestAfterBody digestAfterBody) {

  public Upload {
    Objects.requireNonNull(digestAfterBody, "digestAfterBody");
  }
}
