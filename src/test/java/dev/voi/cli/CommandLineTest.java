package dev.voi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code voi}'s argument parsing, where the server and the token come from, and how answers and
 * refusals come out (one line, exit code), against a small fake server that records requests.
 */
class CommandLineTest extends CliFixture {

  // ------------------------------------------------------------------------ usage, exit 1

  @Test
  void noCommandIsAUsageError() {
    Run run = voi();
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).startsWith("voi: usage: a command is required");
    assertThat(requests).isEmpty();
  }

  @Test
  void missingArgumentsAndUnknownOptionsAreUsageErrors() {
    assertThat(voi("publish", "lab").exit()).isEqualTo(1);
    Run unknown = voi("images", "--frobnicate");
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err()).contains("--frobnicate").contains("voi images --help");
    assertThat(voi("assign", "not-a-number", "lab").exit()).isEqualTo(1);
    assertThat(voi("rollout", "lab", "explode").exit()).isEqualTo(1);
    assertThat(requests).isEmpty();
  }

  @Test
  void badImageNamesAreRefusedBeforeAnyRequest() {
    Run run = voi("lineage", "../etc");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).startsWith("voi: error: IMAGE: ");
    assertThat(requests).isEmpty();
  }

  @Test
  void planOptionsGoWithSetOnly() {
    Run run = voi("rollout", "lab", "show", "--wave", "canary");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("go with set");
    assertThat(voi("rollout", "lab", "set").err()).contains("give the waves");
    assertThat(requests).isEmpty();
  }

  @Test
  void helpAndVersionExitZero() {
    Run help = voi("publish", "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("--new-base").contains("--version=V");
    Run version = voi("--version");
    assertThat(version.exit()).isZero();
    assertThat(version.out()).startsWith("voi ");
  }

  // ------------------------------------------------------------ server and token sources

  @Test
  void theServerComesFromTheFlagThenTheEnvironmentThenTheDefault() {
    Common common = new Common();
    assertThat(common.serverUri(Map.of())).hasToString(Common.DEFAULT_SERVER);
    assertThat(common.serverUri(Map.of("VOI_SERVER", "http://env:1"))).hasToString("http://env:1");
    common.server = "https://flag:2/";
    assertThat(common.serverUri(Map.of("VOI_SERVER", "http://env:1")))
        .hasToString("https://flag:2/");
    env.put("VOI_SERVER", "ftp://nope");
    Run bad = voi("images");
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err()).contains("VOI_SERVER: expected an http or https URL");
  }

  @Test
  void theTokenComesFromTheFileThenVoiTokenThenVoiTokenFile() throws IOException {
    answer("GET /api/v1/images?limit=500", 200, "{\"items\":[],\"next\":null}");
    Path file = Files.writeString(dir.resolve("admin.token"), "file-token\nignored\n");
    Path other = Files.writeString(dir.resolve("other.token"), "other-file-token\n");
    env.put("VOI_TOKEN_FILE", other.toString());
    assertThat(voi("images", "--token-file", file.toString()).exit()).isZero();
    assertThat(voi("images").exit()).isZero();
    env.remove("VOI_TOKEN");
    assertThat(voi("images").exit()).isZero();
    assertThat(requests)
        .extracting(Request::authorization)
        .containsExactly("Bearer file-token", "Bearer env-token", "Bearer other-file-token");
    env.remove("VOI_TOKEN_FILE");
    Run none = voi("images");
    assertThat(none.exit()).isEqualTo(1);
    assertThat(none.err()).contains("no admin token");
    Path empty = Files.writeString(dir.resolve("empty.token"), "\n");
    assertThat(voi("images", "--token-file", empty.toString()).err()).contains("is empty");
    assertThat(voi("images", "--token-file", dir.resolve("missing").toString()).err())
        .contains("does not exist");
  }

  // ------------------------------------------------------------------ answers and errors

  @Test
  void listsFollowEveryPageIntoOneJsonDocument() {
    answer(
        "GET /api/v1/images?limit=500",
        200,
        "{\"items\":[{\"name\":\"a\",\"policy\":\"patent\",\"tip\":null}],\"next\":\"a\"}");
    answer(
        "GET /api/v1/images?limit=500&cursor=a",
        200,
        "{\"items\":[{\"name\":\"b\",\"policy\":\"catch-up\",\"tip\":{\"depth\":2,\"version\":3,"
            + "\"checksum\":\"00112233445566778899\"}}],\"next\":null}");
    Run json = voi("images", "--json");
    assertThat(json.exit()).isZero();
    assertThat(json.json().path("items").findValuesAsText("name")).containsExactly("a", "b");
    Run table = voi("images");
    assertThat(table.out().lines().toList())
        .hasSize(3)
        .anyMatch(line -> line.matches("b\\s+catch-up\\s+2\\s+3\\s+001122334455"));
  }

  @Test
  void aProblemBecomesOneLineAndExitThree() {
    answers.put(
        "GET /api/v1/images/lab",
        new Canned(
            404,
            "application/problem+json",
            "{\"type\":\"urn:voi:not-found\",\"title\":\"Not Found\",\"status\":404,"
                + "\"detail\":\"no image named lab\"}"));
    Run run = voi("lineage", "lab");
    assertThat(run.exit()).isEqualTo(3);
    assertThat(run.err().lines().toList())
        .containsExactly(
            "voi: error: cannot show image lab: server answered 404 Not Found: no image named lab");
    answers.put(
        "GET /api/v1/images/lab",
        new Canned(401, "application/problem+json", "{\"title\":\"Unauthorized\",\"status\":401}"));
    Run unauthorized = voi("lineage", "lab");
    assertThat(unauthorized.exit()).isEqualTo(3);
    assertThat(unauthorized.err()).contains("401 Unauthorized").contains("admin token");
  }

  @Test
  void anUnreachableServerIsExitThree() throws IOException {
    int port;
    try (var socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Run run = voi("images", "--server", "http://127.0.0.1:" + port);
    assertThat(run.exit()).isEqualTo(3);
    assertThat(run.err()).contains("connection refused");
  }

  @Test
  void rolloutSetSendsThePlanFromTheFlags() {
    answer("PUT /api/v1/images/lab/rollout", 200, rollout("ROLLING"));
    Run run =
        voi(
            "rollout",
            "lab",
            "set",
            "--wave",
            "canary",
            "--wave",
            "lab-a, lab-b",
            "--wave",
            "*",
            "--success-threshold",
            "0.8",
            "--no-auto-advance",
            "--json");
    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode sent = Json.parse(requests.get(0).body().getBytes(StandardCharsets.UTF_8));
    assertThat(Json.write(sent.path("waves")).replaceAll("\\s", ""))
        .isEqualTo("[[\"canary\"],[\"lab-a\",\"lab-b\"],[\"*\"]]");
    assertThat(sent.path("successThreshold").asDouble()).isEqualTo(0.8);
    assertThat(sent.path("autoAdvance").asBoolean(true)).isFalse();
    assertThat(sent.has("errorThreshold")).isFalse();
    assertThat(run.json().path("state").asText()).isEqualTo("ROLLING");
  }

  @Test
  void rolloutSetSendsAPlanFileAsItIs() throws IOException {
    answer("PUT /api/v1/images/lab/rollout", 200, rollout("IDLE"));
    Path plan =
        Files.writeString(
            dir.resolve("plan.json"), "{\"waves\":[[\"canary\"],[\"*\"]],\"errorThreshold\":0.2}");
    Run run = voi("rollout", "lab", "set", "--plan", plan.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode sent = Json.parse(requests.get(0).body().getBytes(StandardCharsets.UTF_8));
    assertThat(sent.path("errorThreshold").asDouble()).isEqualTo(0.2);
    assertThat(run.out()).startsWith("lab: IDLE");
    Path broken = Files.writeString(dir.resolve("broken.json"), "{\"waves\":");
    assertThat(voi("rollout", "lab", "set", "--plan", broken.toString()).exit()).isEqualTo(1);
    assertThat(requests).hasSize(1);
  }

  @Test
  void registerCanSaveTheTokenToAPrivateFile() throws IOException {
    answer(
        "POST /api/v1/terminals",
        201,
        "{\"id\":7,\"name\":\"pc-1\",\"group\":\"lab-a\",\"token\":\"secret-token\"}");
    Path tokenFile = dir.resolve("pc-1.token");
    Run run = voi("register", "pc-1", "--group", "lab-a", "--save-token", tokenFile.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("registered terminal 7 pc-1 (group lab-a)")
        .doesNotContain("secret");
    assertThat(Files.readString(tokenFile)).isEqualTo("secret-token\n");
    assertThat(Files.getPosixFilePermissions(tokenFile))
        .containsExactlyInAnyOrder(
            java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    assertThat(requests.get(0).body()).contains("\"group\" : \"lab-a\"");
    Run again = voi("register", "pc-2", "--save-token", tokenFile.toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(requests).as("an existing token file is refused before registering").hasSize(1);
  }

  private static String rollout(String state) {
    return "{\"image\":\"lab\",\"state\":\""
        + state
        + "\",\"successThreshold\":0.8,\"errorThreshold\":0.1,\"autoAdvance\":false,"
        + "\"waves\":[{\"wave\":0,\"groups\":[\"canary\"],\"implicit\":false,"
        + "\"releasedTip\":{\"depth\":1,\"version\":2,\"checksum\":\"ab\",\"state\":\"PUBLISHED\"},"
        + "\"terminals\":1,\"upToDate\":1,\"failed\":0,\"complete\":true}],\"events\":[]}";
  }
}
