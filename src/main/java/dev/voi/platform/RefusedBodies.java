package dev.voi.platform;

import java.util.Locale;

/**
 * What becomes of the unread body of a refused request (docs/design.md §10). The answer says {@code
 * Connection: close} and the connection closes after it. A small body is read and thrown away
 * first, so that a client which writes its whole body before it reads (most HTTP libraries without
 * {@code Expect: 100-continue}) gets the refusal instead of a reset connection; anything larger, of
 * unknown length, or held back by {@code Expect: 100-continue} is left unread.
 */
public final class RefusedBodies {

  /**
   * The most a refused body is drained: the listener's {@code max-swallowing-input-bytes} (boot
   * commands), which bounds what Grizzly reads of a body nobody reads.
   */
  public static final long DRAINED_AT_MOST = 1L << 20;

  private RefusedBodies() {}

  /**
   * Whether the body of a refused request that declared {@code contentLength} (negative when
   * absent), chunked framing or not, and {@code expect} (the header, or null) is left unread: the
   * connection closes without reading it.
   */
  public static boolean leftUnread(long contentLength, boolean chunked, String expect) {
    if (!chunked && contentLength <= 0) {
      return false; // no body: nothing to drain or refuse
    }
    boolean heldBack =
        expect != null && expect.trim().toLowerCase(Locale.ROOT).equals("100-continue");
    return chunked || heldBack || contentLength > DRAINED_AT_MOST;
  }

  /**
   * Whether a refusal of a request with these headers (any may be null) says {@code Connection:
   * close}: whenever it declared a body, read or not.
   */
  static boolean hasBody(String contentLength, String transferEncoding) {
    if (transferEncoding != null) {
      return true;
    }
    if (contentLength == null) {
      return false;
    }
    try {
      return Long.parseLong(contentLength.trim()) > 0;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  /** {@link #leftUnread(long, boolean, String)} from the header values as they came. */
  static boolean leftUnread(String contentLength, String transferEncoding, String expect) {
    long length = -1;
    if (contentLength != null) {
      try {
        length = Long.parseLong(contentLength.trim());
      } catch (NumberFormatException e) {
        return true; // Grizzly refuses such a request itself; never drain what cannot be measured
      }
    }
    return leftUnread(length, transferEncoding != null, expect);
  }
}
