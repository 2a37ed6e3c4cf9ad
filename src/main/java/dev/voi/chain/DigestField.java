package dev.voi.chain;

import java.util.Base64;

/**
 * A SHA-256 in the HTTP digest fields of RFC 9530 ({@code Content-Digest}, {@code Repr-Digest}): a
 * structured-field dictionary (RFC 8941) whose {@code sha-256} member is the digest as a byte
 * sequence, {@code sha-256=:<base64>:}. The server writes it on downloads and reads it as the
 * trailer of a chunked upload; {@code voi publish} writes that trailer.
 */
public final class DigestField {

  /** The member RFC 9530 registers for SHA-256. */
  public static final String SHA_256 = "sha-256";

  private DigestField() {}

  /** {@code sha-256=:<base64>:}. */
  public static String of(Checksum sha256) {
    return SHA_256 + "=:" + Base64.getEncoder().encodeToString(sha256.bytes()) + ":";
  }

  /**
   * The {@code sha-256} member of a field value. Members of other algorithms are skipped (a
   * recipient may ignore what it does not support), and so are a member's parameters; a value that
   * is not a dictionary of {@code key=value} members, a {@code sha-256} that is not a byte sequence
   * of 32 bytes in standard base64, and a {@code sha-256} named twice are refused.
   *
   * @throws IllegalArgumentException naming what is wrong, in words for the client
   */
  public static Checksum sha256(String value) {
    Checksum found = null;
    for (String member : value.split(",", -1)) {
      String trimmed = member.strip();
      int equals = trimmed.indexOf('=');
      if (equals <= 0) {
        throw new IllegalArgumentException(
            "Content-Digest must be a list of algorithm=:base64: members (RFC 9530), e.g. "
                + SHA_256
                + "=:<base64 of 32 bytes>:");
      }
      String key = trimmed.substring(0, equals);
      if (!key.matches("[a-z*][a-z0-9_.*-]*")) {
        throw new IllegalArgumentException(
            "Content-Digest: \"" + key + "\" is not an algorithm name (RFC 9530)");
      }
      if (!key.equals(SHA_256)) {
        continue;
      }
      if (found != null) {
        throw new IllegalArgumentException("Content-Digest names " + SHA_256 + " twice");
      }
      String item = trimmed.substring(equals + 1);
      int semicolon = item.indexOf(';', item.indexOf(':', 1) + 1);
      String bytes = semicolon < 0 ? item : item.substring(0, semicolon);
      found = bytes(bytes);
    }
    if (found == null) {
      throw new IllegalArgumentException(
          "Content-Digest carries no " + SHA_256 + " (the only algorithm this server checks)");
    }
    return found;
  }

  private static Checksum bytes(String item) {
    if (item.length() < 2 || item.charAt(0) != ':' || item.charAt(item.length() - 1) != ':') {
      throw new IllegalArgumentException(
          "Content-Digest: " + SHA_256 + " must be a byte sequence, :<base64>:");
    }
    String base64 = item.substring(1, item.length() - 1);
    byte[] decoded;
    try {
      decoded = base64.matches("[A-Za-z0-9+/]*={0,2}") ? Base64.getDecoder().decode(base64) : null;
    } catch (IllegalArgumentException e) {
      decoded = null;
    }
    if (decoded == null) {
      throw new IllegalArgumentException(
          "Content-Digest: the " + SHA_256 + " value is not standard base64");
    }
    if (decoded.length != 32) {
      throw new IllegalArgumentException(
          "Content-Digest: a " + SHA_256 + " digest is 32 bytes, this one is " + decoded.length);
    }
    return Checksum.ofBytes(decoded);
  }
}
