package dev.voi.chain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A 32-byte SHA-256 value: a layer checksum {@code c_k}, a content digest {@code d_k}, or a random
 * tail. Immutable, compared by value, written as 64 lowercase hex characters in every API.
 */
public final class Checksum implements Comparable<Checksum> {

  public static final int LENGTH = 32;
  private static final HexFormat HEX = HexFormat.of();
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  private final byte[] bytes;

  private Checksum(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Wraps a copy of exactly 32 bytes. */
  public static Checksum ofBytes(byte[] bytes) {
    if (bytes == null || bytes.length != LENGTH) {
      throw new IllegalArgumentException(
          "a checksum is " + LENGTH + " bytes, got " + (bytes == null ? "null" : bytes.length));
    }
    return new Checksum(bytes.clone());
  }

  /**
   * Parses 64 lowercase hex characters. Uppercase is refused too: one value has one spelling, so
   * that strings compare as the values do.
   */
  public static Checksum ofHex(String hex) {
    if (hex == null || !HEX64.matcher(hex).matches()) {
      throw new IllegalArgumentException("a checksum is 64 lowercase hex characters");
    }
    return new Checksum(HEX.parseHex(hex));
  }

  /** True when {@code hex} is 64 lowercase hex characters. */
  public static boolean isHex(String hex) {
    return hex != null && HEX64.matcher(hex).matches();
  }

  /** SHA-256 of the given bytes. */
  public static Checksum sha256(byte[] data) {
    return new Checksum(newSha256().digest(data));
  }

  /** SHA-256 of the UTF-8 bytes of the given text. */
  public static Checksum sha256(String text) {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** A copy of the 32 bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** 64 lowercase hex characters. */
  public String hex() {
    return HEX.formatHex(bytes);
  }

  /** The first 8 hex characters, as used in canonical file names. */
  public String shortHex() {
    return hex().substring(0, 8);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Checksum that && Arrays.equals(bytes, that.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public int compareTo(Checksum other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public String toString() {
    return hex();
  }
}
