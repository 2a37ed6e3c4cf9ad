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
   * The {@code sha-256} member of a field value, parsed as the structured-field dictionary it is
   * (RFC 8941 §4.2.2): members {@code key[=item]*(;param)} separated by commas with optional spaces
   * or tabs around them. Members of other algorithms are skipped whatever their item (a recipient
   * may ignore what it does not support), and so are parameters; a value that is not such a
   * dictionary, a {@code sha-256} that is not a byte sequence of 32 bytes in standard base64, and a
   * {@code sha-256} named twice (where RFC 8941 would keep the last: two digests are a client's
   * mistake, not a choice to make for it) are refused.
   *
   * @throws IllegalArgumentException naming what is wrong, in words for the client
   */
  public static Checksum sha256(String value) {
    Parser parser = new Parser(value);
    String found = null;
    parser.skipWhitespace();
    do {
      String key = parser.key();
      String item = parser.peek('=') ? parser.skip().item() : "?1";
      while (parser.peek(';')) {
        parser.skip().skipSpaces();
        parser.key();
        if (parser.peek('=')) {
          parser.skip().item();
        }
      }
      if (key.equals(SHA_256)) {
        if (found != null) {
          throw new IllegalArgumentException("Content-Digest names " + SHA_256 + " twice");
        }
        found = item;
      }
    } while (parser.nextMember());
    if (found == null) {
      throw new IllegalArgumentException(
          "Content-Digest carries no " + SHA_256 + " (the only algorithm this server checks)");
    }
    return bytes(found);
  }

  /** The little of RFC 8941 a dictionary of digests needs: keys, bare items, the separators. */
  private static final class Parser {

    private static final String NOT_A_DICTIONARY =
        "Content-Digest must be a list of algorithm=:base64: members (RFC 9530), e.g. "
            + SHA_256
            + "=:<base64 of 32 bytes>:";

    private final String text;
    private int at;

    Parser(String text) {
      this.text = text;
    }

    boolean peek(char c) {
      return at < text.length() && text.charAt(at) == c;
    }

    Parser skip() {
      at++;
      return this;
    }

    void skipSpaces() {
      while (peek(' ')) {
        at++;
      }
    }

    void skipWhitespace() {
      while (peek(' ') || peek('\t')) {
        at++;
      }
    }

    /** After a member: true at a comma (and the next member), false at the end. */
    boolean nextMember() {
      skipWhitespace();
      if (at == text.length()) {
        return false;
      }
      if (!peek(',')) {
        throw new IllegalArgumentException(NOT_A_DICTIONARY);
      }
      at++;
      skipWhitespace();
      if (at == text.length()) {
        throw new IllegalArgumentException(NOT_A_DICTIONARY);
      }
      return true;
    }

    /** {@code lcalpha / "*"} then {@code lcalpha / DIGIT / "_" / "-" / "." / "*"}. */
    String key() {
      int start = at;
      if (at < text.length() && (isLower(text.charAt(at)) || peek('*'))) {
        at++;
        while (at < text.length() && isKeyChar(text.charAt(at))) {
          at++;
        }
      }
      if (at == start) {
        int end = Math.min(text.length(), start + 40);
        throw new IllegalArgumentException(
            start == text.length()
                ? NOT_A_DICTIONARY
                : "Content-Digest: \""
                    + text.substring(start, end).replaceAll("[^\\x20-\\x7e]", "?")
                    + (end < text.length() ? "…" : "")
                    + "\" does not start an algorithm name (RFC 9530)");
      }
      return text.substring(start, at);
    }

    /** A bare item, returned as written: byte sequence, string, token, number or boolean. */
    String item() {
      int start = at;
      if (peek(':')) {
        at++;
        while (at < text.length() && text.charAt(at) != ':') {
          at++;
        }
        if (at == text.length()) {
          throw new IllegalArgumentException(NOT_A_DICTIONARY);
        }
        at++;
      } else if (peek('"')) {
        at++;
        while (at < text.length() && text.charAt(at) != '"') {
          char c = text.charAt(at);
          if (c < 0x20 || c > 0x7e) {
            throw new IllegalArgumentException(NOT_A_DICTIONARY);
          }
          at += c == '\\' ? 2 : 1;
        }
        if (at >= text.length()) {
          throw new IllegalArgumentException(NOT_A_DICTIONARY);
        }
        at++;
      } else if (peek('?')) {
        at++;
        if (!peek('0') && !peek('1')) {
          throw new IllegalArgumentException(NOT_A_DICTIONARY);
        }
        at++;
      } else if (peek('-') || (at < text.length() && Character.isDigit(text.charAt(at)))) {
        at++;
        while (at < text.length()
            && (Character.isDigit(text.charAt(at)) || text.charAt(at) == '.')) {
          at++;
        }
      } else if (at < text.length()
          && (Character.isLetter(text.charAt(at)) && text.charAt(at) < 0x80 || peek('*'))) {
        at++;
        while (at < text.length() && isTokenChar(text.charAt(at))) {
          at++;
        }
      } else {
        throw new IllegalArgumentException(NOT_A_DICTIONARY);
      }
      return text.substring(start, at);
    }

    private static boolean isLower(char c) {
      return c >= 'a' && c <= 'z';
    }

    private static boolean isKeyChar(char c) {
      return isLower(c) || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == '*';
    }

    private static boolean isTokenChar(char c) {
      return c > 0x20 && c < 0x7f && "\"(),;<=>?@[\\]{}".indexOf(c) < 0;
    }
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
