package dev.voi.terminals.boundary;

import dev.voi.answers.control.Strategies;
import dev.voi.answers.entity.AnswerChange;
import dev.voi.chain.ImageName;
import dev.voi.chain.Reason;
import dev.voi.chain.Strategy;
import dev.voi.chain.rollout.GroupName;
import dev.voi.platform.Caller;
import dev.voi.platform.OpenTo;
import dev.voi.platform.Page;
import dev.voi.platform.ProblemType;
import dev.voi.platform.TerminalId;
import dev.voi.terminals.control.Registry;
import dev.voi.terminals.control.ReportParser;
import dev.voi.terminals.entity.Terminal;
import dev.voi.terminals.entity.TerminalFeedback;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * The fleet as the administrator sees it: registration, tokens, listings, histories (docs/design.md
 * §9).
 */
@Path("terminals")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class TerminalsResource {

  @Inject Registry registry;
  @Inject TerminalViews views;
  @Inject Strategies strategies;

  /** The largest registration body. */
  static final int MAX_BODY = 64 * 1024;

  @POST
  @Consumes(MediaType.WILDCARD)
  @Operation(
      operationId = "registerTerminal",
      summary = "Register a terminal: {name} gives {id, name, token}, the token shown once")
  @APIResponse(
      responseCode = "201",
      description = "Registered: the token is shown this once",
      headers =
          @Header(name = "Location", required = true, schema = @Schema(type = SchemaType.STRING)),
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = Views.Registered.class)))
  @APIResponse(responseCode = "400", description = "bad-request: the body or the name")
  @APIResponse(responseCode = "409", description = "terminal-exists")
  @APIResponse(responseCode = "413", description = "body-too-large")
  public Response register(
      @RequestBody(
              required = true,
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_JSON,
                      schema = @Schema(implementation = Views.Registration.class)))
          InputStream body)
      throws IOException {
    JsonObject registration = registration(body);
    Registry.Registered registered =
        registry.register(registrationName(registration), registrationGroup(registration));
    Terminal terminal = registered.terminal();
    return Response.created(URI.create("/api/v1/terminals/" + terminal.id()))
        .entity(
            new Views.Registered(
                terminal.id(), terminal.name(), terminal.group(), registered.token()))
        .build();
  }

  @PUT
  @Path("{id}/group")
  @Consumes(MediaType.WILDCARD)
  @Operation(
      operationId = "setTerminalGroup",
      summary = "Move the terminal to a group: its wave and windows follow, its answers too")
  @APIResponse(
      responseCode = "200",
      description = "The terminal in its new group",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = Views.TerminalView.class)))
  @APIResponse(responseCode = "400", description = "bad-request: the id or the body")
  @APIResponse(responseCode = "404", description = "not-found")
  @APIResponse(responseCode = "413", description = "body-too-large")
  public Views.TerminalView setGroup(
      @PathParam("id") String id,
      @RequestBody(
              required = true,
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_JSON,
                      schema = @Schema(implementation = Views.GroupChange.class)))
          InputStream body)
      throws IOException {
    TerminalId terminalId = Callers.adminTerminalId(id);
    JsonValue group = registration(body).get("group");
    if (!(group instanceof JsonString text)) {
      throw ProblemType.BAD_REQUEST.refuse(
          "group: required, a string; the body is {\"group\": \"…\"}");
    }
    if (registry.moveToGroup(terminalId, text.getString())) {
      strategies.redecideTerminal(terminalId, "group");
    }
    return views.terminal(terminalId);
  }

  @GET
  @Operation(
      operationId = "listTerminals",
      summary =
          "List terminals with last seen and the current strategy and reason per assigned image;"
              + " image, strategy and reason narrow it to terminals with such an image")
  @APIResponse(
      responseCode = "200",
      description = "A page of terminals",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = Views.TerminalPage.class)))
  @APIResponse(responseCode = "400", description = "bad-request: a filter, limit or cursor")
  public Page<Views.TerminalView> list(
      @QueryParam("image") String image,
      @Parameter(schema = @Schema(implementation = Strategy.class)) @QueryParam("strategy")
          String strategy,
      @Parameter(schema = @Schema(implementation = Reason.class)) @QueryParam("reason")
          String reason,
      @QueryParam("group") String group,
      @QueryParam("limit") Integer limit,
      @QueryParam("cursor") String cursor) {
    int size = Page.limit(limit);
    List<Terminal> terminals =
        registry.list(filter(image, strategy, reason, group), cursor(cursor, 0), size + 1);
    List<Views.TerminalView> items = views.terminals(terminals.stream().limit(size).toList());
    String next = terminals.size() > size ? String.valueOf(items.get(size - 1).id()) : null;
    return new Page<>(items, next);
  }

  @GET
  @Path("{id}")
  @OpenTo({Caller.ADMIN_ROLE, Caller.TERMINAL_ROLE})
  @Operation(
      operationId = "getTerminal",
      summary = "One terminal with its assigned images and current answers")
  @APIResponse(
      responseCode = "200",
      description = "The terminal",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = Views.TerminalView.class)))
  @APIResponse(responseCode = "400", description = "bad-request: the id")
  @APIResponse(responseCode = "403", description = "forbidden: a terminal reading another terminal")
  @APIResponse(responseCode = "404", description = "not-found")
  public Views.TerminalView get(@PathParam("id") String id, @Context SecurityContext security) {
    return views.terminal(Callers.terminalId(security, id));
  }

  @DELETE
  @Path("{id}")
  @Operation(
      operationId = "deleteTerminal",
      summary = "Remove the terminal; its token stops working at once")
  @APIResponse(responseCode = "204", description = "Removed")
  @APIResponse(responseCode = "400", description = "bad-request: the id")
  @APIResponse(responseCode = "404", description = "not-found")
  public Response delete(@PathParam("id") String id) {
    registry.delete(Callers.adminTerminalId(id));
    return Response.noContent().build();
  }

  @POST
  @Path("{id}/token")
  @Operation(
      operationId = "rotateTerminalToken",
      summary = "Rotate the terminal's token: the new one is shown once, the old one stops")
  @APIResponse(
      responseCode = "200",
      description = "The new token, shown this once",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = Views.NewToken.class)))
  @APIResponse(responseCode = "400", description = "bad-request: the id")
  @APIResponse(responseCode = "404", description = "not-found")
  public Views.NewToken rotateToken(@PathParam("id") String id) {
    return new Views.NewToken(registry.rotateToken(Callers.adminTerminalId(id)));
  }

  @GET
  @Path("{id}/history")
  @Operation(
      operationId = "getTerminalHistory",
      summary =
          "Every change of the terminal's answers, newest first: what it became, why, and what"
              + " triggered it (report, publish, retire, policy, quarantine, audit, lineage)")
  @APIResponse(
      responseCode = "200",
      description = "A page of answer changes, newest first",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = Views.ChangePage.class)))
  @APIResponse(responseCode = "400", description = "bad-request: the id, image, limit or cursor")
  @APIResponse(responseCode = "404", description = "not-found")
  public Page<Views.Change> history(
      @PathParam("id") String id,
      @QueryParam("image") String image,
      @QueryParam("limit") Integer limit,
      @QueryParam("cursor") String cursor) {
    return newestFirst(
        id,
        image,
        limit,
        cursor,
        registry::history,
        (row, name) -> Views.Change.of((AnswerChange) row, name));
  }

  @GET
  @Path("{id}/feedback")
  @Operation(
      operationId = "listTerminalFeedback",
      summary = "The terminal's feedback, newest first")
  @APIResponse(
      responseCode = "200",
      description = "A page of feedback messages, newest first",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = Views.FeedbackPage.class)))
  @APIResponse(responseCode = "400", description = "bad-request: the id, image, limit or cursor")
  @APIResponse(responseCode = "404", description = "not-found")
  public Page<Views.FeedbackView> feedback(
      @PathParam("id") String id,
      @QueryParam("image") String image,
      @QueryParam("limit") Integer limit,
      @QueryParam("cursor") String cursor) {
    return newestFirst(
        id,
        image,
        limit,
        cursor,
        registry::feedback,
        (row, name) -> Views.FeedbackView.of((TerminalFeedback) row, name));
  }

  /** Reads rows of (entity, image name), newest first. */
  interface RowSource {
    List<Object[]> read(TerminalId terminalId, ImageName image, long before, int limit);
  }

  private <T> Page<T> newestFirst(
      String id,
      String image,
      Integer limit,
      String cursor,
      RowSource source,
      BiFunction<Object, String, T> view) {
    TerminalId terminalId = Callers.adminTerminalId(id);
    registry.require(terminalId);
    int size = Page.limit(limit);
    ImageName imageName = image == null ? null : Callers.imageName(image);
    List<Object[]> rows =
        source.read(terminalId, imageName, cursor(cursor, Long.MAX_VALUE), size + 1);
    List<T> items =
        rows.stream().limit(size).map(row -> view.apply(row[0], (String) row[1])).toList();
    String next = null;
    if (rows.size() > size) {
      Object last = rows.get(size - 1)[0];
      next =
          String.valueOf(
              last instanceof AnswerChange change ? change.id() : ((TerminalFeedback) last).id());
    }
    return new Page<>(items, next);
  }

  /** The terminal list's filters as both protocols receive them, checked once for both. */
  public static Registry.Filter filter(String image, String strategy, String reason, String group) {
    if (group != null && !GroupName.isValid(group)) {
      throw ProblemType.BAD_REQUEST.refuse(
          "group: 1-128 characters of A-Z a-z 0-9 . _ - and not starting with '.'");
    }
    return new Registry.Filter(
        image == null ? null : Callers.imageName(image),
        parse(Strategy.class, "strategy", strategy),
        parse(Reason.class, "reason", reason),
        group);
  }

  /** A small JSON object body (a registration or a group change). */
  private static JsonObject registration(InputStream body) throws IOException {
    JsonValue value;
    try {
      value = ReportParser.readJson(ReportParser.readCapped(body, MAX_BODY));
    } catch (ReportParser.TooLarge e) {
      throw ProblemType.BODY_TOO_LARGE.refuse(e.getMessage());
    } catch (IllegalArgumentException e) {
      throw ProblemType.BAD_REQUEST.refuse(e.getMessage());
    }
    if (!(value instanceof JsonObject object)) {
      throw ProblemType.BAD_REQUEST.refuse("the body is a JSON object");
    }
    return object;
  }

  /** The name in a registration body {@code {"name": "…", "group": "…"}}. */
  private static String registrationName(JsonObject registration) {
    JsonValue name = registration.get("name");
    if (!(name instanceof JsonString text)) {
      throw ProblemType.BAD_REQUEST.refuse(
          "name: required, a string; the body is {\"name\": \"…\"}");
    }
    return text.getString();
  }

  /** The group in a registration body; {@code default} when absent or null. */
  private static String registrationGroup(JsonObject registration) {
    JsonValue group = registration.get("group");
    if (group == null || group.getValueType() == JsonValue.ValueType.NULL) {
      return GroupName.DEFAULT;
    }
    if (!(group instanceof JsonString text)) {
      throw ProblemType.BAD_REQUEST.refuse("group: expected a string");
    }
    return text.getString();
  }

  public static long cursor(String cursor, long none) {
    if (cursor == null || cursor.isEmpty()) {
      return none;
    }
    try {
      return Long.parseLong(cursor);
    } catch (NumberFormatException e) {
      throw ProblemType.BAD_REQUEST.refuse("cursor: not a cursor this list gave out");
    }
  }

  public static <E extends Enum<E>> E parse(Class<E> type, String field, String value) {
    if (value == null) {
      return null;
    }
    try {
      return Enum.valueOf(type, value);
    } catch (IllegalArgumentException e) {
      throw ProblemType.BAD_REQUEST.refuse(
          field
              + ": expected one of "
              + Arrays.toString(type.getEnumConstants())
              + ", got "
              + value);
    }
  }
}
