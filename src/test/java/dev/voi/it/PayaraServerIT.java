package dev.voi.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.voi.qcow2.Qemu;
import dev.voi.server.control.DataDirectoryMarker;
import dev.voi.testing.FreshDatabase;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The WAR on a full Payara Server 6 domain (the zip of the same release as Payara Micro, unpacked
 * by the build) with a JDBC resource the server manages, set up with the README's {@code asadmin}
 * commands: a domain on free ports, the PostgreSQL driver, a pool and the resource {@code jdbc/voi}
 * on a database of its own ({@code <IT database>_server}), {@code voi.db.jndi} and the other
 * settings as the domain's config properties (the admin token as a password alias), the listener
 * settings of {@code src/main/payara/domain-commands.asadmin}, {@code asadmin deploy}. Then a smoke
 * test over HTTP with real qemu-img files: publish, register, assign, report, poll (200, then 304),
 * an audit, one SOAP operation, and a chunked upload with {@code Expect: 100-continue} and a digest
 * trailer on the domain's own listener; then the WAR is undeployed, a deployment with the data
 * directory of another server is refused, and the domain is stopped, also when a step fails.
 *
 * <p>That JPA, Flyway and the plain JDBC writers all use the server's resource is checked in the
 * database itself: the server identity and the audit run are rows of {@code _server}, the data
 * directory holds no embedded database, and the audit (whose run row is written by JDBC while JPA
 * works in the same transaction) finishes.
 */
@ExtendWith(OpenApiValidation.class)
class PayaraServerIT extends TerminalsItSupport {

  static final Path HOME =
      Path.of(System.getProperty("voi.test.payara.server.home", "target/payara-server/payara6"))
          .toAbsolutePath();
  static final Path DRIVER =
      Path.of(
              System.getProperty(
                  "voi.test.payara.server.driver", "target/payara-server/postgresql.jar"))
          .toAbsolutePath();
  static final Path DIR = Path.of("target/payara-server-it").toAbsolutePath();
  static final Path WAR = Path.of("target/voi-update.war").toAbsolutePath();
  static final String RESOURCE = "jdbc/voi";

  /** What each step took, in order, for the MEASURE line. */
  private final Map<String, Long> millis = new LinkedHashMap<>();

  /** The URL is known only once the domain runs: no Arquillian deployment to take it from. */
  @Override
  void urls() {}

  @Test
  void deploysOnADomainWithAServerManagedDataSourceAndServesRestAndSoap() throws Exception {
    String dbUrl = FreshDatabase.besideTheItDatabase("server");
    Path dataDir = DIR.resolve("voi-data");
    FreshDatabase.emptyDirectory(dataDir);
    long started = System.nanoTime();
    PayaraDomain domain =
        timed("create-domain", () -> PayaraDomain.create(HOME, DIR.resolve("domains"), "voi-it"));
    try (domain) {
      timed(
          "start-domain",
          () -> {
            domain.start();
            return null;
          });
      timed(
          "pool, resource, settings",
          () -> {
            configure(domain, dbUrl, dataDir);
            return null;
          });
      timed(
          "deploy",
          () ->
              domain.asadmin(
                  "deploy", "--contextroot", "/", "--name", "voi-update", WAR.toString()));
      base = new URL("http://127.0.0.1:" + domain.httpPort() + "/");
      api = base + "api/v1";

      timed(
          "smoke test",
          () -> {
            smokeTest(dbUrl, dataDir);
            return null;
          });
      timed(
          "chunked upload",
          () -> {
            chunkedUploadWithExpectContinueAndADigestTrailer();
            return null;
          });

      timed("undeploy", () -> domain.asadmin("undeploy", "voi-update"));
      // Outside the API now: a plain request, not one the OpenAPI check would judge.
      HttpResponse<Void> gone =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(api + "/server")).build(),
                  HttpResponse.BodyHandlers.discarding());
      assertThat(gone.statusCode()).as("the application is gone").isEqualTo(404);

