package dev.voi.server.boundary;

import dev.voi.platform.Caller;
import dev.voi.platform.OpenTo;
import dev.voi.server.control.ServerIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
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
