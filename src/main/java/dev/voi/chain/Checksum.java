package dev.voi.chain;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

  /** Read buffer of the streaming digests: large enough that system calls do not dominate. */
  static final int BUFFER_SIZE = 64 * 1024;

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

  /**
   * Parses a value that came from outside, for example {@code nodes[3].tail} of a terminal's
   * report.
   *
   * @throws IllegalArgumentException starting with {@code field} and saying what is wrong
   */
  public static Checksum parse(String field, String hex) {
    if (hex == null) {
      throw new IllegalArgumentException(field + ": missing");
    }
    if (hex.length() != 2 * LENGTH) {
      throw new IllegalArgumentException(
          field + ": expected " + 2 * LENGTH + " hex characters, got " + hex.length());
    }
    for (int i = 0; i < hex.length(); i++) {
      char c = hex.charAt(i);
      if (c >= 'A' && c <= 'F') {
        throw new IllegalArgumentException(
            field + ": uppercase hex at index " + i + ", only lowercase is accepted");
      }
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        throw new IllegalArgumentException(field + ": not a hex character at index " + i);
      }
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

  /** SHA-256 of everything left in {@code in}, read in 64 KiB blocks; does not close it. */
  public static Checksum sha256Of(InputStream in) throws IOException {
    MessageDigest digest = newSha256();
    byte[] buffer = new byte[BUFFER_SIZE];
    for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
      digest.update(buffer, 0, read);
    }
    return new Checksum(digest.digest());
  }

  /** SHA-256 of a file's bytes, streamed (never the whole file in memory). */
  public static Checksum sha256Of(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return sha256Of(in);
    }
  }

  static Checksum ofDigest(MessageDigest digest) {
    return new Checksum(digest.digest());
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
