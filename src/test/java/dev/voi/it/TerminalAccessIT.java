package dev.voi.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.voi.platform.Tokens;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.io.File;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Terminals over HTTP against the real WAR on Payara Micro and PostgreSQL (see {@link
 * TerminalsItSupport}): Registration, tokens (shown once, kept as a hash, rotated, deleted) and
 * what a terminal's token reaches: its own resources and the images assigned to it, nothing of the
 * administrator's.
 */
@ExtendWith({ArquillianExtension.class, OpenApiValidation.class})
class TerminalAccessIT extends TerminalsItSupport {

  @Deployment(testable = false)
  static WebArchive war() {
    return ShrinkWrap.createFromZipFile(WebArchive.class, new File("target/voi-update.war"));
  }

  // ---------------------------------------------------------------- registration and tokens

  @Test
  void registrationShowsTheTokenOnceAndKeepsOnlyItsHash() throws Exception {
    String name = "pc-" + UNIQUE.incrementAndGet();
    Response created =
        given()
            .header("Authorization", ADMIN)
            .contentType(ContentType.JSON)
            .body(named(name))
            .post(api + "/terminals");
    created.then().statusCode(201).body("name", equalTo(name));
    long id = created.jsonPath().getLong("id");
    String token = created.jsonPath().getString("token");
    assertThat(created.header("Location")).endsWith("/api/v1/terminals/" + id);
    assertThat(token).startsWith("voit_").hasSizeGreaterThanOrEqualTo(5 + 43);

    given()
        .header("Authorization", "Bearer " + token)
        .get(api + "/terminals/" + id)
        .then()
        .statusCode(200)
        .body("id", equalTo((int) id))
        .body("name", equalTo(name))
        .body("token", nullValue());
    given()
        .header("Authorization", ADMIN)
        .get(api + "/terminals/" + id)
        .then()
        .statusCode(200)
        .body("token", nullValue());
    try (Connection db = database();
        PreparedStatement query =
            db.prepareStatement("SELECT token_hash FROM terminal WHERE id = ?")) {
      query.setLong(1, id);
      try (ResultSet row = query.executeQuery()) {
        assertThat(row.next()).isTrue();
        assertThat(row.getString(1)).isEqualTo(Tokens.hash(token)).doesNotContain(token);
      }
    }

    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(named(name))
        .post(api + "/terminals")
        .then()
        .statusCode(409)
        .contentType("application/problem+json");
    for (String bad : List.of("", " padded", "x".repeat(129), "line\nbreak")) {
      given()
          .header("Authorization", ADMIN)
          .contentType(ContentType.JSON)
          .body(named(bad))
          .post(api + "/terminals")
          .then()
          .statusCode(400)
          .body("detail", containsString("name"));
    }
    for (String bad :
        List.of(
            "{\"name\": 5",
            "{\"name\": 5}",
            "[]",
            "",
            "{\"name\": \"a\", \"name\": \"b\"}",
            "{\"name\": \"a\", \"x\": " + "[".repeat(1001) + "]".repeat(1001) + "}")) {
      given()
          .header("Authorization", ADMIN)
          .contentType(ContentType.JSON)
          .body(bad)
          .post(api + "/terminals")
          .then()
          .statusCode(400)
          .contentType("application/problem+json");
    }
    // Over its 64 KiB limit a registration is too large, like a report or feedback (not 400).
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(named("x".repeat(70_000)))
        .post(api + "/terminals")
        .then()
        .statusCode(413)
        .contentType("application/problem+json")
        .body("type", equalTo("urn:voi-update:problem:body-too-large"));
  }

  @Test
  void rotationAndDeletionStopTheOldTokenAtOnce() {
    Term terminal = register();
    // Warm every cache the token goes through.
    given()
        .header("Authorization", terminal.bearer())
        .get(terminalUrl(terminal))
        .then()
        .statusCode(200);

    String rotated =
        given()
            .header("Authorization", ADMIN)
            .post(terminalUrl(terminal) + "/token")
            .then()
            .statusCode(200)
            .extract()
            .path("token");
    given()
        .header("Authorization", terminal.bearer())
        .get(terminalUrl(terminal))
        .then()
        .statusCode(401);
    Term renewed = new Term(terminal.id(), rotated);
    given()
        .header("Authorization", renewed.bearer())
        .get(terminalUrl(renewed))
        .then()
        .statusCode(200);

    given().header("Authorization", ADMIN).delete(terminalUrl(renewed)).then().statusCode(204);
    given()
        .header("Authorization", renewed.bearer())
        .get(terminalUrl(renewed))
        .then()
        .statusCode(401);
    given().header("Authorization", ADMIN).get(terminalUrl(renewed)).then().statusCode(404);
    given().header("Authorization", ADMIN).delete(terminalUrl(renewed)).then().statusCode(404);
  }

