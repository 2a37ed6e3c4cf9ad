package dev.voi.groups.boundary;

import dev.voi.chain.rollout.GroupName;
import dev.voi.chain.rollout.MaintenanceWindows;
import dev.voi.groups.control.Groups;
import dev.voi.platform.Page;
import dev.voi.platform.ProblemType;
import dev.voi.platform.StrictJson;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Groups of terminals and their maintenance windows (admin; docs/design.md §11). */
@Path("groups")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class GroupsResource {

  static final int MAX_BODY = 64 * 1024;

  @Inject Groups groups;

  /** One maintenance window as the API shows it. */
  @JsonbPropertyOrder({"days", "from", "to"})
  @Schema(
      name = "MaintenanceWindow",
      requiredProperties = {"days", "from", "to"})
  public record WindowView(List<String> days, String from, String to) {}

  /** A group as the API shows it. */
  @JsonbPropertyOrder({"name", "terminals", "zone", "windows", "openNow", "nextChange"})
  @Schema(
      name = "Group",
      requiredProperties = {"name", "terminals", "zone", "windows", "openNow", "nextChange"})
  public record GroupView(
      String name,
      long terminals,
      @Schema(nullable = true) String zone,
      List<WindowView> windows,
      boolean openNow,
      @Schema(nullable = true) String nextChange) {}

  /** A page of groups (all of them: groups are few). */
  @Schema(
      name = "GroupPage",
      requiredProperties = {"items", "next"})
  public record GroupPage(List<GroupView> items, @Schema(nullable = true) String next) {}

  /** The body of a window change, as documented; read strictly. */
  @Schema(name = "GroupWindows", requiredProperties = "windows")
  public record GroupWindows(
      @Schema(description = "An IANA time zone, UTC when absent", nullable = true) String zone,
      List<WindowView> windows) {}

  @jakarta.inject.Inject java.time.Clock clock;

  @GET
  @Operation(
      operationId = "listGroups",
      summary = "Every group in use or configured, with its terminal count and windows")
  @APIResponse(
      responseCode = "200",
      description = "The groups",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = GroupPage.class)))
  public Page<GroupView> list() {
    return new Page<>(groups.list().stream().map(this::view).toList(), null);
  }

  @GET
  @Path("{group}")
  @Operation(operationId = "getGroup", summary = "One group, in use or configured")
  @APIResponse(
      responseCode = "200",
      description = "The group",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = GroupView.class)))
  @APIResponse(responseCode = "400", description = "bad-request: the group name")
  @APIResponse(responseCode = "404", description = "not-found")
  public GroupView get(@PathParam("group") String group) {
    return groups
        .get(validName(group))
        .map(this::view)
        .orElseThrow(
            () ->
                ProblemType.NOT_FOUND.refuse(
                    "no terminal is in group " + group + " and it has" + " no windows"));
  }

  @PUT
  @Path("{group}")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "setGroupWindows",
      summary =
          "Set a group's time zone and maintenance windows (none: always open); its terminals are"
              + " decided again")
  @APIResponse(
      responseCode = "200",
      description = "The group with its windows",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = GroupView.class)))
  @APIResponse(responseCode = "400", description = "bad-request: the name or the body")
  @APIResponse(responseCode = "413", description = "body-too-large")
  @APIResponse(responseCode = "415", description = "the body is not application/json")
  public GroupView put(
      @PathParam("group") String group,
      @RequestBody(
              required = true,
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_JSON,
                      schema = @Schema(implementation = GroupWindows.class)))
          InputStream body) {
    String name = validName(group);
    JsonObject config = StrictJson.readObject(body, MAX_BODY);
    StrictJson.onlyKeys(config, "", "zone", "windows");
    MaintenanceWindows windows;
    try {
      java.time.ZoneId zone =
          MaintenanceWindows.zone(StrictJson.string(config, "zone").orElse("UTC"));
      JsonArray array =
          StrictJson.array(config, "windows")
              .orElseThrow(
                  () ->
                      ProblemType.BAD_REQUEST.refuse(
                          "windows: required, an array (empty: always open)"));
      List<MaintenanceWindows.Window> parsed = new ArrayList<>();
      for (int i = 0; i < array.size(); i++) {
        String where = "windows[" + i + "]";
        JsonObject window = StrictJson.objectItem(array, i, "windows");
        StrictJson.onlyKeys(window, where + ": ", "days", "from", "to");
        List<String> days =
            StrictJson.strings(
                StrictJson.array(window, "days").orElseThrow(() -> missing(where + ".days")),
                where + ".days");
        parsed.add(
            MaintenanceWindows.window(
                days,
                StrictJson.string(window, "from").orElseThrow(() -> missing(where + ".from")),
                StrictJson.string(window, "to").orElseThrow(() -> missing(where + ".to")),
                where));
      }
      windows = new MaintenanceWindows(zone, parsed);
    } catch (IllegalArgumentException e) {
      throw ProblemType.BAD_REQUEST.refuse(e.getMessage());
    }
    return view(groups.configure(name, windows));
  }

  private GroupView view(Groups.Group group) {
    MaintenanceWindows windows = group.windows();
    java.time.Instant now = clock.instant();
    return new GroupView(
        group.name(),
        group.terminals(),
        windows.zone() == null ? null : windows.zone().getId(),
        windows.windows().stream()
            .map(
                w ->
                    new WindowView(
                        w.days().stream().sorted().map(Groups::dayName).toList(),
                        w.from().toString(),
                        w.to().toString()))
            .toList(),
        windows.isOpen(now),
        windows.nextChange(now).map(Object::toString).orElse(null));
  }

  private static RuntimeException missing(String field) {
    return ProblemType.BAD_REQUEST.refuse(field + ": required");
  }

  static String validName(String group) {
    if (!GroupName.isValid(group)) {
      throw ProblemType.BAD_REQUEST.refuse(
          "a group name is 1-128 characters of A-Z a-z 0-9 . _ - and does not start with '.'");
    }
    return group;
  }
}
