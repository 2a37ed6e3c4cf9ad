package dev.voi.it;

import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonStructure;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The IT harness's contract check: every response to {@code /api/v1/…} that an IT receives through
 * RestAssured must be one the served OpenAPI document ({@code /openapi}) describes: the status is
 * documented for the operation (or {@code default} is), the content type is documented for that
 * status, the documented required headers are present, and a JSON object body has the required
 * top-level properties of its documented schema. A mismatch fails the test, naming the operation.
 * Register it with {@code @ExtendWith(OpenApiValidation.class)}; the filter is installed once.
 */
public final class OpenApiValidation implements BeforeAllCallback, Filter {

  private static final Map<String, Contract> CONTRACTS = new ConcurrentHashMap<>();
  private static final OpenApiValidation FILTER = new OpenApiValidation();
  private static boolean installed;

  @Override
  public void beforeAll(ExtensionContext context) {
    install();
  }

  /** Installs the validating filter for every RestAssured request in this JVM, once. */
  public static synchronized void install() {
    if (!installed) {
      RestAssured.filters(FILTER);
      installed = true;
    }
  }

  /** The document served at {@code root/openapi}, parsed; it fails on any parser message. */
  public static OpenAPI document(String root) {
    return contract(root).openApi;
  }

  /** Parses an OpenAPI document; fails with every message of the parser. */
  static OpenAPI parse(String text) {
    ParseOptions options = new ParseOptions();
    options.setResolve(false);
    SwaggerParseResult result = new OpenAPIV3Parser().readContents(text, null, options);
    if (result.getOpenAPI() == null
        || (result.getMessages() != null && !result.getMessages().isEmpty())) {
      throw new AssertionError(
          "the OpenAPI document does not parse cleanly: " + result.getMessages());
    }
    return result.getOpenAPI();
  }

  @Override
  public Response filter(
      FilterableRequestSpecification request,
      FilterableResponseSpecification responseSpec,
      FilterContext context) {
    Response response = context.next(request, responseSpec);
    URI uri = URI.create(request.getURI());
    String path = uri.getRawPath();
    int api = path.indexOf("/api/v1/");
    if (api < 0 && !path.endsWith("/api/v1")) {
      return response;
    }
    String root = uri.getScheme() + "://" + uri.getRawAuthority();
    List<String> problems =
        contract(root).check(request.getMethod(), path.substring(Math.max(api, 0)), response);
    if (!problems.isEmpty()) {
      throw new AssertionError(
          "the answer to "
              + request.getMethod()
              + " "
              + path
              + " ("
              + response.getStatusCode()
              + ") does not match the OpenAPI document: "
              + String.join("; ", problems));
    }
    return response;
  }

  private static Contract contract(String root) {
    return CONTRACTS.computeIfAbsent(root, Contract::load);
  }

  /** One server's document, with its path templates as patterns. */
  private static final class Contract {
    final OpenAPI openApi;
    final List<Template> templates = new ArrayList<>();

    Contract(OpenAPI openApi) {
      this.openApi = openApi;
      openApi.getPaths().forEach((template, item) -> templates.add(new Template(template, item)));
      // Literal segments win over parameters: /terminals/{id}/token before /terminals/{id}/{x}.
      templates.sort(Comparator.comparingInt(t -> t.parameters));
    }

    static Contract load(String root) {
      try {
        HttpResponse<String> answer =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create(root + "/openapi")).build(),
                    HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
          throw new AssertionError(root + "/openapi answered " + answer.statusCode());
        }
        // Kept for reading when a check fails: target/openapi-<port>.yaml.
        java.nio.file.Files.writeString(
            java.nio.file.Path.of("target", "openapi-" + URI.create(root).getPort() + ".yaml"),
            answer.body());
        return new Contract(parse(answer.body()));
      } catch (java.io.IOException e) {
        throw new AssertionError("cannot read " + root + "/openapi", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted reading " + root + "/openapi", e);
      }
    }

    List<String> check(String method, String path, Response response) {
      List<String> problems = new ArrayList<>();
      Optional<Template> match = templates.stream().filter(t -> t.matches(path)).findFirst();
      int status = response.getStatusCode();
      if (match.isEmpty()) {
        // No such resource: the container's 404 (problem+json, checked by its own tests).
        if (status != 404) {
          problems.add("no path of the document matches " + path);
        }
        return problems;
      }
      Template template = match.get();
      Operation operation =
          template.item.readOperationsMap().get(PathItem.HttpMethod.valueOf(method));
      if (operation == null) {
        if (status != 405 && status != 404) {
          problems.add("the document has no " + method + " " + template.template);
        }
        return problems;
      }
      String name = operation.getOperationId() + " (" + method + " " + template.template + ")";
      ApiResponse documented = operation.getResponses().get(Integer.toString(status));
      if (documented == null) {
        documented = operation.getResponses().get(status / 100 + "XX");
      }
      if (documented == null) {
        documented = operation.getResponses().get("default");
      }
      if (documented == null) {
        problems.add(
            name
                + " does not document status "
                + status
                + " (documented: "
                + operation.getResponses().keySet()
                + ")");
        return problems;
      }
      if (documented.get$ref() != null) {
        return problems;
      }
      checkHeaders(name, status, documented, response, problems);
      checkContent(name, method, status, documented, response, problems);
      return problems;
    }

