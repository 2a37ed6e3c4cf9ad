package dev.voi.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.voi.soap.client.ChainNode;
import dev.voi.soap.client.Problem;
import dev.voi.soap.client.ProblemFault;
import dev.voi.soap.client.VoiUpdate;
import dev.voi.soap.client.VoiUpdateService;
import io.restassured.http.ContentType;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.xml.ws.BindingProvider;
import jakarta.xml.ws.handler.MessageContext;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.InputStream;
import java.io.StringReader;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * The SOAP endpoint (/soap/v1) against the real WAR on Payara Micro and PostgreSQL, with real
 * qemu-img lineages: a client generated at build time from the checked-in WSDL calls every
 * operation and gets what the REST twin answers for the same fleet; refusals are faults with the
 * REST problem; Bearer and Basic both authenticate; a plain XML POST (what a non-Java client sends)
 * lists images and gets a terminal's answer; the served WSDL is the checked-in one.
 */
@ExtendWith(ArquillianExtension.class)
class SoapIT extends TerminalsItSupport {

  static final Path CHECKED_IN_WSDL = Path.of("src/main/webapp/WEB-INF/wsdl/voi-update.wsdl");
  static final String ENVELOPE =
      "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\""
          + " xmlns:v1=\"urn:voi-update:soap:v1\"><soap:Body>%s</soap:Body></soap:Envelope>";

  @Deployment(testable = false)
  static WebArchive war() {
    return ShrinkWrap.createFromZipFile(WebArchive.class, new File("target/voi-update.war"));
  }

  String soapUrl() {
    return base + "soap/v1";
  }

  /** A port of the generated client, authenticated by that Authorization header (or none). */
  VoiUpdate port(String authorization) throws Exception {
    VoiUpdate port = new VoiUpdateService(CHECKED_IN_WSDL.toUri().toURL()).getVoiUpdatePort();
    Map<String, Object> context = ((BindingProvider) port).getRequestContext();
    context.put(BindingProvider.ENDPOINT_ADDRESS_PROPERTY, soapUrl());
    // A 401 or 413 answer still carries a SOAP fault: read it rather than fail on the status.
    context.put("org.apache.cxf.transport.no_io_exceptions", true);
    if (authorization != null) {
      context.put(
          MessageContext.HTTP_REQUEST_HEADERS, Map.of("Authorization", List.of(authorization)));
    }
    return port;
  }

  /** A port that authenticates with HTTP Basic through the JAX-WS standard properties. */
  VoiUpdate basic(String user, String password) throws Exception {
    VoiUpdate port = port(null);
    Map<String, Object> context = ((BindingProvider) port).getRequestContext();
    context.put(BindingProvider.USERNAME_PROPERTY, user);
    context.put(BindingProvider.PASSWORD_PROPERTY, password);
    return port;
  }

