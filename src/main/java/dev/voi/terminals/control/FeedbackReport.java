package dev.voi.terminals.control;

import dev.voi.platform.Refused;
import dev.voi.platform.Text;
import dev.voi.terminals.entity.TerminalFeedback;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.util.Arrays;

/**
 * A terminal's feedback body, {@code {"state": "DOWNLOADING", "progress": 40, "detail": "…"}}:
 * state required, progress 0..100 or absent, detail at most 1000 characters or absent.
 */
public record FeedbackReport(TerminalFeedback.State state, Integer progress, String detail) {

  /** The largest feedback body: 64 KiB. */
  public static final int MAX_BODY = 64 * 1024;

  /**
   * @throws IllegalArgumentException naming the field that is wrong
   */
  public static FeedbackReport parse(byte[] body) {
    JsonValue value = ReportParser.readJson(body);
    if (value.getValueType() != JsonValue.ValueType.OBJECT) {
      throw new IllegalArgumentException("body: expected a JSON object {state, progress, detail}");
    }
    JsonObject object = (JsonObject) value;
    return new FeedbackReport(
        state(object.get("state")), progress(object.get("progress")), detail(object.get("detail")));
  }

  private static TerminalFeedback.State state(JsonValue value) {
    String allowed = Arrays.toString(TerminalFeedback.State.values());
    if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
      throw new IllegalArgumentException("state: missing, one of " + allowed);
    }
    if (value.getValueType() != JsonValue.ValueType.STRING) {
      throw new IllegalArgumentException("state: expected a string, one of " + allowed);
    }
    String text = ((JsonString) value).getString();
    try {
      return TerminalFeedback.State.valueOf(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("state: expected one of " + allowed + ", got " + text);
    }
  }

  private static Integer progress(JsonValue value) {
    if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
      return null;
    }
    if (value.getValueType() != JsonValue.ValueType.NUMBER || !((JsonNumber) value).isIntegral()) {
      throw new IllegalArgumentException("progress: expected a whole number from 0 to 100");
    }
    JsonNumber number = (JsonNumber) value;
    if (number.bigDecimalValue().signum() < 0
        || number.bigDecimalValue().compareTo(BigDecimal.valueOf(100)) > 0) {
      throw new IllegalArgumentException(
          "progress: expected a whole number from 0 to 100, got " + number);
    }
    return number.intValue();
  }

  private static String detail(JsonValue value) {
    if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
      return null;
    }
    if (value.getValueType() != JsonValue.ValueType.STRING) {
      throw new IllegalArgumentException("detail: expected a string");
    }
    try {
      return Text.requireFreeText(
          "detail", ((JsonString) value).getString(), TerminalFeedback.MAX_DETAIL);
    } catch (Refused e) {
      throw new IllegalArgumentException(e.detail(), e);
    }
  }
}
