package dev.voi.answers.control;

import dev.voi.answers.entity.StrategyAnswer;
import dev.voi.chain.Reason;
import dev.voi.chain.Strategy;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The strategy answer's exact bytes and its strong ETag, the SHA-256 of those bytes: an answer is
 * serialised here, once, so that the tag always describes what is sent. Absent values are written
 * as {@code null} ({@code "divergedAt": null}), as in docs/design.md §9.
 */
public final class AnswerJson {

  private static final Jsonb JSON = JsonbBuilder.create(new JsonbConfig().withNullValues(true));

  /** An answer ready to send, with what it says (counted by the metrics of polls). */
  public record Representation(byte[] body, String etag, Strategy strategy, Reason reason) {

    @Override
    public boolean equals(Object other) {
      return other instanceof Representation that
          && etag.equals(that.etag)
          && Arrays.equals(body, that.body);
    }

    @Override
    public int hashCode() {
      return etag.hashCode();
    }

    @Override
    public String toString() {
      return "Representation[" + etag + ", " + body.length + " bytes]";
    }
  }

  private AnswerJson() {}

  public static Representation represent(StrategyAnswer answer) {
    byte[] body = JSON.toJson(answer).getBytes(StandardCharsets.UTF_8);
    return new Representation(body, etagOf(body), answer.strategy(), answer.reason());
  }

  /** A strong entity tag: the first 128 bits of the body's SHA-256, quoted. */
  static String etagOf(byte[] body) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
      return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /**
   * True when an {@code If-None-Match} header names {@code etag} (weak comparison, RFC 9110
   * 13.1.2): {@code *}, or one of a comma-separated list of tags, {@code W/} or not.
   */
  public static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null || etag == null) {
      return false;
    }
    for (String candidate : ifNoneMatch.split(",")) {
      String tag = candidate.trim();
      if (tag.startsWith("W/")) {
        tag = tag.substring(2);
      }
      if (tag.equals("*") || tag.equals(etag)) {
        return true;
      }
    }
    return false;
  }
}