      // The identity check on the server's resource: a data directory of another server.
      String uuid = new DataDirectoryMarker(dataDir).read().orElseThrow().toString();
      UUID foreign = UUID.randomUUID();
      new DataDirectoryMarker(dataDir).write(foreign);
      String refused =
          timed(
              "refused deploy",
              () ->
                  domain.asadminRefused(
                      "deploy", "--contextroot", "/", "--name", "voi-update", WAR.toString()));
      // asadmin says which bean failed; the server's log says why.
      assertThat(refused).contains("Initialization failed for Singleton ServerIdentity");
      assertThat(domain.serverLog())
          .contains(
              "belongs to server "
                  + foreign
                  + " but the database belongs to server "
                  + uuid
                  + ": wrong voi.data.dir or wrong voi.db.jndi ("
                  + RESOURCE
                  + "); refusing to start");
      timed(
          "stop-domain",
          () -> {
            domain.close();
            return null;
          });
    } catch (Throwable failure) {
      System.out.println(
          "PayaraServerIT: the domain's log ends with:\n" + domain.serverLogTail(80));
      throw failure;
    } finally {
      millis.put("total", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      List<String> parts = new ArrayList<>();
      millis.forEach((step, ms) -> parts.add(String.format("%s %.1f s", step, ms / 1000.0)));
      System.out.println("MEASURE payara server: " + String.join(", ", parts));
    }
  }

  /**
   * The README's commands: the driver, the pool on the test's database (trust authentication: an
   * empty password is {@code ()}), the resource, the config properties, the listener settings.
   */
  private static void configure(PayaraDomain domain, String dbUrl, Path dataDir) throws Exception {
    URI db = URI.create(dbUrl.substring("jdbc:".length()));
    String user = db.getQuery().replaceFirst("^(?:.*&)?user=([^&]*).*$", "$1");
    domain.asadmin("add-library", DRIVER.toString());
    domain.asadmin(
        "create-jdbc-connection-pool",
        "--datasourceclassname",
        "org.postgresql.ds.PGSimpleDataSource",
        "--restype",
        "javax.sql.DataSource",
        "--steadypoolsize",
        "2",
        "--maxpoolsize",
        "32",
        "--isconnectvalidatereq=true",
        "--validationmethod",
        "meta-data",
        "--failconnection=true",
        "--property",
        "serverName="
            + db.getHost()
            + ":portNumber="
            + db.getPort()
            + ":databaseName="
            + db.getPath().substring(1)
            + ":user="
            + user
            + ":password=()",
        "voi-pool");
    domain.asadmin("ping-connection-pool", "voi-pool");
    domain.asadmin("create-jdbc-resource", "--connectionpoolid", "voi-pool", RESOURCE);
    configProperty(domain, "voi.db.jndi", RESOURCE);
    configProperty(domain, "voi.data.dir", dataDir.toString());
    // The admin token as the README's password alias: in the domain's alias store, not in
    // domain.xml, and never on a command line (asadmin reads it from a file only the owner reads).
    Path aliasPassword = Files.createTempFile(DIR, "alias-password", ".txt");
    try {
      Files.writeString(
          aliasPassword, "AS_ADMIN_ALIASPASSWORD=" + ADMIN.substring("Bearer ".length()) + "\n");
      domain.asadmin(
          "--passwordfile", aliasPassword.toString(), "create-password-alias", "voi-admin-token");
    } finally {
      Files.delete(aliasPassword);
    }
    configProperty(domain, "voi.admin.token", "${ALIAS=voi-admin-token}");
    for (String line : Files.readAllLines(Path.of("src/main/payara/domain-commands.asadmin"))) {
      if (!line.isBlank() && !line.startsWith("#")) {
        domain.asadmin(line.strip().split(" +"));
      }
    }
    domain.restart();
  }

  private static void configProperty(PayaraDomain domain, String name, String value)
      throws Exception {
    domain.asadmin(
        "set-config-property",
        "--propertyName=" + name,
        "--propertyValue=" + value,
        "--source=domain");
  }

  private void smokeTest(String dbUrl, Path dataDir) throws Exception {
    given()
        .get(base + "health/ready")
        .then()
        .statusCode(200)
        .body("checks.find { it.name == 'database' }.data.product", equalTo("PostgreSQL"));
    String uuid =
        given()
            .header("Authorization", ADMIN)
            .get(api + "/server")
            .then()
            .statusCode(200)
            .extract()
            .path("serverUuid");
    // The identity and the migrations went to the server's resource, not the app's own source.
    assertThat(query(dbUrl, "SELECT server_uuid FROM server_identity")).isEqualTo(uuid);
    assertThat(new DataDirectoryMarker(dataDir).read()).contains(UUID.fromString(uuid));
    assertThat(dataDir.resolve("db")).as("no embedded database").doesNotExist();

    Lineage lineage = publish(1);
    assertThat(lineage.layers).hasSize(2);
    Term terminal = register();
    assign(terminal, lineage);
    Response reported = report(terminal, lineage, lineage.checksums().subList(0, 1));
    JsonPath answer = answer(reported);
    assertThat(answer.getString("strategy")).isEqualTo("INCREMENTAL");
    assertDownloads(answer, lineage, 1);
    String etag = reported.header("ETag");
    Response polled = poll(terminal, lineage);
    polled.then().statusCode(200).header("ETag", etag);
    conditionalPoll(terminal, lineage, etag).then().statusCode(304).header("ETag", etag);

    JsonPath run = auditToTheEnd();
    assertThat(run.getString("state")).as(run.prettify()).isEqualTo("FINISHED");
    assertThat(query(dbUrl, "SELECT state FROM audit_run WHERE id = " + run.getLong("id")))
        .isEqualTo("FINISHED");

    Response soap =
        given()
            .header("Authorization", ADMIN)
            .contentType("text/xml; charset=utf-8")
            .body(
                "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\""
                    + " xmlns:v1=\"urn:voi-update:soap:v1\"><soap:Body><v1:listImages/>"
                    + "</soap:Body></soap:Envelope>")
            .post(base + "soap/v1");
    assertThat(soap.statusCode()).as(soap.asString()).isEqualTo(200);
    assertThat(SoapIT.texts(SoapIT.xml(soap.asString()), "name")).contains(lineage.name);
  }

  /**
   * A new image uploaded as {@code bin/voi publish --digest-after} sends it, on a raw socket (HTTP
   * clients hide interim answers): chunked, with {@code Expect: 100-continue}, the head and a first
   * chunk of 512 bytes at once, the rest only after {@code 100 Continue}, and the file's SHA-256 in
   * a {@code Content-Digest} trailer announced by {@code Trailer:}. On the full server the gate
   * that holds {@code 100 Continue} back until the resource reads the body works on the domain's
   * own Grizzly listener, not Payara Micro's: the interim answer must come within a second (a gate
   * that failed to install itself would leave the client to its own timeout), and the published
   * layer's content digest must be the file's.
   */
  private void chunkedUploadWithExpectContinueAndADigestTrailer() throws Exception {
    Path dir = Files.createDirectories(WORK.resolve("payara-chunked-" + System.nanoTime()));
    Qemu.run(dir, "qemu-img", "create", "-q", "-f", "qcow2", "base.qcow2", "64M").assertOk();
    Qemu.run(dir, "qemu-io", "-c", "write -P 0x5a 0 256k", "base.qcow2").assertOk();
    byte[] body = Files.readAllBytes(dir.resolve("base.qcow2"));
    byte[] sha256 = MessageDigest.getInstance("SHA-256").digest(body);
    String name = "chunked-" + UNIQUE.incrementAndGet();
    URI uri = URI.create(api + "/images?name=" + name);
    int opening = 512;
    String interim;
    long interimMillis;
    String answer;
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      String head =
          "POST "
              + uri.getRawPath()
              + "?"
              + uri.getRawQuery()
              + " HTTP/1.1\r\nHost: "
              + uri.getHost()
              + ":"
              + uri.getPort()
              + "\r\nAuthorization: "
              + ADMIN
              + "\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n"
              + "Trailer: Content-Digest\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"
              + Integer.toHexString(opening)
              + "\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(body, 0, opening);
      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      long sent = System.nanoTime();
      interim = RawHttp.readHead(in);
      interimMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
      assertThat(interim).as("the interim answer").startsWith("HTTP/1.1 100");
      out.write(
          (Integer.toHexString(body.length - opening) + "\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body, opening, body.length - opening);
      out.write(
          ("\r\n0\r\nContent-Digest: sha-256=:"
                  + Base64.getEncoder().encodeToString(sha256)
                  + ":\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      answer = RawHttp.readHead(in);
      answer += new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(interimMillis).as("ms until 100 Continue").isLessThan(1000);
    assertThat(answer).as(answer).startsWith("HTTP/1.1 201");
    String published =
        given()
            .header("Authorization", ADMIN)
            .get(api + "/images/" + name)
            .then()
            .statusCode(200)
            .extract()
            .path("layers[0].contentDigest");
    assertThat(published).isEqualTo(HexFormat.of().formatHex(sha256));
  }

  /**
   * Starts an audit (after the timer's, should one be running) and waits, two minutes at most,
   * until it is no longer running.
   */
  private JsonPath auditToTheEnd() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (true) {
      Response started = given().header("Authorization", ADMIN).post(api + "/audits");
      if (started.statusCode() == 202) {
        return awaitEnd(started.header("Location"), deadline);
      }
      started.then().statusCode(409);
      awaitEnd(started.header("Location"), deadline);
    }
  }

  private static JsonPath awaitEnd(String location, long deadline) throws InterruptedException {
    while (true) {
      JsonPath run =
          given()
              .header("Authorization", ADMIN)
              .get(location)
              .then()
              .statusCode(200)
              .extract()
              .jsonPath();
      if (!"RUNNING".equals(run.getString("state"))) {
        return run;
      }
      assertThat(System.nanoTime()).as("the audit ends within two minutes").isLessThan(deadline);
      Thread.sleep(250);
    }
  }

  private static String query(String dbUrl, String sql) throws SQLException {
    try (Connection db = DriverManager.getConnection(dbUrl);
        Statement statement = db.createStatement();
        ResultSet row = statement.executeQuery(sql)) {
      assertThat(row.next()).as(sql).isTrue();
      return row.getString(1);
    }
  }

  interface Step<T> {
    T run() throws Exception;
  }

  private <T> T timed(String step, Step<T> body) throws Exception {
    long start = System.nanoTime();
    try {
      return body.run();
    } finally {
      millis.put(step, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }
  }
}
