package dev.voi.images.control;

import dev.voi.chain.Checksum;
import java.util.Optional;

/**
 * The SHA-256 a client sends after the body instead of before it (docs/design.md §4: an HTTP
 * trailer on a chunked upload), so that it can hash the file while it sends it. Read once the body
 * has ended, and compared with what arrived before anything is published.
 */
@FunctionalInterface
public interface DigestAfterBody {

  /** An upload that sends no digest after its body. */
  DigestAfterBody NONE = Optional::empty;

  /**
   * Called once, after the body was read to its end.
   *
   * @return the digest sent after the body, or empty when none was announced and none came
   * @throws dev.voi.platform.Refused (400) when one was announced and did not come, or is malformed
   */
  Optional<Checksum> read();
}
