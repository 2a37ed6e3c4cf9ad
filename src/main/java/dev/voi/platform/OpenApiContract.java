package dev.voi.platform;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.servers.Server;

/**
 * Completes the OpenAPI document the annotations give (mp.openapi.filter): every error response is
 * an {@code application/problem+json} {@link Problem}, every {@code /api/v1} operation can answer
 * 401 and 403, the generated {@code default} response goes where real ones are documented, server
 * URLs lose their trailing slash, and Payara's top-level {@code endpoints} member (not OpenAPI) is
 * emptied so that it is not written.
 */
public class OpenApiContract implements OASFilter {

  private static final Logger LOG = Logger.getLogger(OpenApiContract.class.getName());

  static final String PROBLEM = "Problem";

  @Override
  public void filterOpenAPI(OpenAPI openAPI) {
    if (openAPI.getServers() != null) {
      for (Server server : openAPI.getServers()) {
        String url = server.getUrl();
        if (url != null && url.length() > 1 && url.endsWith("/")) {
          server.setUrl(url.substring(0, url.length() - 1));
        }
      }
    }
    Components components = openAPI.getComponents();
    if (components == null) {
      components = OASFactory.createComponents();
      openAPI.setComponents(components);
    }
    components.addSchema(PROBLEM, problemSchema());
    if (openAPI.getPaths() != null && openAPI.getPaths().getPathItems() != null) {
      openAPI
          .getPaths()
          .getPathItems()
          .forEach(
              (path, item) -> {
                for (Map.Entry<PathItem.HttpMethod, Operation> entry :
                    item.getOperations().entrySet()) {
                  complete(path, entry.getValue());
                }
              });
    }
    dropEndpoints(openAPI);
  }

  private static void complete(String path, Operation operation) {
    APIResponses responses = operation.getResponses();
    if (responses == null) {
      responses = OASFactory.createAPIResponses();
      operation.setResponses(responses);
    }
    if (path.startsWith("/api/v1/")) {
      addIfMissing(responses, "401", "No token, or a token the server does not know");
      addIfMissing(
          responses, "403", "The token is valid but not for this resource (admin or terminal)");
    }
    Map<String, APIResponse> all = responses.getAPIResponses();
    if (all != null && all.size() > 1 && all.containsKey(APIResponses.DEFAULT)) {
      responses.removeAPIResponse(APIResponses.DEFAULT);
    }
    if (responses.getAPIResponses() == null) {
      return;
    }
    for (Map.Entry<String, APIResponse> entry : responses.getAPIResponses().entrySet()) {
      String code = entry.getKey();
      APIResponse response = entry.getValue();
      if ((code.startsWith("4") || code.startsWith("5"))
          && (response.getContent() == null
              || response.getContent().getMediaTypes() == null
              || response.getContent().getMediaTypes().isEmpty())) {
        response.setContent(problemContent());
      }
    }
  }

  private static void addIfMissing(APIResponses responses, String code, String description) {
    if (responses.getAPIResponses() == null || !responses.hasAPIResponse(code)) {
      responses.addAPIResponse(code, OASFactory.createAPIResponse().description(description));
    }
  }

  private static Content problemContent() {
    return OASFactory.createContent()
        .addMediaType(
            Problem.MEDIA_TYPE,
            OASFactory.createMediaType()
                .schema(OASFactory.createSchema().ref("#/components/schemas/" + PROBLEM)));
  }

  private static Schema problemSchema() {
    Schema text = OASFactory.createSchema().type(Schema.SchemaType.STRING);
    return OASFactory.createSchema()
        .type(Schema.SchemaType.OBJECT)
        .description("An RFC 9457 problem detail, the body of every error answer")
        .required(List.of("type", "title", "status"))
        .addProperty(
            "type",
            OASFactory.createSchema()
                .type(Schema.SchemaType.STRING)
                .format("uri")
                .description("urn:voi-update:problem:<slug>, e.g. stale-or-wrong-parent"))
        .addProperty("title", text)
        .addProperty(
            "status",
            OASFactory.createSchema()
                .type(Schema.SchemaType.INTEGER)
                .format("int32")
                .description("The HTTP status of the answer"))
        .addProperty("detail", OASFactory.createSchema().type(Schema.SchemaType.STRING))
        .addProperty(
            "instance",
            OASFactory.createSchema()
                .type(Schema.SchemaType.STRING)
                .description("The path of the refused request"))
        .addProperty(
            "errorId",
            OASFactory.createSchema()
                .type(Schema.SchemaType.STRING)
                .description("Names the log entry of an unexpected failure (5xx)"));
  }

  /**
   * Payara writes the URLs of each application under a top-level {@code endpoints} member, which
   * OpenAPI 3 does not define (linters and parsers report it). Its model class has a public setter;
   * an empty map is not written. Other implementations have no such member: nothing to do.
   */
  private static void dropEndpoints(OpenAPI openAPI) {
    try {
      Method setter = openAPI.getClass().getMethod("setEndpoints", Map.class);
      setter.invoke(openAPI, new TreeMap<String, Object>());
    } catch (NoSuchMethodException e) {
      // not Payara's model: no endpoints member
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.log(Level.FINE, "could not empty the endpoints member of the OpenAPI document", e);
    }
  }
}
