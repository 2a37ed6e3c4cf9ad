package dev.voi.server.boundary;

import dev.voi.platform.AdjustableClock;
import dev.voi.platform.Caller;
import dev.voi.platform.Environment;
import dev.voi.platform.OpenTo;
import dev.voi.platform.ProblemType;
import dev.voi.platform.StrictJson;
import dev.voi.server.control.ServerIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Properties;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Who this server is. */
@Path("server")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@OpenTo(Caller.ADMIN_ROLE)
public class ServerResource {

  /** The server's identity and the build's version. */
  @Schema(
      name = "ServerInfo",
      requiredProperties = {"serverUuid", "version"})
  public record ServerInfo(@Schema(format = "uuid") String serverUuid, String version) {}

  private static final String VERSION = readVersion();

  @Inject ServerIdentity identity;
  @Inject Environment environment;

  /** The server's clock (only where {@code voi.clock.adjustable} is set). */
  @Schema(name = "ServerClock", requiredProperties = "now")
  public record ServerClock(@Schema(format = "date-time") String now) {}

  @PUT
  @Path("clock")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "setServerClock",
      summary =
          "Tests only (voi.clock.adjustable): move the server's clock to {now}; it runs on from"
              + " there")
  @APIResponse(
      responseCode = "200",
      description = "The clock's new reading",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = ServerClock.class)))
  @APIResponse(responseCode = "400", description = "bad-request: the body")
  @APIResponse(responseCode = "404", description = "not-found: the clock is not adjustable here")
  public ServerClock setClock(
      @RequestBody(
              required = true,
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_JSON,
                      schema = @Schema(implementation = ServerClock.class)))
          InputStream body) {
    AdjustableClock clock =
        environment
            .adjustable()
            .orElseThrow(
                () ->
                    ProblemType.NOT_FOUND.refuse(
                        "the clock is not adjustable (voi.clock.adjustable is false)"));
    JsonObject request = StrictJson.readObject(body, 4096);
    String now =
        StrictJson.string(request, "now")
            .orElseThrow(
                () -> ProblemType.BAD_REQUEST.refuse("now: required, an ISO-8601 instant"));
    try {
      clock.set(Instant.parse(now));
    } catch (DateTimeParseException e) {
      throw ProblemType.BAD_REQUEST.refuse("now: not an ISO-8601 instant: " + e.getParsedString());
    }
    return new ServerClock(clock.instant().toString());
  }

  @GET
  @Operation(
      operationId = "getServer",
      summary = "The server UUID (created at the first start, never changed) and version")
  @APIResponse(
      responseCode = "200",
      description = "The server's identity",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = ServerInfo.class)))
  public ServerInfo get() {
    return new ServerInfo(identity.serverUuid().toString(), VERSION);
  }

  /** The build's version. */
  public static String version() {
    return VERSION;
  }

  private static String readVersion() {
    try (InputStream in = ServerResource.class.getResourceAsStream("/voi-build.properties")) {
      Properties properties = new Properties();
      if (in != null) {
        properties.load(in);
      }
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
