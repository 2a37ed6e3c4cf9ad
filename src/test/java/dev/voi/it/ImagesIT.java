package dev.voi.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.voi.chain.CheckInfo;
import dev.voi.chain.Checksum;
import dev.voi.chain.StampRecord;
import dev.voi.qcow2.Qcow2Editor;
import dev.voi.qcow2.Qcow2Stamp;
import dev.voi.qcow2.Qemu;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Publishing lineages and serving layer files (docs/design.md §2-4, 9) on the real WAR, with files
 * made by the real qemu-img. Every test works on an image of its own.
 */
@ExtendWith({ArquillianExtension.class, OpenApiValidation.class})
class ImagesIT {

  static final String ADMIN = "Bearer it-admin-token";
  static final Path DATA = Path.of(System.getProperty("voi.test.data.dir"));

  @Deployment(testable = false)
  static WebArchive war() {
    return ShrinkWrap.createFromZipFile(WebArchive.class, new File("target/voi-update.war"));
  }

  @ArquillianResource URL base;
  @TempDir Path work;

  String api;

  @BeforeEach
  void urls() {
    base = Deployed.application(base);
    api = base.toString() + "api/v1";
  }

  @Test
  void aBaseAndThreeDiffsPublishDownloadVerifyAndResolveAsAChain() throws Exception {
    String image = image("chain");
    Path upload = Qemu.create(work.resolve("base.qcow2"), "64M", "");
    Qemu.io(upload, "write -P 0x11 0 1M").assertOk();
    Checksum baseDigest = Checksum.sha256Of(upload);
    JsonPath created =
        publishImage(image, 7, upload)
            .then()
            .statusCode(201)
            .header("Location", org.hamcrest.Matchers.endsWith("/api/v1/images/" + image))
            .extract()
            .jsonPath();
    assertThat(created.getString("layers[0].contentDigest")).isEqualTo(baseDigest.hex());
    UUID server = UUID.fromString(adminGet("/server").jsonPath().getString("serverUuid"));
    assertThat(created.getString("tip.checksum"))
        .as("c_0 = SHA-256 of the initial check info of docs/design.md §2")
        .isEqualTo(new CheckInfo(7, server, image, null, baseDigest).checksum().hex());

    for (int k = 1; k <= 3; k++) {
      publishDiff(image, k, (byte) (0x20 + k))
          .then()
          .statusCode(201)
          .body("depth", equalTo(k))
          .body("version", equalTo(7 + k))
          .body("note", nullValue());
    }
    JsonPath lineage = adminGet("/images/" + image).jsonPath();
    assertThat(lineage.getList("layers")).hasSize(4);
    assertThat(lineage.getInt("tip.depth")).isEqualTo(3);

    Path fresh = Files.createDirectories(work.resolve("fresh"));
    for (int k = 0; k <= 3; k++) {
      String prefix = "layers[" + k + "].";
      Path file = download(image, lineage.getString(prefix + "checksum"), fresh);
      assertThat(file.getFileName().toString()).isEqualTo(lineage.getString(prefix + "fileName"));
      assertThat(Checksum.sha256Of(file).hex()).isEqualTo(lineage.getString(prefix + "sha256"));
      assertThat(Files.size(file)).isEqualTo(lineage.getLong(prefix + "size"));
      Qcow2Stamp stamp = Qcow2Editor.readStamp(file);
      assertThat(stamp.isStamped()).isTrue();
      assertThat(stamp.record())
          .contains(
              new StampRecord(Checksum.ofHex(lineage.getString(prefix + "checksum")), 7 + k, k));
      Qemu.check(file).assertOk();
      if (k > 0) {
        String expectedParent = lineage.getString("layers[" + (k - 1) + "].checksum");
        Checksum digest = Checksum.ofHex(lineage.getString(prefix + "contentDigest"));
        assertThat(lineage.getString(prefix + "checksum"))
            .isEqualTo(
                new CheckInfo(7 + k, server, image, Checksum.ofHex(expectedParent), digest)
                    .checksum()
                    .hex());
      }
    }
    Path tip = fresh.resolve(lineage.getString("layers[3].fileName"));
    String chain =
        Qemu.run(fresh, "qemu-img", "info", "--backing-chain", "--output=json", tip.toString())
            .assertOk()
            .stdout();
    assertThat(JsonPath.from(chain).getList("filename")).hasSize(4);
    assertThat(JsonPath.from(chain).getList("format")).containsOnly("qcow2");
    Qemu.io(tip, "read -P 0x11 0 1M").assertOk();
    Qemu.io(tip, "read -P 0x23 3M 1M").assertOk();
  }