  // ---------------------------------------------------------------- isolation

  @Test
  void aTerminalReachesOnlyItsOwnResourcesAndAssignedImages() throws Exception {
    Lineage lineage = publish(1);
    Lineage other = publish(0);
    Term a = register();
    Term b = register();
    assign(a, lineage);
    assign(b, lineage);
    report(b, lineage, lineage.checksums()).then().statusCode(200);

    String bImage = terminalUrl(b) + "/images/" + lineage.name;
    given().header("Authorization", a.bearer()).get(terminalUrl(b)).then().statusCode(403);
    given()
        .header("Authorization", a.bearer())
        .contentType(ContentType.JSON)
        .body(body(nodes(lineage.checksums())))
        .put(bImage + "/chain")
        .then()
        .statusCode(403)
        .contentType("application/problem+json")
        .body("type", equalTo("urn:voi-update:problem:forbidden"));
    given().header("Authorization", a.bearer()).get(bImage + "/strategy").then().statusCode(403);
    given()
        .header("Authorization", a.bearer())
        .contentType(ContentType.JSON)
        .body("{\"state\":\"DONE\"}")
        .post(bImage + "/feedback")
        .then()
        .statusCode(403);
    // Ids that do not exist answer 403 too: they must not be told apart from others' ids.
    given()
        .header("Authorization", a.bearer())
        .get(api + "/terminals/999999999")
        .then()
        .statusCode(403);
    given()
        .header("Authorization", a.bearer())
        .get(api + "/terminals/nonsense")
        .then()
        .statusCode(403);
    given()
        .header("Authorization", a.bearer())
        .get(api + "/terminals/999999999/images/" + lineage.name + "/strategy")
        .then()
        .statusCode(403);

    // Administrator endpoints.
    given()
        .header("Authorization", a.bearer())
        .contentType(ContentType.JSON)
        .body(named("sneaky"))
        .post(api + "/terminals")
        .then()
        .statusCode(403);
    given().header("Authorization", a.bearer()).get(api + "/terminals").then().statusCode(403);
    given().header("Authorization", a.bearer()).get(api + "/images").then().statusCode(403);
    given()
        .header("Authorization", a.bearer())
        .post(terminalUrl(a) + "/token")
        .then()
        .statusCode(403);
    given().header("Authorization", a.bearer()).delete(terminalUrl(a)).then().statusCode(403);
    given()
        .header("Authorization", a.bearer())
        .get(terminalUrl(a) + "/history")
        .then()
        .statusCode(403);
    given()
        .header("Authorization", a.bearer())
        .put(terminalUrl(a) + "/images/" + other.name)
        .then()
        .statusCode(403);

    // Images: one not assigned is 403, one that does not exist 404.
    report(a, other, other.checksums()).then().statusCode(403);
    given()
        .header("Authorization", a.bearer())
        .get(terminalUrl(a) + "/images/" + other.name + "/strategy")
        .then()
        .statusCode(403);
    report(a, new Lineage("no-such-image-" + UNIQUE.incrementAndGet(), null), List.of())
        .then()
        .statusCode(404);

    // Layer downloads: the assigned image's layers only.
    given()
        .header("Authorization", a.bearer())
        .get(
            api
                + "/images/"
                + lineage.name
                + "/layers/"
                + lineage.layers.get(1).checksum()
                + "/content")
        .then()
        .statusCode(200);
    given()
        .header("Authorization", a.bearer())
        .get(
            api
                + "/images/"
                + other.name
                + "/layers/"
                + other.layers.get(0).checksum()
                + "/content")
        .then()
        .statusCode(403);

    // No token; and the administrator does not report for a terminal.
    given().get(bImage + "/strategy").then().statusCode(401);
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body(body(nodes(lineage.checksums())))
        .put(bImage + "/chain")
        .then()
        .statusCode(403);
  }
}
