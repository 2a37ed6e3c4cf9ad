package dev.voi.terminals.boundary;

import dev.voi.answers.entity.AnswerChange;
import dev.voi.chain.Reason;
import dev.voi.chain.Strategy;
import dev.voi.terminals.entity.AssignedImage;
import dev.voi.terminals.entity.Terminal;
import dev.voi.terminals.entity.TerminalFeedback;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The terminals API's response bodies (docs/design.md §9). */
public final class Views {

  private Views() {}

  /** A new terminal with its token, shown this once. */
  @JsonbPropertyOrder({"id", "name", "token"})
  @Schema(
      name = "RegisteredTerminal",
      requiredProperties = {"id", "name", "token"})
  public record Registered(long id, String name, String group, String token) {}

  /** A rotated token, shown this once. */
  @Schema(name = "NewToken", requiredProperties = "token")
  public record NewToken(String token) {}

  /** The body of a registration, as documented (read by the resource itself). */
  @Schema(name = "Registration", requiredProperties = "name")
  public record Registration(String name, @Schema(nullable = true) String group) {}

  /** The body of a group change (docs/design.md §11). */
  @Schema(name = "GroupChange", requiredProperties = "group")
  public record GroupChange(String group) {}

  /** The body of a checksum-list report, as documented (read by {@code ReportParser}). */
  @Schema(name = "ChainReport", requiredProperties = "nodes")
  public record ChainReport(List<ChainNodeBody> nodes) {}

  /** One node of a reported chain: the checksums of a layer's head and tail. */
  @Schema(name = "ChainNode")
  public record ChainNodeBody(
      @Schema(nullable = true, pattern = "^[0-9a-f]{64}$") String head,
      @Schema(nullable = true, pattern = "^[0-9a-f]{64}$") String tail) {}

  /** The body of a feedback message, as documented (read by {@code FeedbackReport}). */
  @Schema(name = "Feedback", requiredProperties = "state")
  public record Feedback(
      TerminalFeedback.State state,
      @Schema(nullable = true, minimum = "0", maximum = "100") Integer progress,
      @Schema(nullable = true, maxLength = 1000) String detail) {}