  static String basicHeader(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  JsonValue rest(String path) {
    String body =
        given()
            .header("Authorization", ADMIN)
            .get(api + path)
            .then()
            .statusCode(200)
            .extract()
            .asString();
    return Json.createReader(new StringReader(body)).readValue();
  }

  JsonValue restAs(String authorization, String path) {
    String body =
        given()
            .header("Authorization", authorization)
            .get(api + path)
            .then()
            .statusCode(200)
            .extract()
            .asString();
    return Json.createReader(new StringReader(body)).readValue();
  }

  // ---------------------------------------------------------------- every operation vs REST

  @Test
  void everyOperationAnswersWhatItsRestTwinAnswers() throws Exception {
    Lineage lineage = publish(2);
    List<String> c = lineage.checksums();
    VoiUpdate admin = port(ADMIN);
    VoiUpdate adminBasic = basic("admin", "it-admin-token");

    assertSameAs(admin.getServer(), rest("/server"));
    assertSameAs(adminBasic.getServer(), rest("/server"));

    // listImages: every image, as REST lists them (a single page here).
    List<dev.voi.soap.client.Image> images = admin.listImages();
    JsonArray restImages = rest("/images?limit=1000").asJsonObject().getJsonArray("items");
    assertThat(images).hasSize(restImages.size());
    assertSameAs(images, restImages);
    assertThat(images).extracting(dev.voi.soap.client.Image::getName).contains(lineage.name);

    assertSameAs(admin.getImage(lineage.name), rest("/images/" + lineage.name));
    assertThat(admin.getImage(lineage.name).getLayer()).hasSize(3);

    // setPolicy: the same change through both gives the same image.
    dev.voi.soap.client.Image changed = admin.setPolicy(lineage.name, "catch-up", 5);
    assertThat(changed.getPolicy()).isEqualTo("catch-up");
    assertThat(changed.getMaxIncrementalLayers()).isEqualTo(5);
    String restChanged =
        given()
            .header("Authorization", ADMIN)
            .contentType(ContentType.JSON)
            .body("{\"policy\":\"catch-up\",\"maxIncrementalLayers\":5}")
            .put(api + "/images/" + lineage.name + "/policy")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    assertSameAs(changed, Json.createReader(new StringReader(restChanged)).readValue());
    assertThat(admin.setPolicy(lineage.name, "patent", null).getMaxIncrementalLayers())
        .as("an absent maxIncrementalLayers keeps the image's value, as in REST")
        .isEqualTo(5);

    // registerTerminal (Basic admin), getTerminal, assignImage, setGroup.
    dev.voi.soap.client.RegisteredTerminal registered =
        adminBasic.registerTerminal("soap-terminal-" + UNIQUE.incrementAndGet(), "lab-soap");
    assertThat(registered.getGroup()).isEqualTo("lab-soap");
    assertThat(registered.getToken()).isNotBlank();
    Term terminal = new Term(registered.getId(), registered.getToken());
    assertSameAs(admin.getTerminal(Long.toString(terminal.id())), rest(terminalPath(terminal)));
    dev.voi.soap.client.Terminal assigned =
        admin.assignImage(Long.toString(terminal.id()), lineage.name);
    assertThat(assigned.getImage()).extracting(a -> a.getImage()).containsExactly(lineage.name);
    assertSameAs(assigned, rest(terminalPath(terminal)));
    dev.voi.soap.client.Terminal moved = admin.setGroup(Long.toString(terminal.id()), "lab-b");
    assertThat(moved.getGroup()).isEqualTo("lab-b");
    assertSameAs(moved, rest(terminalPath(terminal)));

    // reportChain as the terminal (Basic: its id and token), then getAnswer (Bearer).
    VoiUpdate asTerminal = basic(Long.toString(terminal.id()), terminal.token());
    dev.voi.soap.client.StrategyAnswer reported =
        asTerminal.reportChain(
            Long.toString(terminal.id()), lineage.name, chainNodes(c.subList(0, 2)));
    assertThat(reported.getStrategy()).isEqualTo("INCREMENTAL");
    assertThat(reported.getReason()).isEqualTo("ONE_BEHIND");
    assertThat(reported.getDownload()).extracting(d -> d.getChecksum()).containsExactly(c.get(2));
    JsonValue restAnswer = restAs(terminal.bearer(), strategyPath(terminal, lineage));
    assertSameAs(reported, restAnswer);
    VoiUpdate terminalBearer = port(terminal.bearer());
    assertSameAs(terminalBearer.getAnswer(Long.toString(terminal.id()), lineage.name), restAnswer);
    assertSameAs(admin.getAnswer(Long.toString(terminal.id()), lineage.name), restAnswer);
    assertSameAs(
        terminalBearer.getTerminal(Long.toString(terminal.id())), rest(terminalPath(terminal)));

    // listTerminals with each filter, as REST filters.
    String id = Long.toString(terminal.id());
    assertSameAs(
        admin.listTerminals(lineage.name, null, null, null, null, null),
        rest("/terminals?image=" + lineage.name));
    assertSameAs(
        admin.listTerminals(null, "lab-b", "INCREMENTAL", "ONE_BEHIND", 10, null),
        rest("/terminals?group=lab-b&strategy=INCREMENTAL&reason=ONE_BEHIND&limit=10"));
    dev.voi.soap.client.TerminalPage page = admin.listTerminals(null, null, null, null, 1, null);
    assertSameAs(page, rest("/terminals?limit=1"));
    assertSameAs(
        admin.listTerminals(null, null, null, null, 1, page.getNext()),
        rest("/terminals?limit=1&cursor=" + page.getNext()));
    assertThat(admin.listTerminals(lineage.name, null, null, null, null, null).getTerminal())
        .extracting(t -> t.getId())
        .containsExactly(terminal.id());

    // Rollouts: a plan put through REST; get, halt, advance (409 when nothing is left to).
    assertProblem(
        catchThrowableOfType(ProblemFault.class, () -> admin.getRollout(lineage.name)),
        404,
        "not-found");
    given()
        .header("Authorization", ADMIN)
        .contentType(ContentType.JSON)
        .body("{\"waves\": [[\"lab-b\"], [\"*\"]], \"autoAdvance\": false}")
        .put(api + rolloutPath(lineage))
        .then()
        .statusCode(200);
    assertSameAs(admin.getRollout(lineage.name), rest(rolloutPath(lineage)));
    dev.voi.soap.client.Rollout halted = admin.haltRollout(lineage.name);
    assertThat(halted.getState()).isEqualTo("HALTED");
    assertSameAs(halted, rest(rolloutPath(lineage)));
    dev.voi.soap.client.Rollout advanced = null;
    try {
      advanced = admin.advanceRollout(lineage.name);
    } catch (ProblemFault refused) {
      assertProblem(refused, 409, "nothing-to-advance");
    }
    if (advanced != null) {
      assertSameAs(advanced, rest(rolloutPath(lineage)));
    }

    // Audits: start one, read it when it finished, list the runs.
    dev.voi.soap.client.Audit started = admin.startAudit();
    assertThat(started.getId()).isPositive();
    String runId = Long.toString(started.getId());
    await(
        () ->
            "FINISHED".equals(rest("/audits/" + runId).asJsonObject().getString("state"))
                ? true
                : null);
    assertSameAs(admin.getAuditRun(runId), rest("/audits/" + runId));
    assertSameAs(admin.listAuditRuns(null, null), rest("/audits"));
    assertSameAs(admin.listAuditRuns(1, null), rest("/audits?limit=1"));

    // retireTip: the tip retires, as REST's retire of that depth would.
    dev.voi.soap.client.Layer retired = admin.retireTip(lineage.name);
    assertThat(retired.getDepth()).isEqualTo(2);
    assertThat(retired.getState()).isEqualTo("RETIRED");
    assertSameAs(
        retired, rest("/images/" + lineage.name).asJsonObject().getJsonArray("layers").get(2));
    lineage.layers.remove(2);

    // unassignImage: gone from the terminal; again: 404 as in REST.
    admin.unassignImage(id, lineage.name);
    assertThat(rest(terminalPath(terminal)).asJsonObject().getJsonArray("images").isEmpty())
        .isTrue();
    assertProblem(
        catchThrowableOfType(ProblemFault.class, () -> admin.unassignImage(id, lineage.name)),
        404,
        "not-found");
  }

  // ---------------------------------------------------------------- refusals

  @Test
  void refusalsAreFaultsWithTheRestProblem() throws Exception {
    Lineage lineage = publish(0);
    Term terminal = register();
    assign(terminal, lineage);
    Term other = register();
    String id = Long.toString(terminal.id());
    VoiUpdate admin = port(ADMIN);

    // 401: no credentials, a wrong token, Basic with another user than the token's.
    for (VoiUpdate anonymous :
        List.of(
            port(null),
            port("Bearer not-a-token"),
            basic("admin", "not-a-token"),
            basic(Long.toString(other.id()), terminal.token()),
            basic("admin", terminal.token()),
            basic(id, "it-admin-token"))) {
      assertProblem(
          catchThrowableOfType(ProblemFault.class, anonymous::getServer), 401, "unauthorized");
    }

    // 403: a terminal at an admin operation, at another terminal; the admin reporting a chain.
    VoiUpdate asTerminal = port(terminal.bearer());
    assertProblem(
        catchThrowableOfType(ProblemFault.class, asTerminal::listImages), 403, "forbidden");
    assertProblem(
        catchThrowableOfType(
            ProblemFault.class, () -> asTerminal.getTerminal(Long.toString(other.id()))),
        403,
        "forbidden");
    assertProblem(
        catchThrowableOfType(
            ProblemFault.class, () -> asTerminal.getAnswer("999999999", lineage.name)),
        403,
        "forbidden");
    assertProblem(
        catchThrowableOfType(
            ProblemFault.class,
            () -> admin.reportChain(id, lineage.name, chainNodes(lineage.checksums()))),
        403,
        "forbidden");

    // 404: what REST answers 404 to.
    assertProblem(
        catchThrowableOfType(ProblemFault.class, () -> admin.getImage("no-such-image")),
        404,
        "not-found");
    assertProblem(
        catchThrowableOfType(ProblemFault.class, () -> admin.getTerminal("987654321")),
        404,
        "not-found");
    assertProblem(
        catchThrowableOfType(ProblemFault.class, () -> admin.getAuditRun("987654321")),
        404,
        "not-found");
    assertProblem(
        catchThrowableOfType(ProblemFault.class, () -> asTerminal.getAnswer(id, lineage.name)),
        404,
        "no-report");
    assertRestProblem("/images/no-such-image", 404, "not-found");

    // 409: the base cannot be retired, in both.
    assertProblem(
        catchThrowableOfType(ProblemFault.class, () -> admin.retireTip(lineage.name)),
        409,
        "base-not-retirable");
    given()
        .header("Authorization", ADMIN)
        .delete(api + "/images/" + lineage.name + "/layers/0")
        .then()
        .statusCode(409)
        .body("type", org.hamcrest.Matchers.equalTo("urn:voi-update:problem:base-not-retirable"));

    // 400: malformed arguments, with REST's details.
    assertProblem(
        catchThrowableOfType(
            ProblemFault.class, () -> admin.listTerminals(null, null, null, null, 0, null)),
        400,
        "bad-request");
    assertProblem(
        catchThrowableOfType(
            ProblemFault.class,
            () -> admin.listTerminals(null, null, "SIDEWAYS", null, null, null)),
        400,
        "bad-request");
    assertProblem(
        catchThrowableOfType(ProblemFault.class, () -> admin.getImage(".hidden")),
        400,
        "bad-request");
    assertProblem(
        catchThrowableOfType(ProblemFault.class, () -> admin.setPolicy(lineage.name, "x", 3)),
        400,
        "bad-request");
    assertProblem(
        catchThrowableOfType(ProblemFault.class, () -> admin.setPolicy(lineage.name, "patent", 0)),
        400,
        "bad-request");
    ProblemFault badNode =
        catchThrowableOfType(
            ProblemFault.class,
            () ->
                asTerminal.reportChain(
                    id, lineage.name, chainNodes(List.of("g" + randomHex().substring(1)))));
    assertProblem(badNode, 400, "bad-request");
    assertThat(badNode.getFaultInfo().getDetail()).contains("nodes[0].head");
    assertRestProblem("/terminals?limit=0", 400, "bad-request");
  }

  // ---------------------------------------------------------------- a non-Java client

  @Test
  void aPlainXmlPostListsImagesAndGetsATerminalsAnswer() throws Exception {
    Lineage lineage = publish(1);
    Term terminal = register();
    assign(terminal, lineage);
    report(terminal, lineage, lineage.checksums().subList(0, 1)).then().statusCode(200);

    HttpResponse<String> listed =
        post(ADMIN, String.format(ENVELOPE, "<v1:listImages/>"), "text/xml; charset=utf-8");
    assertThat(listed.statusCode()).isEqualTo(200);
    Document images = xml(listed.body());
    List<String> names = texts(images, "name");
    assertThat(names).contains(lineage.name);

    String getAnswer =
        String.format(
            ENVELOPE,
            "<v1:getAnswer><v1:terminalId>"
                + terminal.id()
                + "</v1:terminalId><v1:image>"
                + lineage.name
                + "</v1:image></v1:getAnswer>");
    HttpResponse<String> answered =
        post(basicHeader(Long.toString(terminal.id()), terminal.token()), getAnswer, "text/xml");
    assertThat(answered.statusCode()).isEqualTo(200);
    Document answer = xml(answered.body());
    JsonObject restAnswer =
        restAs(terminal.bearer(), strategyPath(terminal, lineage)).asJsonObject();
    assertThat(texts(answer, "strategy")).containsExactly(restAnswer.getString("strategy"));
    assertThat(texts(answer, "reason")).containsExactly(restAnswer.getString("reason"));
    assertThat(texts(answer, "totalBytes"))
        .containsExactly(restAnswer.getJsonNumber("totalBytes").toString());
    assertThat(texts(answer, "url"))
        .containsExactly(restAnswer.getJsonArray("downloads").getJsonObject(0).getString("url"));

    // Without credentials: HTTP 401 with a challenge and a soap:Client fault with the problem.
    HttpResponse<String> anonymous = post(null, getAnswer, "text/xml");
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate").orElse(""))
        .contains("Bearer")
        .contains("Basic");
    assertFault(anonymous.body(), "soap:Client", 401, "unauthorized");
  }

  // ---------------------------------------------------------------- hostile input

  @Test
  void hostileRequestsAreFaultsNotStackTraces() throws Exception {
    // A malformed envelope, a body that is no envelope, an unknown operation, a DTD.
    List<String> malformed =
        List.of(
            "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>",
            "not xml at all",
            String.format(ENVELOPE, "<v1:dropDatabase/>"),
            "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + String.format(ENVELOPE, "<v1:getImage><v1:name>&e;</v1:name></v1:getImage>"));
    for (String body : malformed) {
      HttpResponse<String> refused = post(ADMIN, body, "text/xml");
      assertThat(refused.statusCode()).as(body).isEqualTo(500);
      assertFault(refused.body(), "soap:Client", 400, "bad-request");
      assertThat(refused.body()).doesNotContain("root:").doesNotContain("\tat ");
    }

    // Oversized: refused on its declared length before it is read (413) ...
    byte[] huge = new byte[(2 << 20) + 1];
    java.util.Arrays.fill(huge, (byte) ' ');
    HttpResponse<String> declared =
        HttpClient.newHttpClient()
            .send(
                request(ADMIN, "text/xml")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(huge))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(declared.statusCode()).isEqualTo(413);
    assertFault(declared.body(), "soap:Client", 413, "body-too-large");

    // ... and, sent chunked without a length, cut off where it passes the limit.
    String opening =
        String.format(ENVELOPE, "<v1:getImage><v1:name>")
            .replace("</soap:Body></soap:Envelope>", "");
    byte[] start = opening.getBytes(StandardCharsets.UTF_8);
    InputStream endless =
        new java.io.SequenceInputStream(
            new ByteArrayInputStream(start),
            new ByteArrayInputStream(new byte[3 << 20]) {
              @Override
              public synchronized int read(byte[] b, int off, int len) {
                int n = super.read(b, off, len);
                for (int k = 0; k < Math.max(n, 0); k++) {
                  b[off + k] = 'a';
                }
                return n;
              }
            });
    HttpResponse<String> chunked =
        HttpClient.newHttpClient()
            .send(
                request(ADMIN, "text/xml")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> endless))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(chunked.statusCode()).isIn(413, 500);
    assertThat(chunked.body()).contains("<faultcode>soap:Client</faultcode>");
    assertThat(chunked.body()).doesNotContain("\tat ");

    // The server is fine afterwards.
    assertThat(port(ADMIN).getServer().getServerUuid()).isNotBlank();
  }

  // ---------------------------------------------------------------- the WSDL is reviewed

  @Test
  void theServedWsdlIsTheCheckedInOne() throws Exception {
    HttpResponse<String> served =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(soapUrl() + "?wsdl")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(served.statusCode()).as("the WSDL needs no token").isEqualTo(200);
    String checkedIn = java.nio.file.Files.readString(CHECKED_IN_WSDL);
    assertThat(canonical(xml(served.body())))
        .as(
            "the served WSDL differs from "
                + CHECKED_IN_WSDL
                + ": a change of the SOAP contract must change the checked-in copy too")
        .isEqualTo(canonical(xml(checkedIn)));
    assertThat(served.body()).contains("targetNamespace=\"urn:voi-update:soap:v1\"");
  }

  /**
   * The document with the order of siblings ignored (CXF writes operations and messages in no fixed
   * order), except inside {@code xs:sequence}, where order is the contract, and with the endpoint's
   * address left out (it is the server's own URL).
   */
  static String canonical(Node node) {
    if (node instanceof Document document) {
      return canonical(document.getDocumentElement());
    }
    if (node.getNodeType() == Node.TEXT_NODE) {
      return node.getTextContent().isBlank() ? "" : node.getTextContent().trim();
    }
    if (!(node instanceof Element element)) {
      return "";
    }
    StringBuilder out = new StringBuilder("<").append(element.getNodeName());
    List<String> attributes = new ArrayList<>();
    for (int k = 0; k < element.getAttributes().getLength(); k++) {
      Node attribute = element.getAttributes().item(k);
      boolean address =
          element.getLocalName() != null
              && element.getLocalName().equals("address")
              && attribute.getNodeName().equals("location");
      attributes.add(
          attribute.getNodeName() + "=" + (address ? "(address)" : attribute.getNodeValue()));
    }
    attributes.sort(null);
    attributes.forEach(a -> out.append(' ').append(a));
    out.append('>');
    List<String> children = new ArrayList<>();
    for (Node child = element.getFirstChild(); child != null; child = child.getNextSibling()) {
      String text = canonical(child);
      if (!text.isEmpty()) {
        children.add(text);
      }
    }
    if (!"sequence".equals(element.getLocalName())) {
      children.sort(null);
    }
    children.forEach(child -> out.append(child).append('\n'));
    return out.append("</").append(element.getNodeName()).append('>').toString();
  }

  // ---------------------------------------------------------------- helpers

  String terminalPath(Term terminal) {
    return "/terminals/" + terminal.id();
  }

  String strategyPath(Term terminal, Lineage lineage) {
    return terminalPath(terminal) + "/images/" + lineage.name + "/strategy";
  }

  String rolloutPath(Lineage lineage) {
    return "/images/" + lineage.name + "/rollout";
  }

  /** The nodes of a terminal holding {@code held}, linked as {@link #nodes} links them. */
  static List<ChainNode> chainNodes(List<String> held) {
    List<ChainNode> nodes = new ArrayList<>();
    for (int k = 0; k < held.size(); k++) {
      ChainNode node = new ChainNode();
      node.setHead(held.get(k));
      node.setTail(k + 1 < held.size() ? held.get(k + 1) : randomHex());
      nodes.add(node);
    }
    return nodes;
  }

  HttpRequest.Builder request(String authorization, String contentType) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(soapUrl()))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", contentType)
            .header("SOAPAction", "\"\"");
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return request;
  }

  HttpResponse<String> post(String authorization, String body, String contentType)
      throws Exception {
    return HttpClient.newHttpClient()
        .send(
            request(authorization, contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  static Document xml(String text) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    return factory.newDocumentBuilder().parse(new InputSource(new StringReader(text)));
  }

  static List<String> texts(Document document, String localName) {
    List<String> texts = new ArrayList<>();
    var nodes = document.getElementsByTagNameNS("*", localName);
    for (int k = 0; k < nodes.getLength(); k++) {
      texts.add(nodes.item(k).getTextContent());
    }
    return texts;
  }

  static void assertFault(String body, String code, int status, String slug) throws Exception {
    Document fault = xml(body);
    assertThat(texts(fault, "faultcode")).containsExactly(code);
    var problems = fault.getElementsByTagNameNS("urn:voi-update:soap:v1", "problem");
    assertThat(problems.getLength()).as(body).isEqualTo(1);
    Element problem = (Element) problems.item(0);
    assertThat(child(problem, "type")).isEqualTo("urn:voi-update:problem:" + slug);
    assertThat(child(problem, "status")).isEqualTo(Integer.toString(status));
    assertThat(child(problem, "title")).isNotBlank();
    assertThat(child(problem, "detail")).isNotBlank();
  }

  static String child(Element parent, String name) {
    var nodes = parent.getElementsByTagNameNS("urn:voi-update:soap:v1", name);
    return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent();
  }

  static void assertProblem(ProblemFault fault, int status, String slug) {
    assertThat(fault).as("a fault").isNotNull();
    Problem problem = fault.getFaultInfo();
    assertThat(problem.getStatus()).as(problem.getDetail()).isEqualTo(status);
    assertThat(problem.getType()).isEqualTo("urn:voi-update:problem:" + slug);
    assertThat(problem.getTitle()).isNotBlank();
    assertThat(problem.getDetail()).isNotBlank();
  }

  void assertRestProblem(String path, int status, String slug) {
    given()
        .header("Authorization", ADMIN)
        .get(api + path)
        .then()
        .statusCode(status)
        .body("type", org.hamcrest.Matchers.equalTo("urn:voi-update:problem:" + slug));
  }

  /**
   * The SOAP result holds exactly what the REST JSON holds: every JSON member has a getter of the
   * same name (a list: the singular's getter, {@code items}: the page's one list), with an equal
   * value; null matches absent or an empty list.
   */
  static void assertSameAs(Object soap, JsonValue json) {
    assertSame(soap, json, "$");
  }

  private static void assertSame(Object soap, JsonValue json, String path) {
    switch (json.getValueType()) {
      case NULL -> {
        if (soap instanceof Collection<?> list) {
          assertThat(list).as(path).isEmpty();
        } else {
          assertThat(soap).as(path).isNull();
        }
      }
      case OBJECT -> {
        assertThat(soap).as(path).isNotNull();
        for (Map.Entry<String, JsonValue> member : json.asJsonObject().entrySet()) {
          assertSame(
              getter(soap, member.getKey(), member.getValue()).apply(soap),
              member.getValue(),
              path + "." + member.getKey());
        }
      }
      case ARRAY -> {
        JsonArray array = json.asJsonArray();
        assertThat(soap).as(path).isInstanceOf(List.class);
        List<?> list = (List<?>) soap;
        assertThat(list).as(path).hasSize(array.size());
        for (int k = 0; k < array.size(); k++) {
          assertSame(list.get(k), array.get(k), path + "[" + k + "]");
        }
      }
      case STRING ->
          assertThat(String.valueOf(soap)).as(path).isEqualTo(((JsonString) json).getString());
      case NUMBER -> {
        assertThat(soap).as(path).isInstanceOf(Number.class);
        assertThat(new BigDecimal(soap.toString()).compareTo(((JsonNumber) json).bigDecimalValue()))
            .as(path + ": " + soap + " vs " + json)
            .isZero();
      }
      case TRUE, FALSE -> assertThat(soap).as(path).isEqualTo(json == JsonValue.TRUE);
    }
  }

  private static Function<Object, Object> getter(Object soap, String name, JsonValue value) {
    String capital = Character.toUpperCase(name.charAt(0)) + name.substring(1);
    List<String> candidates = new ArrayList<>(List.of("get" + capital, "is" + capital));
    if (name.endsWith("s")) {
      candidates.add(0, "get" + capital.substring(0, capital.length() - 1));
    }
    for (String candidate : candidates) {
      try {
        Method method = soap.getClass().getMethod(candidate);
        if (value.getValueType() == JsonValue.ValueType.ARRAY
            && !List.class.isAssignableFrom(method.getReturnType())
            && !candidate.equals("get" + capital)) {
          continue;
        }
        if (List.class.isAssignableFrom(method.getReturnType())
            || value.getValueType() != JsonValue.ValueType.ARRAY) {
          return object -> invoke(method, object);
        }
        // A wrapped list (<strategies><strategy/>…</strategies>): the wrapper's one list.
        for (Method inner : method.getReturnType().getMethods()) {
          if (List.class.isAssignableFrom(inner.getReturnType())) {
            return object -> {
              Object wrapper = invoke(method, object);
              return wrapper == null ? null : invoke(inner, wrapper);
            };
          }
        }
      } catch (NoSuchMethodException e) {
        // the next candidate
      }
    }
    if (name.equals("items")) {
      for (Method method : soap.getClass().getMethods()) {
        if (List.class.isAssignableFrom(method.getReturnType())) {
          return object -> invoke(method, object);
        }
      }
    }
    throw new AssertionError(soap.getClass().getSimpleName() + " has no member " + name);
  }

  private static Object invoke(Method method, Object target) {
    try {
      return method.invoke(target);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}