  @Test
  void rangedDownloadsReassembleAndConditionalRequestsAreHonoured() throws Exception {
    String image = image("ranges");
    Path upload = Qemu.create(work.resolve("base.qcow2"), "64M", "");
    Qemu.io(upload, "write -P 0x5a 0 2M").assertOk();
    JsonPath layer = publishImage(image, 1, upload).then().statusCode(201).extract().jsonPath();
    String checksum = layer.getString("tip.checksum");
    String sha = layer.getString("layers[0].sha256");
    long size = layer.getLong("layers[0].size");
    String url = api + "/images/" + image + "/layers/" + checksum + "/content";
    String etag = "\"" + sha + "\"";

    ByteArrayOutputStream parts = new ByteArrayOutputStream();
    long[][] ranges = {{0, 999}, {1000, size / 2}, {size / 2 + 1, size - 1}};
    for (long[] range : ranges) {
      Response part =
          given()
              .header("Authorization", ADMIN)
              .header("Range", "bytes=" + range[0] + "-" + range[1])
              .header("If-Range", etag)
              .get(url);
      part.then()
          .statusCode(206)
          .header("Content-Range", "bytes " + range[0] + "-" + range[1] + "/" + size)
          .header("Content-Length", String.valueOf(range[1] - range[0] + 1));
      parts.write(part.asByteArray());
    }
    assertThat(Checksum.sha256(parts.toByteArray()).hex()).isEqualTo(sha);

    given()
        .header("Authorization", ADMIN)
        .header("Range", "bytes=" + size + "-")
        .get(url)
        .then()
        .statusCode(416)
        .header("Content-Range", "bytes */" + size)
        .contentType("application/problem+json")
        .body("type", equalTo("urn:voi-update:problem:range-not-satisfiable"));
    given()
        .header("Authorization", ADMIN)
        .header("Range", "bytes=99999999999999999999-")
        .get(url)
        .then()
        .statusCode(416)
        .contentType("application/problem+json");
    given()
        .header("Authorization", ADMIN)
        .header("Range", "bytes=0-9")
        .header("If-Range", "\"" + "0".repeat(64) + "\"")
        .get(url)
        .then()
        .statusCode(200)
        .header("Content-Length", String.valueOf(size));
    given()
        .header("Authorization", ADMIN)
        .header("Range", "bytes=-10")
        .get(url)
        .then()
        .statusCode(206)
        .header("Content-Range", "bytes " + (size - 10) + "-" + (size - 1) + "/" + size);
    given()
        .header("Authorization", ADMIN)
        .header("If-None-Match", etag)
        .get(url)
        .then()
        .statusCode(304)
        .header("ETag", etag);
    Response head = given().header("Authorization", ADMIN).head(url);
    head.then()
        .statusCode(200)
        .header("ETag", etag)
        .header("Accept-Ranges", "bytes")
        .header("Content-Length", String.valueOf(size))
        .header(
            "Content-Disposition",
            "attachment; filename=\"" + layer.getString("layers[0].fileName") + "\"")
        .header(
            "Repr-Digest",
            "sha-256=:" + Base64.getEncoder().encodeToString(Checksum.ofHex(sha).bytes()) + ":");
    assertThat(head.asByteArray()).isEmpty();
    given().get(url).then().statusCode(401);
    given()
        .header("Authorization", ADMIN)
        .get(api + "/images/" + image + "/layers/" + "0".repeat(64) + "/content")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }

  @Test
  void badUploadsAreRefusedWithProblemJsonAndLeaveNothingBehind() throws Exception {
    String image = image("bad");
    Path good = Qemu.create(work.resolve("good.qcow2"), "64M", "");
    JsonPath created = publishImage(image, 1, good).then().statusCode(201).extract().jsonPath();
    String tip = created.getString("tip.checksum");
    String tipName = created.getString("layers[0].fileName");
    Files.copy(good, work.resolve(tipName));
    Snapshot before = snapshot(image);

    Path garbage = work.resolve("garbage.bin");
    Files.write(garbage, new byte[70_000]);
    Path withBacking = Qemu.overlay(work.resolve("overlay.qcow2"), tipName, "");
    Path noBacking = Qemu.create(work.resolve("nobacking.qcow2"), "64M", "");
    Path smallClusters = Qemu.overlay(work.resolve("small.qcow2"), tipName, "cluster_size=512");
    Path lazy = Qemu.overlay(work.resolve("lazy.qcow2"), tipName, "lazy_refcounts=on");
    Path wrongBacking = Qemu.overlay(work.resolve("wrong.qcow2"), "good.qcow2", "");
    Path truncated = work.resolve("truncated.qcow2");
    Files.write(truncated, prefix(Files.readAllBytes(withBacking), 50));
    Path dirty = work.resolve("dirty.qcow2");
    Files.copy(withBacking, dirty);
    try (RandomAccessFile raf = new RandomAccessFile(dirty.toFile(), "rw")) {
      raf.seek(72 + 7);
      raf.write(1); // incompatible feature bit 0: dirty
    }
    String diffs = "/images/" + image + "/layers?parent=" + tip;
    Map<String, Object[]> cases = new java.util.LinkedHashMap<>();
    cases.put(
        "garbage base", new Object[] {"/images?name=" + image + "-2", garbage, 400, "not-qcow2"});
    cases.put("garbage diff", new Object[] {diffs, garbage, 400, "not-qcow2"});
    cases.put(
        "base with backing",
        new Object[] {"/images?name=" + image + "-3", withBacking, 422, "base-has-backing-file"});
    cases.put(
        "new base with backing",
        new Object[] {"/images/" + image + "/base", withBacking, 422, "base-has-backing-file"});
    cases.put(
        "diff without backing", new Object[] {diffs, noBacking, 422, "diff-without-backing-file"});
    cases.put(
        "512-byte clusters", new Object[] {diffs, smallClusters, 422, "qcow2-layout-refused"});
    cases.put("lazy refcounts", new Object[] {diffs, lazy, 422, "qcow2-layout-refused"});
    cases.put("dirty bit", new Object[] {diffs, dirty, 422, "qcow2-layout-refused"});
    cases.put("truncated", new Object[] {diffs, truncated, 400, "not-qcow2"});
    cases.put(
        "built on another file", new Object[] {diffs, wrongBacking, 409, "stale-or-wrong-parent"});
    cases.put(
        "stale parent",
        new Object[] {
          "/images/" + image + "/layers?parent=" + "a".repeat(64),
          withBacking,
          409,
          "stale-or-wrong-parent"
        });
    cases.put(
        "digest mismatch",
        new Object[] {diffs + "&digest=sha256:" + "b".repeat(64), withBacking, 400, "bad-request"});
    cases.put(
        "malformed digest",
        new Object[] {diffs + "&digest=md5:abc", withBacking, 400, "bad-request"});
    cases.put(
        "negative version", new Object[] {diffs + "&version=-1", withBacking, 400, "bad-request"});
    cases.put(
        "missing parent",
        new Object[] {"/images/" + image + "/layers", withBacking, 400, "bad-request"});
    cases.put(
        "uppercase parent",
        new Object[] {
          "/images/" + image + "/layers?parent=" + tip.toUpperCase(),
          withBacking,
          400,
          "bad-request"
        });
    cases.put("bad image name", new Object[] {"/images?name=.hidden", good, 400, "bad-request"});
    cases.put(
        "note too long",
        new Object[] {diffs + "&note=" + "n".repeat(1001), withBacking, 400, "bad-request"});
    cases.put("image exists", new Object[] {"/images?name=" + image, good, 409, "image-exists"});
    cases.put(
        "unknown image",
        new Object[] {
          "/images/" + image + "-none/layers?parent=" + tip, withBacking, 404, "not-found"
        });
    for (Map.Entry<String, Object[]> entry : cases.entrySet()) {
      Object[] c = entry.getValue();
      Response response = post((String) c[0], (Path) c[1]);
      assertThat(response.statusCode())
          .as(entry.getKey() + ": " + response.asString())
          .isEqualTo(c[2]);
      assertThat(response.contentType()).as(entry.getKey()).startsWith("application/problem+json");
      assertThat(response.jsonPath().getString("type"))
          .as(entry.getKey())
          .isEqualTo("urn:voi-update:problem:" + c[3]);
      assertThat(snapshot(image)).as(entry.getKey() + " leaves nothing behind").isEqualTo(before);
    }
  }