    private void checkHeaders(
        String name, int status, ApiResponse documented, Response response, List<String> problems) {
      if (documented.getHeaders() == null) {
        return;
      }
      for (Map.Entry<String, Header> header : documented.getHeaders().entrySet()) {
        if (Boolean.TRUE.equals(header.getValue().getRequired())
            && !response.getHeaders().hasHeaderWithName(header.getKey())) {
          problems.add(
              name + " " + status + " documents required header " + header.getKey() + ": absent");
        }
      }
    }

    private void checkContent(
        String name,
        String method,
        int status,
        ApiResponse documented,
        Response response,
        List<String> problems) {
      String contentType = response.getContentType();
      boolean hasBody = !"HEAD".equals(method) && response.asByteArray().length > 0;
      Content content = documented.getContent();
      boolean documentsContent = content != null && !content.isEmpty();
      if (!documentsContent) {
        if (hasBody) {
          problems.add(name + " " + status + " documents no body, got " + contentType + " content");
        }
        return;
      }
      if (contentType == null || contentType.isEmpty()) {
        if (hasBody) {
          problems.add(name + " " + status + " sent a body without a Content-Type");
        }
        return;
      }
      String base = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
      MediaType mediaType = null;
      for (Map.Entry<String, MediaType> entry : content.entrySet()) {
        String candidate = entry.getKey().split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (candidate.equals(base)
            || candidate.equals("*/*")
            || (candidate.endsWith("/*")
                && base.startsWith(candidate.substring(0, candidate.length() - 1)))) {
          mediaType = entry.getValue();
          break;
        }
      }
      if (mediaType == null) {
        problems.add(
            name
                + " "
                + status
                + " documents "
                + content.keySet()
                + ", the answer is "
                + contentType);
        return;
      }
      if (hasBody && (base.equals("application/json") || base.endsWith("+json"))) {
        checkJson(name, status, mediaType.getSchema(), response.asString(), problems);
      }
    }

    private void checkJson(
        String name, int status, Schema<?> schema, String body, List<String> problems) {
      Schema<?> resolved = resolve(schema);
      if (resolved == null) {
        problems.add(name + " " + status + " documents a JSON body without a schema");
        return;
      }
      JsonStructure json;
      try (JsonReader reader = Json.createReader(new StringReader(body))) {
        json = reader.read();
      } catch (RuntimeException e) {
        problems.add(name + " " + status + " sent a body that is not JSON: " + e.getMessage());
        return;
      }
      String type = resolved.getType();
      if (type == null && resolved.getTypes() != null && !resolved.getTypes().isEmpty()) {
        type = resolved.getTypes().iterator().next();
      }
      if ("array".equals(type) && !(json instanceof jakarta.json.JsonArray)) {
        problems.add(name + " " + status + " documents an array, got " + json.getValueType());
      }
      if ("object".equals(type) || resolved.getProperties() != null) {
        if (!(json instanceof JsonObject object)) {
          problems.add(name + " " + status + " documents an object, got " + json.getValueType());
          return;
        }
        if (resolved.getRequired() != null) {
          for (String property : resolved.getRequired()) {
            if (!object.containsKey(property)) {
              problems.add(
                  name + " " + status + " documents required property " + property + ": absent");
            }
          }
        }
        if (resolved.getProperties() != null) {
          for (String property : object.keySet()) {
            if (!resolved.getProperties().containsKey(property)) {
              problems.add(
                  name + " " + status + " sent property " + property + ", not in the schema");
            }
          }
        }
      }
    }

    private Schema<?> resolve(Schema<?> schema) {
      Schema<?> current = schema;
      for (int hops = 0; current != null && current.get$ref() != null && hops < 10; hops++) {
        String ref = current.get$ref();
        String simple = ref.substring(ref.lastIndexOf('/') + 1);
        current =
            openApi.getComponents() == null || openApi.getComponents().getSchemas() == null
                ? null
                : openApi.getComponents().getSchemas().get(simple);
      }
      return current;
    }
  }

  /** A path template of the document as a pattern. */
  private static final class Template {
    final String template;
    final PathItem item;
    final Pattern pattern;
    final int parameters;

    Template(String template, PathItem item) {
      this.template = template;
      this.item = item;
      StringBuilder regex = new StringBuilder();
      int count = 0;
      for (String part : template.split("(?=\\{)|(?<=\\})")) {
        if (part.startsWith("{") && part.endsWith("}")) {
          regex.append("[^/]+");
          count++;
        } else {
          regex.append(Pattern.quote(part));
        }
      }
      this.pattern = Pattern.compile(regex.append("/?").toString());
      this.parameters = count;
    }

    boolean matches(String path) {
      return pattern.matcher(path).matches();
    }
  }
}
