package dev.voi.terminals.boundary;

import dev.voi.answers.control.AnswerJson;
import dev.voi.answers.control.AnswerJson.Representation;
import dev.voi.answers.control.Assignments.AssignmentRef;
import dev.voi.answers.control.Strategies;
import dev.voi.chain.ChainNode;
import dev.voi.chain.ImageName;
import dev.voi.metrics.control.Meters;
import dev.voi.metrics.control.Meters.PollResult;
import dev.voi.platform.Caller;
import dev.voi.platform.OpenTo;
import dev.voi.platform.ProblemType;
import dev.voi.platform.Refused;
import dev.voi.platform.TerminalId;
import dev.voi.rollouts.control.RolloutProgress;
import dev.voi.terminals.control.FeedbackReport;
import dev.voi.terminals.control.Registry;
import dev.voi.terminals.control.ReportParser;
import dev.voi.terminals.entity.TerminalFeedback;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * One image of one terminal: its assignment (admin), and the terminal's checksum-list reports,
 * strategy polls and feedback (that terminal only; docs/design.md §6 and 9).
 */
@Path("terminals/{id}/images/{name}")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class TerminalImagesResource {

  /** Answers are current until the next poll says otherwise: revalidate every time. */
  static final String CACHE_CONTROL = "private, no-cache";

  @Inject Strategies strategies;
  @Inject Registry registry;
  @Inject TerminalViews views;
  @Inject RolloutProgress progress;
  @Inject Meters meters;

  @PUT
  @Operation(
      operationId = "assignImage",
      summary = "Assign the image to the terminal (201 when new, 200 when it was already)")
  @APIResponse(
      responseCode = "200",
      description = "It was assigned already: the terminal",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = Views.TerminalView.class)))
  @APIResponse(
      responseCode = "201",
      description = "Assigned: the terminal",
      headers =
          @Header(name = "Location", required = true, schema = @Schema(type = SchemaType.STRING)),
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = Views.TerminalView.class)))
  @APIResponse(responseCode = "400", description = "bad-request: the id or the name")
  @APIResponse(responseCode = "404", description = "not-found: no such terminal or image")
  public Response assign(@PathParam("id") String id, @PathParam("name") String name) {
    TerminalId terminalId = Callers.adminTerminalId(id);
    boolean created = registry.assign(terminalId, Callers.imageName(name));
    Views.TerminalView view = views.terminal(terminalId);
    if (created) {
      return Response.created(URI.create("/api/v1/terminals/" + terminalId + "/images/" + name))
          .entity(view)
          .build();
    }
    return Response.ok(view).build();
  }

  @DELETE
  @Operation(
      operationId = "unassignImage",
      summary = "Unassign the image; its reported list and answer go, the history stays")
  @APIResponse(responseCode = "204", description = "Unassigned")
  @APIResponse(responseCode = "400", description = "bad-request: the id or the name")
  @APIResponse(responseCode = "404", description = "not-found: not assigned")
  public Response unassign(@PathParam("id") String id, @PathParam("name") String name) {
    TerminalId terminalId = Callers.adminTerminalId(id);
    if (!registry.unassign(terminalId, Callers.imageName(name))) {
      throw ProblemType.NOT_FOUND.refuse("image " + name + " is not assigned to " + terminalId);
    }
    return Response.noContent().build();
  }

  @PUT
  @Path("chain")
  @OpenTo(Caller.TERMINAL_ROLE)
  @Consumes(MediaType.WILDCARD)
  @Operation(
      operationId = "reportChain",
      summary = "Report the terminal's checksum list {nodes:[{head, tail}…]}; the answer")
  @APIResponse(
      responseCode = "200",
      description = "The strategy answer for the reported list",
      headers = {
        @Header(name = "ETag", required = true),
        @Header(name = "Cache-Control", required = true)
      },
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = Views.StrategyAnswerBody.class)))
  @APIResponse(responseCode = "400", description = "bad-request: the id, the name or the body")
  @APIResponse(
      responseCode = "403",
      description = "forbidden: another terminal's image, or the image is not assigned")
  @APIResponse(responseCode = "404", description = "not-found")
  @APIResponse(responseCode = "413", description = "body-too-large")
  public Response report(
      @PathParam("id") String id,
      @PathParam("name") String name,
      @HeaderParam(HttpHeaders.CONTENT_LENGTH) String contentLength,
      @RequestBody(
              required = true,
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_JSON,
                      schema = @Schema(implementation = Views.ChainReport.class)))
          InputStream body,
      @Context SecurityContext security)
      throws IOException {
    TerminalId terminalId = Callers.terminalId(security, id);
    ImageName image = Callers.imageName(name);
    strategies.requireAssigned(terminalId, image);
    List<ChainNode> nodes = parse(readReport(contentLength, body));
    Representation answer = strategies.report(terminalId, image, nodes);
    meters.report(answer.strategy(), answer.reason());
    return answer(answer);
  }

  @GET
  @Path("strategy")
  @OpenTo(Caller.TERMINAL_ROLE)
  @Operation(
      operationId = "getStrategy",
      summary = "The current answer for the last reported list; If-None-Match gives 304")
  @APIResponse(
      responseCode = "200",
      description = "The strategy answer",
      headers = {
        @Header(name = "ETag", required = true),
        @Header(name = "Cache-Control", required = true)
      },
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = Views.StrategyAnswerBody.class)))
  @APIResponse(
      responseCode = "304",
      description = "If-None-Match matched: the answer is unchanged",
      headers = @Header(name = "ETag", required = true))
  @APIResponse(responseCode = "400", description = "bad-request: the id or the name")
  @APIResponse(
      responseCode = "403",
      description = "forbidden: another terminal's image, or the image is not assigned")
  @APIResponse(
      responseCode = "404",
      description = "no-report: no checksum list reported yet; not-found")
  public Response strategy(
      @PathParam("id") String id,
      @PathParam("name") String name,
      @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch,
      @Context SecurityContext security) {
    TerminalId terminalId = Callers.terminalId(security, id);
    // The hot path: the current answer is known in memory, so the database is not asked.
    Representation known = strategies.known(terminalId, name);
    if (known != null) {
      return polled(ifNoneMatch, known);
    }
    Representation current =
        strategies
            .current(terminalId, Callers.imageName(name))
            .orElseThrow(
                () ->
                    ProblemType.NO_REPORT.refuse(
                        "report the terminal's checksum list for "
                            + name
                            + " first: PUT /api/v1/terminals/"
                            + terminalId
                            + "/images/"
                            + name
                            + "/chain"));
    return polled(ifNoneMatch, current);
  }

  /** 304 when {@code If-None-Match} names the answer, else the answer; counted either way. */
  private Response polled(String ifNoneMatch, Representation answer) {
    if (AnswerJson.matches(ifNoneMatch, answer.etag())) {
      meters.poll(PollResult.NOT_MODIFIED, answer.strategy(), answer.reason());
      return notModified(answer.etag());
    }
    meters.poll(PollResult.OK, answer.strategy(), answer.reason());
    return answer(answer);
  }

  @POST
  @Path("feedback")
  @OpenTo(Caller.TERMINAL_ROLE)
  @Consumes(MediaType.WILDCARD)
  @Operation(
      operationId = "sendFeedback",
      summary = "Say how applying the answer goes: DOWNLOADING, APPLYING, DONE, FAILED")
  @APIResponse(responseCode = "202", description = "Accepted")
  @APIResponse(responseCode = "400", description = "bad-request: the id, the name or the body")
  @APIResponse(
      responseCode = "403",
      description = "forbidden: another terminal's image, or the image is not assigned")
  @APIResponse(responseCode = "404", description = "not-found")
  @APIResponse(responseCode = "413", description = "body-too-large")
  public Response feedback(
      @PathParam("id") String id,
      @PathParam("name") String name,
      @RequestBody(
              required = true,
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_JSON,
                      schema = @Schema(implementation = Views.Feedback.class)))
          InputStream body,
      @Context SecurityContext security)
      throws IOException {
    TerminalId terminalId = Callers.terminalId(security, id);
    AssignmentRef assignment = strategies.requireAssigned(terminalId, Callers.imageName(name));
    FeedbackReport report;
    try {
      report = FeedbackReport.parse(ReportParser.readCapped(body, FeedbackReport.MAX_BODY));
    } catch (ReportParser.TooLarge e) {
      throw tooLarge(e);
    } catch (IllegalArgumentException e) {
      throw ProblemType.BAD_REQUEST.refuse(e.getMessage());
    }
    registry.addFeedback(
        terminalId, assignment.imageId(), report.state(), report.progress(), report.detail());
    meters.feedback(report.state().name());
    if (report.state() == TerminalFeedback.State.FAILED) {
      progress.nudge(Callers.imageName(name)); // a rollout's error threshold may be exceeded now
    }
    return Response.accepted().build();
  }

  private static byte[] readReport(String contentLength, InputStream body) throws IOException {
    if (contentLength != null) {
      try {
        if (Long.parseLong(contentLength.trim()) > ReportParser.MAX_BODY) {
          throw tooLarge(new ReportParser.TooLarge(ReportParser.MAX_BODY));
        }
      } catch (NumberFormatException e) {
        throw ProblemType.BAD_REQUEST.refuse("Content-Length is not a number");
      }
    }
    try {
      return ReportParser.readCapped(body, ReportParser.MAX_BODY);
    } catch (ReportParser.TooLarge e) {
      throw tooLarge(e);
    }
  }

  private static List<ChainNode> parse(byte[] body) {
    try {
      return ReportParser.parse(body);
    } catch (IllegalArgumentException e) {
      throw ProblemType.BAD_REQUEST.refuse(e.getMessage());
    }
  }

  private static Response answer(Representation answer) {
    return Response.ok(answer.body(), MediaType.APPLICATION_JSON_TYPE)
        .header(HttpHeaders.ETAG, answer.etag())
        .header(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL)
        .build();
  }

  private static Response notModified(String etag) {
    return Response.notModified()
        .header(HttpHeaders.ETAG, etag)
        .header(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL)
        .build();
  }

  private static Refused tooLarge(ReportParser.TooLarge e) {
    return ProblemType.BODY_TOO_LARGE.refuse(e.getMessage());
  }
}