  @Test
  void anUploadOverTheLimitOrBeyondTheFreeSpaceIsRefusedBeforeItsBody() throws Exception {
    String image = image("limits");
    Snapshot before = snapshot(image);
    String tooLarge = rawPost("/images?name=" + image, 100L << 20, 0);
    assertThat(tooLarge).startsWith("HTTP/1.1 413").contains("upload-too-large");
    String noRoom = rawPost("/images?name=" + image + "-2", 1L << 50, 0);
    assertThat(noRoom).startsWith("HTTP/1.1 507").contains("insufficient-storage");
    assertThat(snapshot(image)).isEqualTo(before);
  }

  @Test
  void aClientThatDisconnectsHalfWayLeavesNothing() throws Exception {
    String image = image("cut");
    Path upload = Qemu.create(work.resolve("base.qcow2"), "64M", "");
    Qemu.io(upload, "write -P 0x77 0 4M").assertOk();
    byte[] bytes = Files.readAllBytes(upload);
    Snapshot before = snapshot(image);
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST "
                  + base.getPath()
                  + "api/v1/images?name="
                  + image
                  + " HTTP/1.1\r\n"
                  + "Host: "
                  + base.getHost()
                  + "\r\nAuthorization: "
                  + ADMIN
                  + "\r\n"
                  + "Content-Type: application/octet-stream\r\nContent-Length: "
                  + bytes.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(bytes, 0, bytes.length / 2);
      out.flush();
      Thread.sleep(500);
    }
    long deadline = System.currentTimeMillis() + 20_000;
    while (!snapshot(image).equals(before) && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    assertThat(snapshot(image)).isEqualTo(before);
    adminGetStatus("/images/" + image, 404);
  }

