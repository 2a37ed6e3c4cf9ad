package dev.voi.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.swagger.v3.oas.models.OpenAPI;
import java.io.File;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The real WAR on a managed Payara Micro against PostgreSQL: the foundation's contract. */
@ExtendWith({ArquillianExtension.class, OpenApiValidation.class})
class PlatformIT {

  static final String ADMIN = "Bearer it-admin-token";

  @Deployment(testable = false)
  static WebArchive war() {
    return ShrinkWrap.createFromZipFile(WebArchive.class, new File("target/voi-update.war"));
  }

  @ArquillianResource URL base;

  String api;
  String root;

  @BeforeEach
  void urls() {
    base = Deployed.application(base);
    api = base.toString() + "api/v1";
    root = base.getProtocol() + "://" + base.getHost() + ":" + base.getPort();
  }

  @Test
  void healthIsUpOnceMigratedAndTheDatabaseAnswers() {
    given()
        .get(root + "/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.find { it.name == 'database' }.data.product", equalTo("PostgreSQL"))
        .body("checks.find { it.name == 'database' }.data.schema", equalTo("migrated"));
  }

  @Test
  void theServerUuidIsStableAndTheOneInTheDatabase() throws Exception {
    String first =
        given()
            .header("Authorization", ADMIN)
            .get(api + "/server")
            .then()
            .statusCode(200)
            .body("version", notNullValue())
            .extract()
            .path("serverUuid");
    String second =
        given()
            .header("Authorization", ADMIN)
            .get(api + "/server")
            .then()
            .statusCode(200)
            .extract()
            .path("serverUuid");
    assertThat(second)
        .isEqualTo(first)
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    try (Connection connection =
            DriverManager.getConnection(System.getProperty("voi.test.db.url"));
        Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT server_uuid FROM server_identity")) {
      assertThat(row.next()).isTrue();
      assertThat(row.getString(1)).isEqualTo(first);
      assertThat(row.next()).as("exactly one identity row").isFalse();
    }
  }

  @Test
  void withoutATokenTheApiAnswers401AsProblemJson() {
    given()
        .get(api + "/server")
        .then()
        .statusCode(401)
        .contentType("application/problem+json")
        .header("WWW-Authenticate", "Bearer")
        .body("status", equalTo(401))
        .body("type", equalTo("urn:voi-update:problem:unauthorized"))
        .body("title", notNullValue())
        .body("detail", containsString("Bearer"))
        .body("instance", equalTo("/server"));
  }

  @Test
  void aWrongTokenOrSchemeAnswers401() {
    given()
        .header("Authorization", "Bearer not-the-token")
        .get(api + "/server")
        .then()
        .statusCode(401)
        .contentType("application/problem+json");
    given()
        .header("Authorization", "Basic aXQ6aXQ=")
        .get(api + "/server")
        .then()
        .statusCode(401)
        .contentType("application/problem+json");
    given()
        .header("Authorization", "Bearer " + "x".repeat(600))
        .get(api + "/server")
        .then()
        .statusCode(401);
  }

  @Test
  void badRequestsAnswerProblemJsonWithoutStackTraces() {
    given()
        .header("Authorization", ADMIN)
        .post(api + "/server")
        .then()
        .statusCode(405)
        .contentType("application/problem+json")
        .body("status", equalTo(405))
        .body("detail", notNullValue())
        .body(org.hamcrest.Matchers.not(containsString("at dev.voi")));
    given()
        .header("Authorization", ADMIN)
        .get(api + "/no-such-thing")
        .then()
        .statusCode(404)
        .contentType("application/problem+json")
        .body("type", equalTo("urn:voi-update:problem:not-found"))
        .body("instance", equalTo("/no-such-thing"));
    given()
        .header("Authorization", ADMIN)
        .accept("application/xml")
        .get(api + "/server")
        .then()
        .statusCode(406)
        .contentType("application/problem+json");
  }

  @Test
  void theContainersOwnErrorsAreProblemJsonToo() {
    given()
        .get(base.toString() + "no-such-page")
        .then()
        .statusCode(404)
        .contentType("application/problem+json")
        .body("type", equalTo("urn:voi-update:problem:not-found"))
        .body(org.hamcrest.Matchers.not(containsString("<html")));
    given()
        .get(base.toString() + "problem")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    for (String limit : new String[] {"abc", "99999999999", "2.5"}) {
      given()
          .header("Authorization", ADMIN)
          .get(api + "/terminals?limit=" + limit)
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body("type", equalTo("urn:voi-update:problem:bad-request"))
          .body("detail", containsString("limit"));
    }
  }

  @Test
  void hostileInputsAreRefusedAndLeaveNothingBehind(@TempDir Path work) throws Exception {
    HostileInputs.Fixture fixture = HostileInputs.prepare(api, ADMIN, work, "hostile-pg");
    HostileInputs catalogue = new HostileInputs(base.getPath() + "api/v1", ADMIN, fixture);
    Path data = Path.of(System.getProperty("voi.test.data.dir"));
    String shown = HostileInputs.apiState(api, ADMIN, fixture);
    Map<String, Long> files = HostileInputs.files(data);
    Map<String, Long> rows = rowCounts();

    List<String> failures = catalogue.run(URI.create(root));

    System.out.printf(
        "MEASURE hostile inputs on PostgreSQL: %d cases %s%n",
        catalogue.cases().size(), catalogue.counts());
    assertThat(failures).as("refusals that were not as the contract says").isEmpty();
    assertThat(HostileInputs.files(data)).as("the data directory").isEqualTo(files);
    assertThat(rowCounts()).as("every table's rows").isEqualTo(rows);
    assertThat(HostileInputs.apiState(api, ADMIN, fixture)).isEqualTo(shown);
  }

