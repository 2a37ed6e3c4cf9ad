package dev.voi.overview.boundary;

import dev.voi.chain.ImageName;
import dev.voi.chain.Reason;
import dev.voi.chain.Strategy;
import dev.voi.chain.rollout.GroupName;
import dev.voi.overview.control.FleetOverview;
import dev.voi.overview.entity.DecisionCount;
import dev.voi.overview.entity.ImageHealth;
import dev.voi.overview.entity.LastAudit;
import dev.voi.overview.entity.LatestFeedback;
import dev.voi.platform.ProblemType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Read-only summaries of the fleet for the console (admin; docs/design.md §13): the overview, the
 * counts behind a filtered terminal table, the newest feedback of a page of terminals.
 */
@Path("fleet")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class FleetResource {

  /** The most terminals one feedback request may name: a page of the console's table. */
  static final int MAX_TERMINALS = 200;

  @Inject FleetOverview overview;

  /** One image's terminals counted by their current answer. */
  @JsonbPropertyOrder({
    "image",
    "terminals",
    "upToDate",
    "oneBehind",
    "behind",
    "diverged",
    "broken",
    "empty",
    "waiting",
    "ahead",
    "unreported",
    "bytesToMove",
    "rolloutPlan"
  })
  @Schema(
      name = "ImageHealth",
      description =
          "An image's assigned terminals by the reason of their answer (WAIT counts as waiting,"
              + " unreported: assigned but no report yet) and the bytes they still download",
      requiredProperties = {
        "image",
        "terminals",
        "upToDate",
        "oneBehind",
        "behind",
        "diverged",
        "broken",
        "empty",
        "waiting",
        "ahead",
        "unreported",
        "bytesToMove",
        "rolloutPlan"
      })
  public record ImageHealthView(
      String image,
      long terminals,
      long upToDate,
      long oneBehind,
      long behind,
      long diverged,
      long broken,
      long empty,
      long waiting,
      long ahead,
      long unreported,
      long bytesToMove,
      @Schema(description = "Whether the image has a rollout plan") boolean rolloutPlan) {
    static ImageHealthView of(ImageHealth h) {
      return new ImageHealthView(
          h.image(),
          h.terminals(),
          h.upToDate(),
          h.oneBehind(),
          h.behind(),
          h.diverged(),
          h.broken(),
          h.empty(),
          h.waiting(),
          h.ahead(),
          h.unreported(),
          h.bytesToMove(),
          h.rolloutPlan());
    }
  }

  /** The newest audit run that ran. */
  @JsonbPropertyOrder({"id", "state", "startedAt", "finishedAt", "findings", "changed", "stale"})
  @Schema(
      name = "LastAudit",
      requiredProperties = {
        "id",
        "state",
        "startedAt",
        "finishedAt",
        "findings",
        "changed",
        "stale"
      })
  public record LastAuditView(
      long id,
      @Schema(enumeration = {"RUNNING", "FINISHED", "FAILED"}) String state,
      String startedAt,
      @Schema(nullable = true) String finishedAt,
      long findings,
      long changed,
      long stale) {
    static LastAuditView of(LastAudit a) {
      return new LastAuditView(
          a.id(),
          a.state(),
          text(a.startedAt()),
          text(a.finishedAt()),
          a.findings(),
          a.changed(),
          a.stale());
    }
  }

  /** The fleet overview. */
  @JsonbPropertyOrder({"images", "terminals", "bytesToMove", "lastAudit"})
  @Schema(
      name = "FleetOverview",
      requiredProperties = {"images", "terminals", "bytesToMove", "lastAudit"})
  public record OverviewView(
      List<ImageHealthView> images,
      @Schema(description = "Assignments in all: a terminal counts once per assigned image")
          long terminals,
      long bytesToMove,
      @Schema(nullable = true) LastAuditView lastAudit) {}

  /** One strategy and reason with how many assignments get it. */
  @JsonbPropertyOrder({"strategy", "reason", "assignments"})
  @Schema(
      name = "DecisionCount",
      requiredProperties = {"strategy", "reason", "assignments"})
  public record DecisionCountView(
      @Schema(nullable = true) Strategy strategy,
      @Schema(nullable = true) Reason reason,
      long assignments) {
    static DecisionCountView of(DecisionCount c) {
      return new DecisionCountView(
          c.strategy() == null ? null : Strategy.valueOf(c.strategy()),
          c.reason() == null ? null : Reason.valueOf(c.reason()),
          c.assignments());
    }
  }

  /** The counts of a filter. */
  @Schema(
      name = "DecisionCounts",
      requiredProperties = {"items", "next"})
  public record DecisionCountsView(
      List<DecisionCountView> items, @Schema(nullable = true) String next) {}

  /** A terminal's newest feedback. */
  @JsonbPropertyOrder({"terminal", "image", "receivedAt", "state", "progress", "detail"})
  @Schema(
      name = "LatestFeedback",
      requiredProperties = {"terminal", "image", "receivedAt", "state", "progress", "detail"})
  public record LatestFeedbackView(
      long terminal,
      String image,
      String receivedAt,
      @Schema(enumeration = {"DOWNLOADING", "APPLYING", "DONE", "FAILED"}) String state,
      @Schema(nullable = true) Integer progress,
      @Schema(nullable = true) String detail) {
    static LatestFeedbackView of(LatestFeedback f) {
      return new LatestFeedbackView(
          f.terminal(), f.image(), text(f.receivedAt()), f.state(), f.progress(), f.detail());
    }
  }

  /** The newest feedback of some terminals. */
  @Schema(
      name = "LatestFeedbackPage",
      requiredProperties = {"items", "next"})
  public record LatestFeedbackPage(
      List<LatestFeedbackView> items, @Schema(nullable = true) String next) {}

  @GET
  @Operation(
      operationId = "getFleetOverview",
      summary =
          "Per image, its terminals by answer (up to date, one behind, behind, diverged, broken,"
              + " empty, waiting, ahead, unreported) and the bytes they still download; the"
              + " last audit")
  @APIResponse(
      responseCode = "200",
      description = "The overview",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = OverviewView.class)))
  public OverviewView get() {
    List<ImageHealthView> images = overview.images().stream().map(ImageHealthView::of).toList();
    return new OverviewView(
        images,
        images.stream().mapToLong(ImageHealthView::terminals).sum(),
        images.stream().mapToLong(ImageHealthView::bytesToMove).sum(),
        overview.lastAudit().map(LastAuditView::of).orElse(null));
  }

  @GET
  @Path("decisions")
  @Operation(
      operationId = "countFleetDecisions",
      summary =
          "The assignments matching the filter, counted per strategy and reason (null both:"
              + " not reported yet)")
  @APIResponse(
      responseCode = "200",
      description = "The counts, every one in one page",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = DecisionCountsView.class)))
  @APIResponse(responseCode = "400", description = "bad-request: a filter")
  public DecisionCountsView decisions(
      @QueryParam("image") String image,
      @QueryParam("group") String group,
      @Parameter(schema = @Schema(implementation = Strategy.class)) @QueryParam("strategy")
          String strategy,
      @Parameter(schema = @Schema(implementation = Reason.class)) @QueryParam("reason")
          String reason) {
    if (image != null && !ImageName.isValid(image)) {
      throw ProblemType.BAD_REQUEST.refuse(
          "image: 1-128 characters of A-Z a-z 0-9 . _ - and not starting with '.'");
    }
    if (group != null && !GroupName.isValid(group)) {
      throw ProblemType.BAD_REQUEST.refuse(
          "group: 1-128 characters of A-Z a-z 0-9 . _ - and not starting with '.'");
    }
    FleetOverview.Filter filter =
        new FleetOverview.Filter(
            image,
            group,
            known(Strategy.class, "strategy", strategy),
            known(Reason.class, "reason", reason));
    return new DecisionCountsView(
        overview.decisions(filter).stream().map(DecisionCountView::of).toList(), null);
  }

  @GET
  @Path("feedback")
  @Operation(
      operationId = "listLatestFeedback",
      summary =
          "The newest feedback of each named terminal that sent any (terminals=1,2,3; at most"
              + " 200)")
  @APIResponse(
      responseCode = "200",
      description = "One message per terminal that sent any, by terminal id",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = LatestFeedbackPage.class)))
  @APIResponse(responseCode = "400", description = "bad-request: the terminal ids")
  public LatestFeedbackPage feedback(@QueryParam("terminals") String terminals) {
    return new LatestFeedbackPage(
        overview.latestFeedback(ids(terminals)).stream().map(LatestFeedbackView::of).toList(),
        null);
  }

  /** "1,2,3" as ids: at most {@link #MAX_TERMINALS}, each a positive number. */
  static Set<Long> ids(String terminals) {
    if (terminals == null || terminals.isEmpty()) {
      throw ProblemType.BAD_REQUEST.refuse("terminals: required, ids separated by commas");
    }
    String[] parts = terminals.split(",", -1);
    if (parts.length > MAX_TERMINALS) {
      throw ProblemType.BAD_REQUEST.refuse("terminals: at most " + MAX_TERMINALS + " ids");
    }
    Set<Long> ids = new LinkedHashSet<>();
    for (String part : parts) {
      try {
        long id = Long.parseLong(part);
        if (id < 1) {
          throw new NumberFormatException();
        }
        ids.add(id);
      } catch (NumberFormatException e) {
        throw ProblemType.BAD_REQUEST.refuse("terminals: not an id: " + part);
      }
    }
    return ids;
  }

  private static <E extends Enum<E>> String known(Class<E> type, String field, String value) {
    if (value == null) {
      return null;
    }
    try {
      return Enum.valueOf(type, value).name();
    } catch (IllegalArgumentException e) {
      throw ProblemType.BAD_REQUEST.refuse(
          field + ": expected one of " + Arrays.toString(type.getEnumConstants()));
    }
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
