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
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.RequestBody;
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

  /**
   * The JSON bodies that resources read from an {@code InputStream} themselves (strictly): Payara
   * documents such a parameter as a bare object whatever its {@code @RequestBody} schema says, so
   * the schema named here replaces it. PlatformIT fails when a JSON body is left without one.
   */
  private static final Map<String, String> READ_BODIES =
      Map.of(
          "registerTerminal", "Registration",
          "reportChain", "ChainReport",
          "sendFeedback", "Feedback",
          "setImagePolicy", "PolicyChange",
          "setTerminalGroup", "GroupChange",
          "setGroupWindows", "GroupWindows",
          "setRollout", "RolloutPlan",
          "setServerClock", "ServerClock");

  /**
   * Payara writes every annotation default into the schemas it builds from {@code @Schema}: {@code
   * maxProperties: 0} (which would forbid every property), {@code minLength: 0}, {@code nullable:
   * false} and the like. They say nothing or something false; they go.
   */
  /**
   * Answers that Payara documents as a bare object whatever their {@code @APIResponse} schema says
   * (operations returning a {@code Response} built by hand); PlatformIT fails on any other.
   */
  private static final Map<String, String> ANSWERS_OF_READ_BODIES =
      Map.of(
          "registerTerminal 201", "RegisteredTerminal",
          "reportChain 200", "StrategyAnswer",
          "getStrategy 200", "StrategyAnswer",
          "assignImage 200", "Terminal",
          "assignImage 201", "Terminal");

  @Override
  public Schema filterSchema(Schema schema) {
    if (Integer.valueOf(0).equals(schema.getMaxProperties())) {
      schema.setMaxProperties(null);
    }
    if (Integer.valueOf(0).equals(schema.getMinProperties())) {
      schema.setMinProperties(null);
    }
    if (Integer.valueOf(0).equals(schema.getMinLength())) {
      schema.setMinLength(null);
    }
    if (Boolean.FALSE.equals(schema.getUniqueItems())) {
      schema.setUniqueItems(null);
    }
    if (Boolean.FALSE.equals(schema.getExclusiveMaximum())) {
      schema.setExclusiveMaximum(null);
    }
    if (Boolean.FALSE.equals(schema.getExclusiveMinimum())) {
      schema.setExclusiveMinimum(null);
    }
    if (Boolean.FALSE.equals(schema.getNullable())) {
      schema.setNullable(null);
    }
    if (Boolean.FALSE.equals(schema.getReadOnly())) {
      schema.setReadOnly(null);
    }
    if (Boolean.FALSE.equals(schema.getWriteOnly())) {
      schema.setWriteOnly(null);
    }
    if (Boolean.FALSE.equals(schema.getDeprecated())) {
      schema.setDeprecated(null);
    }
    return schema;
  }

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
    completeRequestBody(operation);
    if (path.startsWith("/api/v1/")) {
      addIfMissing(responses, "401", "No token, or a token the server does not know");
      addIfMissing(
          responses, "403", "The token is valid but not for this resource (admin or terminal)");
      unavailable(responses);
    }
    if (answersWithABody(responses)) {
      addIfMissing(responses, "406", "Accept names no media type this operation answers with");
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
      if (response.getHeaders() != null) {
        // OpenAPI 3.0 wants a schema (or content) for every header; ours are all text.
        response
            .getHeaders()
            .values()
            .forEach(
                header -> {
                  if (header.getSchema() == null
                      && (header.getContent() == null
                          || header.getContent().getMediaTypes() == null
                          || header.getContent().getMediaTypes().isEmpty())) {
                    header.setContent(null);
                    header.setSchema(OASFactory.createSchema().type(Schema.SchemaType.STRING));
                  }
                });
      }
      binary(response.getContent());
      String answer = ANSWERS_OF_READ_BODIES.get(operation.getOperationId() + " " + code);
      if (answer != null && response.getContent() != null) {
        MediaType json = response.getContent().getMediaType("application/json");
        if (json != null) {
          json.setSchema(OASFactory.createSchema().ref("#/components/schemas/" + answer));
        }
      }
      if ((code.startsWith("4") || code.startsWith("5"))
          && (response.getContent() == null
              || response.getContent().getMediaTypes() == null
              || response.getContent().getMediaTypes().isEmpty())) {
        response.setContent(problemContent());
      }
    }
  }

  private static void completeRequestBody(Operation operation) {
    RequestBody body = operation.getRequestBody();
    if (body == null || body.getContent() == null || body.getContent().getMediaTypes() == null) {
      return;
    }
    Map<String, MediaType> types = body.getContent().getMediaTypes();
    // @Consumes(*/*) adds a */* object beside the documented media type.
    if (types.size() > 1 && types.containsKey("*/*")) {
      body.getContent().removeMediaType("*/*");
    }
    binary(body.getContent());
    String schema = READ_BODIES.get(operation.getOperationId());
    MediaType json = body.getContent().getMediaType("application/json");
    if (schema != null && json != null) {
      json.setSchema(OASFactory.createSchema().ref("#/components/schemas/" + schema));
    }
  }

  /**
   * Payara merges unrelated properties into a {@code string/binary} schema given by annotation:
   * file bodies are set here, plainly.
   */
  private static void binary(Content content) {
    if (content == null || content.getMediaTypes() == null) {
      return;
    }
    MediaType octets = content.getMediaType("application/octet-stream");
    if (octets != null) {
      octets.setSchema(OASFactory.createSchema().type(Schema.SchemaType.STRING).format("binary"));
    }
  }

  private static boolean answersWithABody(APIResponses responses) {
    return responses.getAPIResponses() != null
        && responses.getAPIResponses().entrySet().stream()
            .anyMatch(
                e ->
                    e.getKey().startsWith("2")
                        && e.getValue().getContent() != null
                        && e.getValue().getContent().getMediaTypes() != null
                        && !e.getValue().getContent().getMediaTypes().isEmpty());
  }

  /** Every API operation may find the database away: 503 database-unavailable, Retry-After. */
  private static void unavailable(APIResponses responses) {
    String outage = "database-unavailable: the database cannot be reached, try again later";
    APIResponse known =
        responses.getAPIResponses() == null ? null : responses.getAPIResponses().get("503");
    if (known == null) {
      responses.addAPIResponse(
          "503",
          OASFactory.createAPIResponse()
              .description(outage)
              .addHeader(
                  "Retry-After",
                  OASFactory.createHeader()
                      .required(true)
                      .description("seconds")
                      .schema(OASFactory.createSchema().type(Schema.SchemaType.STRING))));
    } else {
      known.description(known.getDescription() + "; " + outage);
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