  /** How many rows each table of the IT database holds. */
  private static Map<String, Long> rowCounts() throws Exception {
    Map<String, Long> counts = new java.util.TreeMap<>();
    try (Connection connection =
            DriverManager.getConnection(System.getProperty("voi.test.db.url"));
        Statement statement = connection.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet names =
          statement.executeQuery(
              "SELECT table_name FROM information_schema.tables"
                  + " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")) {
        while (names.next()) {
          tables.add(names.getString(1));
        }
      }
      for (String table : tables) {
        try (ResultSet count = statement.executeQuery("SELECT count(*) FROM " + table)) {
          count.next();
          counts.put(table, count.getLong(1));
        }
      }
    }
    assertThat(counts).isNotEmpty();
    return counts;
  }

  @Test
  void theOpenApiDocumentListsTheEndpointsWithoutAToken() {
    given()
        .get(root + "/openapi")
        .then()
        .statusCode(200)
        .body(containsString("/api/v1/server"))
        .body(containsString("bearer"));
  }

  @Test
  void theOpenApiDocumentIsAContract() {
    // Parses without a single message of swagger-parser (unknown members such as Payara's
    // endpoints, bad references, duplicate operationIds are messages).
    OpenAPI document = OpenApiValidation.document(root);
    assertThat(document.getServers())
        .as("server URLs")
        .isNotEmpty()
        .allSatisfy(server -> assertThat(server.getUrl()).doesNotEndWith("/"));
    assertThat(document.getExtensions()).as("extensions").isNullOrEmpty();
    List<String> operationIds = new ArrayList<>();
    document
        .getPaths()
        .forEach(
            (path, item) ->
                item.readOperationsMap()
                    .forEach(
                        (method, operation) -> {
                          String name = method + " " + path;
                          assertThat(operation.getOperationId()).as(name).isNotBlank();
                          operationIds.add(operation.getOperationId());
                          if (operation.getRequestBody() != null) {
                            assertThat(operation.getRequestBody().getContent())
                                .as("request body of " + name)
                                .doesNotContainKey("*/*")
                                .allSatisfy(
                                    (type, media) -> {
                                      if (type.endsWith("json")) {
                                        assertThat(media.getSchema().get$ref())
                                            .as("JSON request body schema of " + name)
                                            .isNotNull();
                                      } else {
                                        assertThat(type).isEqualTo("application/octet-stream");
                                        assertThat(media.getSchema().getFormat())
                                            .isEqualTo("binary");
                                      }
                                    });
                          }
                          assertThat(operation.getResponses().keySet())
                              .as("responses of " + name)
                              .doesNotContain("default")
                              .contains("401", "403")
                              .anyMatch(code -> code.startsWith("2"));
                          operation
                              .getResponses()
                              .forEach(
                                  (code, response) -> {
                                    if (response.getHeaders() != null) {
                                      response
                                          .getHeaders()
                                          .forEach(
                                              (header, value) ->
                                                  assertThat(value.getSchema())
                                                      .as(name + " " + code + " " + header)
                                                      .isNotNull());
                                    }
                                    if (response.getContent() != null
                                        && response.getContent().get("application/octet-stream")
                                            != null) {
                                      // Object: the model's raw Schema type has raw properties.
                                      Object properties =
                                          response
                                              .getContent()
                                              .get("application/octet-stream")
                                              .getSchema()
                                              .getProperties();
                                      assertThat(properties)
                                          .as(name + " " + code + " file body")
                                          .isNull();
                                    }
                                    if (code.startsWith("2") && response.getContent() != null) {
                                      response
                                          .getContent()
                                          .forEach(
                                              (type, media) ->
                                                  assertThat(
                                                          media.getSchema().get$ref() != null
                                                              || media.getSchema().getFormat()
                                                                  != null
                                                              || media.getSchema().getProperties()
                                                                  != null)
                                                      .as(
                                                          "a schema that says something for "
                                                              + name
                                                              + " "
                                                              + code
                                                              + " "
                                                              + type)
                                                      .isTrue());
                                    }
                                    if (code.startsWith("4") || code.startsWith("5")) {
                                      assertThat(response.getContent())
                                          .as(name + " " + code)
                                          .containsOnlyKeys("application/problem+json");
                                    }
                                  });
                        }));
    assertThat(operationIds).as("operationIds").doesNotHaveDuplicates();
    assertThat(document.getComponents().getSchemas()).containsKey("Problem");
    String served = given().get(root + "/openapi").then().statusCode(200).extract().asString();
    assertThat(served).as("Payara's endpoints member").doesNotContainPattern("(?m)^endpoints:");
  }
}