  @Test
  void aTruncatedQcow2IsRefusedAndNothingIsStored() throws Exception {
    Path whole = Qemu.create(work.resolve("whole.qcow2"), "64M", "");
    Qemu.io(whole, "write -P 0x6b 0 1M").assertOk();
    byte[] bytes = Files.readAllBytes(whole);
    assertThat(bytes.length).isGreaterThan(1_000_000);
    Path cut = work.resolve("cut.qcow2");
    Files.write(cut, java.util.Arrays.copyOf(bytes, 300_000));
    assertThat(Qemu.check(cut).exitCode()).as("qemu-img check of the cut file").isNotZero();
    String image = image("cut");
    post("/images?name=" + image, cut)
        .then()
        .statusCode(422)
        .contentType("application/problem+json")
        .body("type", equalTo("urn:voi-update:problem:qcow2-damaged"))
        .body("detail", org.hamcrest.Matchers.containsString("past the end of the file"));
    adminGetStatus("/images/" + image, 404);
    assertThat(DATA.resolve("images").resolve(image)).doesNotExist();
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void identicalUploadsAtOnceNeverFail() throws Exception {
    String image = image("same");
    Path upload = Qemu.create(work.resolve("base.qcow2"), "64M", "");
    Qemu.io(upload, "write -P 0x3c 0 8M").assertOk();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Callable<Integer> call =
            () -> post("/images?name=" + image + "&version=1", upload).statusCode();
        results.add(pool.submit(call));
      }
      List<Integer> statuses = new ArrayList<>();
      for (Future<Integer> result : results) {
        statuses.add(result.get());
      }
      // A client that retries after a time-out sends the same file again: one publish wins, the
      // others are told why (the image exists, or the same file was published), never 500.
      assertThat(statuses).containsOnly(201, 409).filteredOn(s -> s == 201).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
    JsonPath lineage = adminGet("/images/" + image).jsonPath();
    assertThat(lineage.getList("layers.depth", Integer.class)).containsExactly(0);
    assertThat(layerFiles(image)).hasSize(1);
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void notesAreFreeTextCountedInCharactersWithoutControlCharacters() throws Exception {
    Path upload = Qemu.create(work.resolve("base.qcow2"), "64M", "");
    for (String bad : new String[] {"a\u0000b", "a\u001Bb"}) {
      String image = image("note");
      given()
          .header("Authorization", ADMIN)
          .contentType("application/octet-stream")
          .queryParam("name", image)
          .queryParam("note", bad)
          .body(upload.toFile())
          .post(api + "/images")
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body("detail", org.hamcrest.Matchers.containsString("note"));
      adminGetStatus("/images/" + image, 404);
      assertThat(DATA.resolve("images").resolve(image)).doesNotExist();
    }
    String emoji = "\uD83D\uDE80".repeat(600); // 600 characters, 1,200 UTF-16 units
    String image = image("emoji");
    given()
        .header("Authorization", ADMIN)
        .contentType("application/octet-stream")
        .queryParam("name", image)
        .queryParam("note", emoji + "\tline two")
        .body(upload.toFile())
        .post(api + "/images")
        .then()
        .statusCode(201)
        .body("layers[0].note", equalTo(emoji + "\tline two"));
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void twoDiffsOnTheSameTipAtOnceExactlyOneWins() throws Exception {
    String image = image("race");
    Path upload = Qemu.create(work.resolve("base.qcow2"), "64M", "");
    JsonPath created = publishImage(image, 1, upload).then().statusCode(201).extract().jsonPath();
    String tip = created.getString("tip.checksum");
    String tipName = created.getString("layers[0].fileName");
    Files.copy(upload, work.resolve(tipName));
    List<Path> diffs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Path diff = Qemu.overlay(work.resolve("race" + i + ".qcow2"), tipName, "");
      Qemu.io(diff, "write -P " + (0x40 + i) + " 0 1M").assertOk();
      diffs.add(diff);
    }
    ExecutorService pool = Executors.newFixedThreadPool(diffs.size());
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (Path diff : diffs) {
        Callable<Integer> call =
            () -> post("/images/" + image + "/layers?parent=" + tip, diff).statusCode();
        results.add(pool.submit(call));
      }
      List<Integer> statuses = new ArrayList<>();
      for (Future<Integer> result : results) {
        statuses.add(result.get());
      }
      assertThat(statuses).containsOnly(201, 409).filteredOn(s -> s == 201).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
    JsonPath lineage = adminGet("/images/" + image).jsonPath();
    assertThat(lineage.getList("layers.depth", Integer.class)).containsExactly(0, 1);
    assertThat(layerFiles(image)).hasSize(2);
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void retiringTheTipKeepsItDownloadableAndRepublishingReactivatesIt() throws Exception {
    String image = image("retire");
    Path upload = Qemu.create(work.resolve("base.qcow2"), "64M", "");
    JsonPath created = publishImage(image, 1, upload).then().statusCode(201).extract().jsonPath();
    String tip = created.getString("tip.checksum");
    String tipName = created.getString("layers[0].fileName");
    Files.copy(upload, work.resolve(tipName));
    Path diff = Qemu.overlay(work.resolve("d1.qcow2"), tipName, "");
    Qemu.io(diff, "write -P 0x61 0 1M").assertOk();
    JsonPath layer =
        post("/images/" + image + "/layers?parent=" + tip + "&note=office", diff)
            .then()
            .statusCode(201)
            .body("note", equalTo("office"))
            .extract()
            .jsonPath();
    String diffChecksum = layer.getString("checksum");

    adminDelete("/images/" + image + "/layers/0")
        .then()
        .statusCode(409)
        .contentType("application/problem+json");
    adminDelete("/images/" + image + "/layers/2").then().statusCode(409);
    adminDelete("/images/" + image + "/layers/1")
        .then()
        .statusCode(200)
        .body("state", equalTo("RETIRED"));
    JsonPath lineage = adminGet("/images/" + image).jsonPath();
    assertThat(lineage.getInt("tip.depth")).isZero();
    assertThat(lineage.getList("layers.state")).containsExactly("PUBLISHED", "RETIRED");
    given()
        .header("Authorization", ADMIN)
        .get(api + "/images/" + image + "/layers/" + diffChecksum + "/content")
        .then()
        .statusCode(200);

    post("/images/" + image + "/layers?parent=" + tip + "&note=office", diff)
        .then()
        .statusCode(201)
        .body("checksum", equalTo(diffChecksum))
        .body("state", equalTo("PUBLISHED"))
        .body("depth", equalTo(1));
    lineage = adminGet("/images/" + image).jsonPath();
    assertThat(lineage.getList("layers.state")).containsExactly("PUBLISHED", "PUBLISHED");
    assertThat(layerFiles(image)).hasSize(2);

    Path rebuilt = Qemu.create(work.resolve("rebuilt.qcow2"), "64M", "");
    Qemu.io(rebuilt, "write -P 0x62 0 1M").assertOk();
    given()
        .header("Authorization", ADMIN)
        .contentType("application/octet-stream")
        .body(rebuilt.toFile())
        .post(api + "/images/" + image + "/base?version=1")
        .then()
        .statusCode(201)
        .body("depth", equalTo(0))
        .body("version", equalTo(1));
    lineage = adminGet("/images/" + image).jsonPath();
    assertThat(lineage.getList("layers.state")).containsExactly("RETIRED", "RETIRED", "PUBLISHED");
    assertThat(lineage.getString("tip.checksum")).isNotEqualTo(tip);

    given()
        .header("Authorization", ADMIN)
        .contentType("application/json")
        .body("{\"policy\":\"catch-up\",\"maxIncrementalLayers\":3}")
        .put(api + "/images/" + image + "/policy")
        .then()
        .statusCode(200)
        .body("policy", equalTo("catch-up"))
        .body("maxIncrementalLayers", equalTo(3));
    given()
        .header("Authorization", ADMIN)
        .contentType("application/json")
        .body("{\"policy\":\"newest\"}")
        .put(api + "/images/" + image + "/policy")
        .then()
        .statusCode(400);
    given()
        .header("Authorization", ADMIN)
        .contentType("application/json")
        .body("{\"policy\":")
        .put(api + "/images/" + image + "/policy")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
    String deep = "[".repeat(1001) + "]".repeat(1001);
    for (String sloppy :
        new String[] {
          "{\"policy\":\"catch-up\",\"maxIncrementalLayers\":2.5}",
          "{\"policy\":\"catch-up\",\"maxIncrementalLayers\":\"3\"}",
          "{\"policy\":\"catch-up\",\"policy\":\"patent\"}",
          "{\"policy\":\"catch-up\",\"x\":" + deep + "}",
          "{\"policy\":\"catch-up\"} {}"
        }) {
      given()
          .header("Authorization", ADMIN)
          .contentType("application/json")
          .body(sloppy)
          .put(api + "/images/" + image + "/policy")
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body("type", equalTo("urn:voi-update:problem:bad-request"));
    }
    given()
        .header("Authorization", ADMIN)
        .contentType("application/json")
        .body("{\"policy\":\"" + "p".repeat(70_000) + "\"}")
        .put(api + "/images/" + image + "/policy")
        .then()
        .statusCode(413)
        .contentType("application/problem+json");
    adminGet("/images/" + image)
        .then()
        .body("policy", equalTo("catch-up"))
        .body("maxIncrementalLayers", equalTo(3));
  }

  @Test
  void imagesAreListedByNameWithACursor() throws Exception {
    String prefix = image("list");
    Path upload = Qemu.create(work.resolve("base.qcow2"), "64M", "");
    for (int i = 0; i < 3; i++) {
      publishImage(prefix + "-" + i, 1, upload).then().statusCode(201);
    }
    List<String> names = new ArrayList<>();
    String cursor = null;
    do {
      var request = given().header("Authorization", ADMIN).queryParam("limit", 2);
      if (cursor != null) {
        request.queryParam("cursor", cursor);
      }
      JsonPath page = request.get(api + "/images").then().statusCode(200).extract().jsonPath();
      names.addAll(page.getList("items.name"));
      cursor = page.getString("next");
    } while (cursor != null);
    assertThat(names).isSorted().contains(prefix + "-0", prefix + "-1", prefix + "-2");
  }

  // --- helpers ---

  private static String image(String what) {
    return what + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private Response publishImage(String image, long version, Path file) {
    return post("/images?name=" + image + "&version=" + version, file);
  }

  /** Downloads the tip, builds an overlay on it with the tip's canonical name, publishes it. */
  private Response publishDiff(String image, int k, byte pattern) throws IOException {
    JsonPath lineage = adminGet("/images/" + image).jsonPath();
    String tip = lineage.getString("tip.checksum");
    Path dir = Files.createDirectories(work.resolve("build-" + image));
    Path tipFile = download(image, tip, dir);
    Path diff = dir.resolve("diff" + k + ".qcow2");
    Qemu.run(
            dir,
            "qemu-img",
            "create",
            "-q",
            "-f",
            "qcow2",
            "-F",
            "qcow2",
            "-b",
            tipFile.getFileName().toString(),
            diff.getFileName().toString())
        .assertOk();
    Qemu.io(diff, "write -P " + pattern + " " + k + "M 1M").assertOk();
    // Odd diffs name their digest up front: the server then hashes the stamped file on the way
    // in; the downloads' SHA-256 must be the same either way.
    String digest = k % 2 == 1 ? "&digest=sha256:" + Checksum.sha256Of(diff).hex() : "";
    return post("/images/" + image + "/layers?parent=" + tip + digest, diff);
  }

  private Path download(String image, String checksum, Path dir) throws IOException {
    Response response =
        given()
            .header("Authorization", ADMIN)
            .get(api + "/images/" + image + "/layers/" + checksum + "/content");
    response.then().statusCode(200);
    String disposition = response.header("Content-Disposition");
    String name =
        disposition.substring(disposition.indexOf("filename=\"") + 10, disposition.length() - 1);
    Path file = dir.resolve(name);
    try (InputStream in = response.asInputStream()) {
      Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    return file;
  }

  private Response post(String path, Path file) {
    return given()
        .header("Authorization", ADMIN)
        .contentType("application/octet-stream")
        .body(file.toFile())
        .post(api + path);
  }

  private Response adminGet(String path) {
    Response response = given().header("Authorization", ADMIN).get(api + path);
    response.then().statusCode(200);
    return response;
  }

  private void adminGetStatus(String path, int status) {
    given().header("Authorization", ADMIN).get(api + path).then().statusCode(status);
  }

  private Response adminDelete(String path) {
    return given().header("Authorization", ADMIN).delete(api + path);
  }

  /** Sends only the headers of an upload (Expect: 100-continue) and returns what comes back. */
  private String rawPost(String path, long contentLength, int bodyBytes) throws IOException {
    try (Socket socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST "
                  + base.getPath()
                  + "api/v1"
                  + path
                  + " HTTP/1.1\r\n"
                  + "Host: "
                  + base.getHost()
                  + "\r\nAuthorization: "
                  + ADMIN
                  + "\r\n"
                  + "Content-Type: application/octet-stream\r\nExpect: 100-continue\r\n"
                  + "Content-Length: "
                  + contentLength
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[bodyBytes]);
      out.flush();
      byte[] answer = new byte[8192];
      StringBuilder text = new StringBuilder();
      InputStream in = socket.getInputStream();
      int read;
      while (!text.toString().contains("}") && (read = in.read(answer)) != -1) {
        text.append(new String(answer, 0, read, StandardCharsets.UTF_8));
      }
      String all = text.toString();
      // An interim 100 Continue may precede the final answer.
      return all.startsWith("HTTP/1.1 100") ? all.substring(all.indexOf("HTTP/1.1", 5)) : all;
    }
  }

  record Snapshot(long rows, List<String> files, List<String> temp) {}

  private Snapshot snapshot(String image) throws Exception {
    long rows;
    try (Connection connection =
            DriverManager.getConnection(System.getProperty("voi.test.db.url"));
        Statement statement = connection.createStatement();
        ResultSet row =
            statement.executeQuery(
                "SELECT COUNT(*) FROM layer l JOIN image i ON i.id = l.image_id WHERE i.name LIKE '"
                    + image
                    + "%'")) {
      row.next();
      rows = row.getLong(1);
    }
    return new Snapshot(rows, layerFiles(image), tempFiles());
  }

  private static List<String> layerFiles(String image) throws IOException {
    Path dir = DATA.resolve("images").resolve(image);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static List<String> tempFiles() throws IOException {
    Path dir = DATA.resolve("tmp");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static byte[] prefix(byte[] bytes, int length) {
    return java.util.Arrays.copyOf(bytes, length);
  }
}
