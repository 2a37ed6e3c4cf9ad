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

/** The terminals API's response bodies (docs/design.md §9). */
public final class Views {

  private Views() {}

  /** A new terminal with its token, shown this once. */
  @JsonbPropertyOrder({"id", "name", "token"})
  public record Registered(long id, String name, String token) {}

  /** A rotated token, shown this once. */
  public record NewToken(String token) {}

  /** A terminal, when it was last heard from, and its images with their current answers. */
  @JsonbPropertyOrder({"id", "name", "createdAt", "lastSeen", "images"})
  public record TerminalView(
      long id, String name, String createdAt, String lastSeen, List<ImageAnswer> images) {

    static TerminalView of(Terminal terminal, Instant lastSeen, List<AssignedImage> images) {
      return new TerminalView(
          terminal.id(),
          terminal.name(),
          text(terminal.createdAt()),
          text(lastSeen),
          images.stream().map(ImageAnswer::of).toList());
    }
  }

  /** One assigned image: what the terminal last reported and the answer it currently gets. */
  @JsonbPropertyOrder({
    "image",
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
      String assignedAt,
      String reportedAt,
      Integer reportedLayers,
      Strategy strategy,
      Reason reason,
      String policy,
      Integer moveCount,
      Integer divergedAt,
      Integer keep,
      Long totalBytes,
      String decidedAt) {

    static ImageAnswer of(AssignedImage image) {
      return new ImageAnswer(
          image.image(),
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
  public record Change(
      long id,
      String image,
      String decidedAt,
      String triggeredBy,
      Strategy strategy,
      Reason reason,
      String policy,
      Integer moveCount,
      Integer divergedAt,
      int keep,
      int downloads,
      long totalBytes,
      int reportedLayers,
      String reportedTip,
      Tip tip,
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
  public record Tip(int depth, long version, String checksum) {}

  /** One feedback message of a terminal. */
  @JsonbPropertyOrder({"id", "image", "receivedAt", "state", "progress", "detail"})
  public record FeedbackView(
      long id,
      String image,
      String receivedAt,
      TerminalFeedback.State state,
      Integer progress,
      String detail) {

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
