package dev.voi.answers.entity;

import dev.voi.chain.Reason;
import dev.voi.chain.Strategy;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The strategy answer of docs/design.md §9, exactly as a terminal receives it: what to do with one
 * image, why, what to keep and what to download, in the order the layers are applied.
 *
 * @param group the terminal's group (docs/design.md §11)
 * @param wave the terminal's wave in the image's rollout plan, 0 without a plan
 * @param tip the top of the chain the terminal is judged against (its wave's released tip), null
 *     while nothing is published
 * @param imageTip the image's newest layer, null while nothing is published
 * @param windowOpensAt when the group's next maintenance window opens (ISO-8601), null unless the
 *     reason is {@code OUTSIDE_WINDOW}
 */
@JsonbPropertyOrder({
  "image",
  "group",
  "wave",
  "strategy",
  "reason",
  "policy",
  "moveCount",
  "divergedAt",
  "keep",
  "tip",
  "imageTip",
  "windowOpensAt",
  "downloads",
  "totalBytes",
  "pollAfterSeconds"
})
public record StrategyAnswer(
    String image,
    String group,
    int wave,
    Strategy strategy,
    Reason reason,
    String policy,
    Integer moveCount,
    Integer divergedAt,
    int keep,
    Tip tip,
    Tip imageTip,
    String windowOpensAt,
    List<Download> downloads,
    long totalBytes,
    int pollAfterSeconds) {

  public StrategyAnswer {
    downloads = List.copyOf(downloads);
  }

  /** The top of the server's chain. */
  @JsonbPropertyOrder({"depth", "version", "checksum"})
  public record Tip(int depth, long version, String checksum) {}

  /** One layer to download and apply. */
  @JsonbPropertyOrder({"depth", "version", "checksum", "fileName", "size", "sha256", "url"})
  public record Download(
      int depth,
      long version,
      String checksum,
      String fileName,
      long size,
      String sha256,
      String url) {}

  /**
   * SHA-256 (hex) over everything the answer says except {@code pollAfterSeconds}, a server
   * setting: two answers with equal fingerprints tell the terminal the same thing. Layer rows are
   * immutable, so a download's checksum stands for its file name, size and digest.
   */
  public String fingerprint() {
    StringBuilder text =
        new StringBuilder(128 + 80 * downloads.size())
            .append("answer2|")
            .append(image)
            .append('|')
            .append(group)
            .append('|')
            .append(wave)
            .append('|')
            .append(strategy)
            .append('|')
            .append(reason)
            .append('|')
            .append(policy)
            .append('|')
            .append(moveCount)
            .append('|')
            .append(divergedAt)
            .append('|')
            .append(keep)
            .append('|')
            .append(tip == null ? "-" : tip.depth() + ":" + tip.version() + ":" + tip.checksum())
            .append('|')
            .append(
                imageTip == null
                    ? "-"
                    : imageTip.depth() + ":" + imageTip.version() + ":" + imageTip.checksum())
            .append('|')
            .append(windowOpensAt)
            .append('|')
            .append(totalBytes);
    for (Download download : downloads) {
      text.append('|').append(download.depth()).append(':').append(download.checksum());
    }
    return sha256Hex(text.toString().getBytes(StandardCharsets.UTF_8));
  }

  static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
