package dev.voi.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.voi.chain.Checksum;
import dev.voi.chain.Strategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The server's strategy answer (docs/design.md §6 and 9), parsed strictly: every value the agent
 * acts on is checked here, so that a bad answer fails as one line naming the field instead of
 * half-way through an update.
 *
 * @param tip the server's tip, null when nothing is published
 * @param etag the answer's {@code ETag} header, null if the server sent none
 */
public record Answer(
    String image,
    Strategy strategy,
    String reason,
    String policy,
    Integer moveCount,
    Integer divergedAt,
    int keep,
    Tip tip,
    List<Download> downloads,
    long totalBytes,
    int pollAfterSeconds,
    String etag,
    String windowOpensAt) {

  /** The reason the server gives while the terminal's maintenance window is closed. */
  public static final String OUTSIDE_WINDOW = "OUTSIDE_WINDOW";

  /** True when the server holds the update back until the group's maintenance window opens. */
  public boolean outsideWindow() {
    return strategy == Strategy.WAIT && OUTSIDE_WINDOW.equals(reason);
  }

  /** The server's tip. */
  public record Tip(int depth, long version, Checksum checksum) {}

  /** One layer to download, in the order the layers are applied. */
  public record Download(
      int depth,
      long version,
      Checksum checksum,
      String fileName,
      long size,
      Checksum sha256,
      String url) {}

  public Answer {
    Objects.requireNonNull(strategy, "strategy");
    downloads = List.copyOf(downloads);
  }

  /**
   * Parses and checks an answer body.
   *
   * @throws IllegalArgumentException naming the field that is wrong
   */
  public static Answer parse(byte[] body, String etag) {
    JsonNode root = Json.object(Json.parse(body), "answer");
    String strategyName = Json.string(root, "", "strategy");
    Strategy strategy;
    try {
      strategy = Strategy.valueOf(strategyName);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "strategy: unknown value " + LocalNames.quote(strategyName), e);
    }
    int keep = Json.nonNegativeInt(root, "", "keep");
    Tip tip = null;
    JsonNode tipNode = root.get("tip");
    if (tipNode != null && !tipNode.isNull()) {
      Json.object(tipNode, "tip");
      tip =
          new Tip(
              Json.nonNegativeInt(tipNode, "tip", "depth"),
              Json.nonNegativeLong(tipNode, "tip", "version"),
              Json.checksum(tipNode, "tip", "checksum"));
    }
    List<Download> downloads = new ArrayList<>();
    JsonNode downloadsNode = root.get("downloads");
    List<JsonNode> downloadNodes =
        downloadsNode == null || downloadsNode.isNull()
            ? List.of()
            : Json.array(root, "", "downloads");
    for (int i = 0; i < downloadNodes.size(); i++) {
      String path = Json.index("", "downloads", i);
      JsonNode node = Json.object(downloadNodes.get(i), path);
      String fileName = Json.string(node, path, "fileName");
      if (!LocalNames.isSafe(fileName)) {
        throw new IllegalArgumentException(
            path
                + ".fileName: "
                + LocalNames.quote(fileName)
                + " is not a safe bare name of the form [A-Za-z0-9._-]+.qcow2");
      }
      downloads.add(
          new Download(
              Json.nonNegativeInt(node, path, "depth"),
              Json.nonNegativeLong(node, path, "version"),
              Json.checksum(node, path, "checksum"),
              fileName,
              Json.nonNegativeLong(node, path, "size"),
              Json.checksum(node, path, "sha256"),
              Json.string(node, path, "url")));
    }
    requireConsistent(strategy, keep, tip, downloads);
    JsonNode total = root.get("totalBytes");
    long totalBytes =
        total == null || total.isNull()
            ? downloads.stream().mapToLong(Download::size).sum()
            : Json.nonNegativeLong(root, "", "totalBytes");
    Integer poll = Json.optionalInt(root, "", "pollAfterSeconds");
    return new Answer(
        Json.optionalString(root, "", "image"),
        strategy,
        Json.optionalString(root, "", "reason"),
        Json.optionalString(root, "", "policy"),
        Json.optionalInt(root, "", "moveCount"),
        Json.optionalInt(root, "", "divergedAt"),
        keep,
        tip,
        downloads,
        totalBytes,
        poll == null || poll < 0 ? 0 : poll,
        etag,
        Json.optionalString(root, "", "windowOpensAt"));
  }

  private static void requireConsistent(
      Strategy strategy, int keep, Tip tip, List<Download> downloads) {
    if ((strategy == Strategy.STOP || strategy == Strategy.WAIT) && !downloads.isEmpty()) {
      throw new IllegalArgumentException("downloads: " + strategy + " with layers to download");
    }
    for (int i = 0; i < downloads.size(); i++) {
      Download download = downloads.get(i);
      if (download.depth() != keep + i) {
        throw new IllegalArgumentException(
            "downloads["
                + i
                + "].depth: "
                + download.depth()
                + ", expected "
                + (keep + i)
                + " (downloads are keep..n in order)");
      }
    }
    if (!downloads.isEmpty()) {
      Download last = downloads.get(downloads.size() - 1);
      if (tip == null || tip.depth() != last.depth() || !tip.checksum().equals(last.checksum())) {
        throw new IllegalArgumentException(
            "tip: does not match the last download (depth " + last.depth() + ")");
      }
    }
    if ((strategy == Strategy.INCREMENTAL || strategy == Strategy.FULL)
        && tip != null
        && keep > tip.depth() + 1) {
      throw new IllegalArgumentException(
          "keep: " + keep + " is above the server's chain (tip depth " + tip.depth() + ")");
    }
  }

  /** The same answer with another ETag. */
  public Answer withEtag(String newEtag) {
    return new Answer(
        image,
        strategy,
        reason,
        policy,
        moveCount,
        divergedAt,
        keep,
        tip,
        downloads,
        totalBytes,
        pollAfterSeconds,
        newEtag,
        windowOpensAt);
  }

  /** One line for people: {@code INCREMENTAL (ONE_BEHIND, policy patent): keep 3, download …}. */
  public String summary() {
    StringBuilder line = new StringBuilder(strategy.name());
    line.append(" (").append(reason == null ? "no reason given" : reason);
    if (policy != null) {
      line.append(", policy ").append(policy);
    }
    if (divergedAt != null) {
      line.append(", diverged at depth ").append(divergedAt);
    }
    line.append(')');
    switch (strategy) {
      case STOP -> line.append(": up to date");
      case WAIT ->
          line.append(
              outsideWindow()
                  ? ": outside the maintenance window, which opens at " + windowOpensAt
                  : ": nothing to do yet, poll again in " + pollAfterSeconds + " s");
      default -> {
        line.append(": keep ").append(keep).append(keep == 1 ? " layer" : " layers");
        line.append(", download ").append(downloads.size());
        line.append(downloads.size() == 1 ? " layer" : " layers");
        line.append(" (").append(Units.bytes(totalBytes)).append(')');
      }
    }
    if (tip != null) {
      line.append("; server tip depth ")
          .append(tip.depth())
          .append(" version ")
          .append(tip.version())
          .append(' ')
          .append(tip.checksum().shortHex());
    }
    return line.toString();
  }
}
