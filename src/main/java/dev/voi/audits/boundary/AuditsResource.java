package dev.voi.audits.boundary;

import dev.voi.audits.control.AuditLease;
import dev.voi.audits.control.AuditRuns;
import dev.voi.audits.control.Auditor;
import dev.voi.audits.entity.AuditRun;
import dev.voi.audits.entity.AuditTrigger;
import dev.voi.platform.Page;
import dev.voi.platform.ProblemType;
import dev.voi.platform.Refused;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Audits (docs/design.md §7, admin): start one now, list the runs, read one run's report. Every
 * answer is JSON, or XML (through MOXy) for {@code Accept: application/xml}.
 */
@Path("audits")
@ApplicationScoped
@Produces({AuditsResource.JSON, AuditsResource.XML})
public class AuditsResource {

  static final String JSON = "application/json;qs=1";
  static final String XML = "application/xml;qs=0.9";

  @Inject Auditor auditor;
  @Inject AuditRuns runs;

  @POST
  @Transactional
  @Operation(
      operationId = "startAudit",
      summary =
          "Start an audit now: 202 with the run's Location, or 409 with the running one's"
              + " Location")
  @APIResponse(
      responseCode = "202",
      description = "Started: the run, Location is its URL",
      headers =
          @Header(name = "Location", required = true, schema = @Schema(type = SchemaType.STRING)),
      content = {
        @Content(
            mediaType = "application/json",
            schema = @Schema(implementation = AuditView.class)),
        @Content(mediaType = "application/xml", schema = @Schema(implementation = AuditView.class))
      })
  @APIResponse(
      responseCode = "409",
      description = "audit-running: Location is the running audit's URL",
      headers = @Header(name = "Location", schema = @Schema(type = SchemaType.STRING)))
  public Response start(@Context UriInfo uriInfo) {
    AuditLease.Start start = auditor.start(AuditTrigger.API);
    if (start instanceof AuditLease.Started started) {
      AuditView body = runs.find(started.runId()).map(AuditView::of).orElse(null);
      return Response.accepted(body).location(location(uriInfo, started.runId())).build();
    }
    AuditLease.Holding holding = ((AuditLease.Busy) start).holding();
    throw running(uriInfo, holding);
  }

  @GET
  @Transactional
  @Operation(operationId = "listAudits", summary = "The audit runs, newest first")
  @APIResponse(
      responseCode = "200",
      description = "A page of audit runs",
      content = {
        @Content(
            mediaType = "application/json",
            schema = @Schema(implementation = AuditPageView.class)),
        @Content(
            mediaType = "application/xml",
            schema = @Schema(implementation = AuditPageView.class))
      })
  @APIResponse(responseCode = "400", description = "bad-request: limit or cursor")
  public AuditPageView list(
      @QueryParam("limit") Integer limit, @QueryParam("cursor") String cursor) {
    int size = Page.limit(limit);
    List<AuditRun> page = runs.newestFirst(cursor(cursor), size + 1);
    List<AuditSummaryView> items = page.stream().limit(size).map(AuditSummaryView::of).toList();
    String next = page.size() > size ? Long.toString(items.get(size - 1).getId()) : null;
    return new AuditPageView(items, next);
  }

  @GET
  @Path("{id}")
  @Transactional
  @Operation(
      operationId = "getAudit",
      summary = "One audit run with its counts, findings, changes and stale terminals")
  @APIResponse(
      responseCode = "200",
      description = "The audit run",
      content = {
        @Content(
            mediaType = "application/json",
            schema = @Schema(implementation = AuditView.class)),
        @Content(mediaType = "application/xml", schema = @Schema(implementation = AuditView.class))
      })
  @APIResponse(responseCode = "400", description = "bad-request: the id")
  @APIResponse(responseCode = "404", description = "not-found")
  public AuditView get(@PathParam("id") String id) {
    long runId = runId(id);
    return runs.find(runId)
        .map(AuditView::of)
        .orElseThrow(() -> ProblemType.NOT_FOUND.refuse("no audit run " + id));
  }

  private static Refused running(UriInfo uriInfo, AuditLease.Holding holding) {
    if (holding.runId() == null) {
      return ProblemType.AUDIT_RUNNING.refuse(
          "another audit took the audit lease and let it go while this request looked; try again");
    }
    return ProblemType.AUDIT_RUNNING
        .refuse(
            "audit run "
                + holding.runId()
                + " holds the audit lease ("
                + holding.holder()
                + ", until "
                + holding.expiresAt()
                + "); nothing was started")
        .related(location(uriInfo, holding.runId()));
  }

  private static URI location(UriInfo uriInfo, long runId) {
    return uriInfo.getBaseUriBuilder().path("audits").path(Long.toString(runId)).build();
  }

  public static Long cursor(String cursor) {
    return cursor == null || cursor.isEmpty() ? null : runId(cursor);
  }

  public static long runId(String text) {
    try {
      long id = Long.parseLong(text);
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ProblemType.BAD_REQUEST.refuse("an audit run id is a positive whole number, got " + text);
  }
}
