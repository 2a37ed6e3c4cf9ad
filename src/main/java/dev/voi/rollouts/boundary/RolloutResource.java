package dev.voi.rollouts.boundary;

import dev.voi.chain.ImageName;
import dev.voi.chain.rollout.RolloutPlan;
import dev.voi.images.boundary.ImagesResource;
import dev.voi.images.entity.Layer;
import dev.voi.platform.ProblemType;
import dev.voi.platform.StrictJson;
import dev.voi.rollouts.control.Rollouts;
import dev.voi.rollouts.entity.RolloutEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** An image's staged rollout: its plan, waves, advance and halt (admin; docs/design.md §11). */
@Path("images/{name}/rollout")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class RolloutResource {

  static final int MAX_BODY = 256 * 1024;
  static final String ADMIN = "admin";

  /** The defaults of a plan's settings. */
  static final double SUCCESS_THRESHOLD = 0.9;

  static final double ERROR_THRESHOLD = 0.1;

  @Inject Rollouts rollouts;

  /** A released tip. */
  @JsonbPropertyOrder({"depth", "version", "checksum", "state"})
  @Schema(
      name = "ReleasedTip",
      requiredProperties = {"depth", "version", "checksum", "state"})
  public record TipView(
      int depth,
      long version,
      String checksum,
      @Schema(enumeration = {"PUBLISHED", "QUARANTINED", "RETIRED"}) String state) {}

  /** One wave. */
  @JsonbPropertyOrder({
    "wave",
    "groups",
    "implicit",
    "releasedTip",
    "releasedAt",
    "terminals",
    "upToDate",
    "failed",
    "complete"
  })
  @Schema(
      name = "Wave",
      requiredProperties = {
        "wave",
        "groups",
        "implicit",
        "releasedTip",
        "releasedAt",
        "terminals",
        "upToDate",
        "failed",
        "complete"
      })
  public record WaveView(
      int wave,
      List<String> groups,
      boolean implicit,
      TipView releasedTip,
      String releasedAt,
      long terminals,
      long upToDate,
      long failed,
      boolean complete) {}

  /** One event of the rollout's history. */
  @JsonbPropertyOrder({"at", "kind", "wave", "actor", "detail"})
  @Schema(
      name = "RolloutEvent",
      requiredProperties = {"at", "kind", "wave", "actor", "detail"})
  public record EventView(
      String at,
      String kind,
      @Schema(nullable = true) Integer wave,
      String actor,
      @Schema(nullable = true) String detail) {}

  /** A rollout as the API shows it. */
  @JsonbPropertyOrder({
    "image",
    "state",
    "successThreshold",
    "errorThreshold",
    "autoAdvance",
    "waves",
    "events"
  })
  @Schema(
      name = "Rollout",
      requiredProperties = {
        "image",
        "state",
        "successThreshold",
        "errorThreshold",
        "autoAdvance",
        "waves",
        "events"
      })
  public record RolloutView(
      String image,
      @Schema(enumeration = {"IDLE", "ROLLING", "HALTED"}) String state,
      double successThreshold,
      double errorThreshold,
      boolean autoAdvance,
      List<WaveView> waves,
      List<EventView> events) {}

  /** The body of a plan, as documented; read strictly. */
  @Schema(
      name = "RolloutPlan",
      description =
          "waves: lists of group names, in order; \"*\" (last wave only) is every other group",
      requiredProperties = "waves")
  public record PlanBody(
      List<List<String>> waves,
      @Schema(description = "Default 0.9", nullable = true) Double successThreshold,
      @Schema(description = "Default 0.1", nullable = true) Double errorThreshold,
      @Schema(description = "Default true", nullable = true) Boolean autoAdvance) {}

  @GET
  @Operation(
      operationId = "getRollout",
      summary = "The image's rollout: state, thresholds, each wave's released tip and counts")
  @APIResponse(
      responseCode = "200",
      description = "The rollout",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = RolloutView.class)))
  @APIResponse(responseCode = "400", description = "bad-request: the image name")
  @APIResponse(responseCode = "404", description = "not-found: no such image, or no plan")
  public RolloutView get(@PathParam("name") String name) {
    ImageName image = imageName(name);
    return view(image, rollouts.view(image));
  }

  @PUT
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "setRollout",
      summary =
          "Put the image's rollout plan: waves of groups and thresholds; a new plan releases the"
              + " current tip to every wave")
  @APIResponse(
      responseCode = "200",
      description = "The rollout",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = RolloutView.class)))
  @APIResponse(responseCode = "400", description = "bad-request: the image name or the plan")
  @APIResponse(responseCode = "404", description = "not-found: no such image")
  @APIResponse(responseCode = "413", description = "body-too-large")
  @APIResponse(responseCode = "415", description = "the body is not application/json")
  public RolloutView put(
      @PathParam("name") String name,
      @RequestBody(
              required = true,
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_JSON,
                      schema = @Schema(implementation = PlanBody.class)))
          InputStream body) {
    ImageName image = imageName(name);
    RolloutPlan plan = plan(StrictJson.readObject(body, MAX_BODY));
    return view(image, rollouts.put(image, plan, ADMIN));
  }

  @DELETE
  @Operation(
      operationId = "deleteRollout",
      summary = "Remove the plan: every terminal is judged against the current tip again")
  @APIResponse(responseCode = "204", description = "Removed")
  @APIResponse(responseCode = "400", description = "bad-request: the image name")
  @APIResponse(responseCode = "404", description = "not-found: no such image, or no plan")
  public Response delete(@PathParam("name") String name) {
    rollouts.remove(imageName(name), ADMIN);
    return Response.noContent().build();
  }

  @POST
  @Path("advance")
  @Operation(
      operationId = "advanceRollout",
      summary = "Release the previous wave's tip to the next wave by hand; clears a halt")
  @APIResponse(
      responseCode = "200",
      description = "The rollout",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = RolloutView.class)))
  @APIResponse(responseCode = "400", description = "bad-request: the image name")
  @APIResponse(responseCode = "404", description = "not-found: no such image, or no plan")
  @APIResponse(
      responseCode = "409",
      description = "nothing-to-advance: every wave has the newest tip and nothing is halted")
  public RolloutView advance(@PathParam("name") String name) {
    ImageName image = imageName(name);
    return view(image, rollouts.advance(image, ADMIN));
  }

  @POST
  @Path("halt")
  @Operation(
      operationId = "haltRollout",
      summary = "Halt the rollout: no wave advances by itself until one is advanced by hand")
  @APIResponse(
      responseCode = "200",
      description = "The rollout",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = RolloutView.class)))
  @APIResponse(responseCode = "400", description = "bad-request: the image name")
  @APIResponse(responseCode = "404", description = "not-found: no such image, or no plan")
  public RolloutView halt(@PathParam("name") String name) {
    ImageName image = imageName(name);
    return view(image, rollouts.halt(image, ADMIN));
  }

  static RolloutPlan plan(JsonObject body) {
    StrictJson.onlyKeys(body, "", "waves", "successThreshold", "errorThreshold", "autoAdvance");
    JsonArray waves =
        StrictJson.array(body, "waves")
            .orElseThrow(
                () ->
                    ProblemType.BAD_REQUEST.refuse(
                        "waves: required, an array of arrays of group names"));
    List<List<String>> groups = new ArrayList<>();
    for (int i = 0; i < waves.size(); i++) {
      groups.add(StrictJson.strings(StrictJson.arrayItem(waves, i, "waves"), "waves[" + i + "]"));
    }
    try {
      return new RolloutPlan(
          groups,
          StrictJson.fraction(body, "successThreshold").orElse(SUCCESS_THRESHOLD),
          StrictJson.fraction(body, "errorThreshold").orElse(ERROR_THRESHOLD),
          StrictJson.bool(body, "autoAdvance").orElse(true));
    } catch (IllegalArgumentException e) {
      throw ProblemType.BAD_REQUEST.refuse(e.getMessage());
    }
  }

  /** The view of an image's rollout, as REST and SOAP show it. */
  public static RolloutView view(ImageName image, Rollouts.View view) {
    Rollouts.State state = view.state();
    return new RolloutView(
        image.value(),
        state.name(),
        state.plan().successThreshold(),
        state.plan().errorThreshold(),
        state.plan().autoAdvance(),
        view.waves().stream().map(RolloutResource::wave).toList(),
        view.events().stream().map(RolloutResource::event).toList());
  }

  private static WaveView wave(Rollouts.WaveView wave) {
    Layer tip = wave.releasedTip();
    return new WaveView(
        wave.wave(),
        wave.groups(),
        wave.implicit(),
        new TipView(tip.depth(), tip.version(), tip.checksumHex(), tip.state().name()),
        text(wave.releasedAt()),
        wave.counts().terminals(),
        wave.counts().upToDate(),
        wave.counts().failed(),
        wave.complete());
  }

  private static EventView event(RolloutEvent event) {
    return new EventView(
        text(event.at()), event.kind(), event.wave(), event.actor(), event.detail());
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  private static ImageName imageName(String name) {
    return ImagesResource.validName(name);
  }
}
