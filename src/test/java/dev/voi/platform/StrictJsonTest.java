package dev.voi.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StrictJsonTest {

  static JsonObject object(String json) {
    return StrictJson.readObject(json.getBytes(StandardCharsets.UTF_8));
  }

  static void refused(String json, String detail) {
    assertThatThrownBy(() -> object(json))
        .isInstanceOf(Refused.class)
        .hasMessageContaining(detail)
        .extracting(e -> ((Refused) e).type())
        .isEqualTo(ProblemType.BAD_REQUEST);
  }

  @Test
  void aWellFormedObjectReadsWithItsTypes() {
    JsonObject body = object("{\"policy\":\"catch-up\",\"maxIncrementalLayers\":3,\"x\":[1,{}]}");
    assertThat(StrictJson.string(body, "policy")).contains("catch-up");
    assertThat(StrictJson.integer(body, "maxIncrementalLayers", 1, 4096)).hasValue(3);
    assertThat(StrictJson.string(body, "missing")).isEmpty();
    assertThat(StrictJson.integer(object("{\"n\":null}"), "n", 0, 1)).isEmpty();
  }

  @Test
  void duplicateKeysTrailingDataAndNonObjectsAreRefused() {
    refused("{\"a\":1,\"a\":2}", "the key \"a\" appears twice");
    refused("{\"a\":{\"b\":1,\"b\":1}}", "the key \"b\" appears twice");
    refused("{} {}", "body: not valid JSON");
    refused("[]", "expected a JSON object, got an array");
    refused("", "empty");
    refused("{\"a\":", "not valid JSON");
  }

  @Test
  void nestingIsBoundedWhileParsing() {
    String deep = "[".repeat(1001) + "]".repeat(1001);
    refused("{\"x\":" + deep + "}", "nested deeper than 32 levels");
    String ok = "[".repeat(StrictJson.MAX_DEPTH - 1) + "]".repeat(StrictJson.MAX_DEPTH - 1);
    assertThat(object("{\"x\":" + ok + "}").get("x")).isNotNull();
  }

  @Test
  void typedFieldsNeverConvert() {
    assertThatThrownBy(() -> StrictJson.integer(object("{\"n\":2.5}"), "n", 1, 10))
        .hasMessage("n: expected a whole number, got 2.5");
    assertThatThrownBy(() -> StrictJson.integer(object("{\"n\":\"3\"}"), "n", 1, 10))
        .hasMessage("n: expected a whole number, got a string");
    assertThatThrownBy(() -> StrictJson.integer(object("{\"n\":99999999999}"), "n", 1, 10))
        .hasMessage("n must be between 1 and 10, got 99999999999");
    assertThatThrownBy(() -> StrictJson.string(object("{\"s\":3}"), "s"))
        .hasMessage("s: expected a string, got a number");
    assertThat(StrictJson.integer(object("{\"n\":3.0}"), "n", 1, 10)).hasValue(3);
  }

  @Test
  void aBodyOverItsLimitIsRefusedBeforeParsing() {
    byte[] big = ("{\"s\":\"" + "x".repeat(100) + "\"}").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> StrictJson.readObject(new ByteArrayInputStream(big), 64))
        .isInstanceOf(Refused.class)
        .extracting(e -> ((Refused) e).type())
        .isEqualTo(ProblemType.BODY_TOO_LARGE);
    assertThat(StrictJson.readObject(new ByteArrayInputStream(big), big.length)).isNotNull();
  }
}