  /**
   * The strategy answer as documented: the same members as {@code StrategyAnswer}, which the
   * resource sends as bytes it serialised once (the IT harness fails on any member not here).
   */
  @Schema(
      name = "StrategyAnswer",
      requiredProperties = {
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
  public record StrategyAnswerBody(
      String image,
      @Schema(description = "The terminal's group") String group,
      @Schema(description = "The terminal's wave in the image's rollout, 0 without a plan")
          int wave,
      Strategy strategy,
      Reason reason,
      @Schema(enumeration = {"patent", "catch-up"}) String policy,
      @Schema(nullable = true) Integer moveCount,
      @Schema(nullable = true) Integer divergedAt,
      int keep,
      @Schema(nullable = true, description = "The tip of the chain the terminal is judged against")
          Tip tip,
      @Schema(nullable = true, description = "The image's newest layer") Tip imageTip,
      @Schema(
              nullable = true,
              format = "date-time",
              description = "When the group's next maintenance window opens (OUTSIDE_WINDOW only)")
          String windowOpensAt,
      List<DownloadBody> downloads,
      long totalBytes,
      int pollAfterSeconds) {}

  /** One layer of a strategy answer to download and apply, as documented. */
  @Schema(
      name = "Download",
      requiredProperties = {"depth", "version", "checksum", "fileName", "size", "sha256", "url"})
  public record DownloadBody(
      int depth,
      long version,
      String checksum,
      String fileName,
      long size,
      String sha256,
      String url) {}

  /** A page of terminals, as documented. */
  @Schema(
      name = "TerminalPage",
      requiredProperties = {"items", "next"})
  public record TerminalPage(List<TerminalView> items, @Schema(nullable = true) String next) {}

  /** A page of answer changes, as documented. */
  @Schema(
      name = "ChangePage",
      requiredProperties = {"items", "next"})
  public record ChangePage(List<Change> items, @Schema(nullable = true) String next) {}

  /** A page of feedback messages, as documented. */
  @Schema(
      name = "FeedbackPage",
      requiredProperties = {"items", "next"})
  public record FeedbackPage(List<FeedbackView> items, @Schema(nullable = true) String next) {}

  /** A terminal, when it was last heard from, and its images with their current answers. */
  @JsonbPropertyOrder({"id", "name", "createdAt", "lastSeen", "images"})
  @Schema(
      name = "Terminal",
      requiredProperties = {"id", "name", "createdAt", "lastSeen", "images"})
  public record TerminalView(
      long id,
      String name,
      String group,
      String createdAt,
      @Schema(nullable = true) String lastSeen,
      List<ImageAnswer> images) {

    static TerminalView of(
        Terminal terminal,
        Instant lastSeen,
        List<AssignedImage> images,
        java.util.function.ToIntFunction<String> waveOf) {
      return new TerminalView(
          terminal.id(),
          terminal.name(),
          terminal.group(),
          text(terminal.createdAt()),
          text(lastSeen),
          images.stream()
              .map(image -> ImageAnswer.of(image, waveOf.applyAsInt(image.image())))
              .toList());
    }
  }

  /** One assigned image: what the terminal last reported and the answer it currently gets. */
  @JsonbPropertyOrder({
    "image",
    "wave",
    "assignedAt",
    "reportedAt",
    "reportedLayers",
    "strategy",
    "reason",
    "policy",
    "moveCount",
    "divergedAt",
    "keep",
    "totalBytes",
    "decidedAt"
  })
  @Schema(
      name = "ImageAnswer",
      requiredProperties = {
        "image",
        "wave",
        "assignedAt",
        "reportedAt",
        "reportedLayers",
        "strategy",
        "reason",
        "policy",
        "moveCount",
        "divergedAt",
        "keep",
        "totalBytes",
        "decidedAt"
      })
  public record ImageAnswer(
      String image,
      int wave,
      String assignedAt,
      @Schema(nullable = true) String reportedAt,
      @Schema(nullable = true) Integer reportedLayers,
      @Schema(nullable = true) Strategy strategy,
      @Schema(nullable = true) Reason reason,
      @Schema(
              nullable = true,
              enumeration = {"patent", "catch-up"})
          String policy,
      @Schema(nullable = true) Integer moveCount,
      @Schema(nullable = true) Integer divergedAt,
      @Schema(nullable = true) Integer keep,
      @Schema(nullable = true) Long totalBytes,
      @Schema(nullable = true) String decidedAt) {

    static ImageAnswer of(AssignedImage image, int wave) {
      return new ImageAnswer(
          image.image(),
          wave,
          text(image.assignedAt()),
          text(image.reportedAt()),
          image.reportedLayers(),
          image.strategy(),
          image.reason(),
          image.policy(),
          image.moveCount(),
          image.divergedAt(),
          image.keep(),
          image.totalBytes(),
          text(image.decidedAt()));
    }
  }

  /** One change of a terminal's answer: what it became, why, and what triggered it. */
  @JsonbPropertyOrder({
    "id",
    "image",
    "decidedAt",
    "triggeredBy",
    "strategy",
    "reason",
    "policy",
    "moveCount",
    "divergedAt",
    "keep",
    "downloads",
    "totalBytes",
    "reportedLayers",
    "reportedTip",
    "tip",
    "imageRevision"
  })
  @Schema(
      name = "AnswerChange",
      requiredProperties = {
        "id",
        "image",
        "decidedAt",
        "triggeredBy",
        "strategy",
        "reason",
        "policy",
        "moveCount",
        "divergedAt",
        "keep",
        "downloads",
        "totalBytes",
        "reportedLayers",
        "reportedTip",
        "tip",
        "imageRevision"
      })
  public record Change(
      long id,
      String image,
      String decidedAt,
      String triggeredBy,
      Strategy strategy,
      Reason reason,
      @Schema(enumeration = {"patent", "catch-up"}) String policy,
      @Schema(nullable = true) Integer moveCount,
      @Schema(nullable = true) Integer divergedAt,
      int keep,
      int downloads,
      long totalBytes,
      int reportedLayers,
      @Schema(nullable = true) String reportedTip,
      @Schema(nullable = true) Tip tip,
      long imageRevision) {

    static Change of(AnswerChange change, String image) {
      Tip tip =
          change.tipDepth() == null
              ? null
              : new Tip(change.tipDepth(), change.tipVersion(), change.tipChecksum());
      return new Change(
          change.id(),
          image,
          text(change.decidedAt()),
          change.triggeredBy(),
          change.strategy(),
          change.reason(),
          change.policy(),
          change.moveCount(),
          change.divergedAt(),
          change.keep(),
          change.downloadCount(),
          change.totalBytes(),
          change.reportedLayers(),
          change.reportedTip(),
          tip,
          change.imageRevision());
    }
  }

  /** The server's tip an answer was decided against. */
  @JsonbPropertyOrder({"depth", "version", "checksum"})
  @Schema(
      name = "AnswerTip",
      requiredProperties = {"depth", "version", "checksum"})
  public record Tip(int depth, long version, String checksum) {}

  /** One feedback message of a terminal. */
  @JsonbPropertyOrder({"id", "image", "receivedAt", "state", "progress", "detail"})
  @Schema(
      name = "FeedbackMessage",
      requiredProperties = {"id", "image", "receivedAt", "state", "progress", "detail"})
  public record FeedbackView(
      long id,
      String image,
      String receivedAt,
      TerminalFeedback.State state,
      @Schema(nullable = true) Integer progress,
      @Schema(nullable = true) String detail) {

    static FeedbackView of(TerminalFeedback feedback, String image) {
      return new FeedbackView(
          feedback.id(),
          image,
          text(feedback.receivedAt()),
          feedback.state(),
          feedback.progress(),
          feedback.detail());
    }
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
