package dev.voi.platform;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/** The HTTP API, version 1. */
@ApplicationPath("/api/v1")
@OpenAPIDefinition(
    info =
        @Info(
            title = "voi-update",
            version = "1",
            description =
                "Keeps the qcow2 images of a VOI terminal fleet up to date by checksum chains."),
    security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(
    securitySchemeName = "bearer",
    type = SecuritySchemeType.HTTP,
    scheme = "bearer",
    description = "The admin token, or a terminal's token")
public class VoiApplication extends Application {

  @Override
  public Map<String, Object> getProperties() {
    // No WADL: the OpenAPI document at /openapi describes the API.
    return Map.of("jersey.config.server.wadl.disableWadl", true);
  }
}
