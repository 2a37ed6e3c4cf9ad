package dev.voi.platform;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Request bodies read strictly, so that what a caller meant is never guessed: one JSON value and
 * nothing after it, no key twice in an object, at most {@link #MAX_DEPTH} levels of nesting
 * (counted while parsing, so a hostile body never reaches a parser's own recursion), and typed
 * fields that refuse the wrong JSON type instead of converting it ({@code "3"} is not a number,
 * {@code 2.5} is not a whole number). Every refusal is a {@link ProblemType#BAD_REQUEST} naming the
 * field; a body over its limit is {@link ProblemType#BODY_TOO_LARGE}, counted before parsing.
 */
public final class StrictJson {

  public static final int MAX_DEPTH = 32;

  private StrictJson() {}

  /** Reads at most {@code maxBytes} of {@code body}; one byte more is refused unparsed. */
  public static byte[] readBounded(InputStream body, int maxBytes) {
    try {
      byte[] bytes = body == null ? new byte[0] : body.readNBytes(maxBytes + 1);
      if (bytes.length > maxBytes) {
        throw ProblemType.BODY_TOO_LARGE.refuse("the body is limited to " + maxBytes + " bytes");
      }
      return bytes;
    } catch (IOException e) {
      throw ProblemType.BAD_REQUEST.refuse("the body could not be read: " + e.getMessage());
    }
  }

  /** The body as one JSON object. */
  public static JsonObject readObject(InputStream body, int maxBytes) {
    return readObject(readBounded(body, maxBytes));
  }

  /** The bytes as one JSON object. */
  public static JsonObject readObject(byte[] body) {
    JsonValue value = read(body);
    if (value.getValueType() != JsonValue.ValueType.OBJECT) {
      throw invalid("body: expected a JSON object, got " + typeOf(value));
    }
    return value.asJsonObject();
  }

  /** The bytes as one JSON value. */
  public static JsonValue read(byte[] body) {
    if (body.length == 0) {
      throw invalid("body: empty, expected JSON");
    }
    try (JsonParser parser = Json.createParser(new ByteArrayInputStream(body))) {
      JsonValue value = value(parser, parser.next(), 1);
      if (parser.hasNext()) {
        throw invalid("body: more after the JSON value");
      }
      return value;
    } catch (JsonException | IllegalStateException | NoSuchElementException e) {
      throw invalid("body: not valid JSON: " + e.getMessage());
    }
  }

  /** A string field: absent or null is empty; any other type is refused. */
  public static Optional<String> string(JsonObject object, String name) {
    JsonValue value = object.get(name);
    if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
      return Optional.empty();
    }
    if (value.getValueType() != JsonValue.ValueType.STRING) {
      throw invalid(name + ": expected a string, got " + typeOf(value));
    }
    return Optional.of(((jakarta.json.JsonString) value).getString());
  }

  /**
   * A whole-number field from {@code min} to {@code max}: absent or null is empty; a string, a
   * fraction or a number out of range is refused.
   */
  public static OptionalInt integer(JsonObject object, String name, int min, int max) {
    JsonValue value = object.get(name);
    if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
      return OptionalInt.empty();
    }
    if (value.getValueType() != JsonValue.ValueType.NUMBER) {
      throw invalid(name + ": expected a whole number, got " + typeOf(value));
    }
    JsonNumber number = (JsonNumber) value;
    java.math.BigDecimal decimal = number.bigDecimalValue();
    // Compared as decimals first: 1e999999999 must not be expanded into a whole number.
    if (decimal.compareTo(java.math.BigDecimal.valueOf(min)) < 0
        || decimal.compareTo(java.math.BigDecimal.valueOf(max)) > 0) {
      throw invalid(name + " must be between " + min + " and " + max + ", got " + number);
    }
    if (decimal.stripTrailingZeros().scale() > 0) {
      throw invalid(name + ": expected a whole number, got " + number);
    }
    java.math.BigInteger whole = decimal.toBigIntegerExact();
    return OptionalInt.of(whole.intValue());
  }

  /** An array field: absent or null is empty; any other type is refused. */
  public static Optional<jakarta.json.JsonArray> array(JsonObject object, String name) {
    JsonValue value = object.get(name);
    if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
      return Optional.empty();
    }
    if (value.getValueType() != JsonValue.ValueType.ARRAY) {
      throw invalid(name + ": expected an array, got " + typeOf(value));
    }
    return Optional.of(value.asJsonArray());
  }

  /** An array's items as strings; {@code name} names the array in a refusal. */
  public static java.util.List<String> strings(jakarta.json.JsonArray array, String name) {
    java.util.List<String> strings = new java.util.ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      JsonValue item = array.get(i);
      if (item.getValueType() != JsonValue.ValueType.STRING) {
        throw invalid(name + "[" + i + "]: expected a string, got " + typeOf(item));
      }
      strings.add(((jakarta.json.JsonString) item).getString());
    }
    return strings;
  }

  /** An array item as an object; {@code name} names it in a refusal. */
  public static JsonObject objectItem(jakarta.json.JsonArray array, int index, String name) {
    JsonValue item = array.get(index);
    if (item.getValueType() != JsonValue.ValueType.OBJECT) {
      throw invalid(name + "[" + index + "]: expected an object, got " + typeOf(item));
    }
    return item.asJsonObject();
  }

  /** An array item as an array; {@code name} names it in a refusal. */
  public static jakarta.json.JsonArray arrayItem(
      jakarta.json.JsonArray array, int index, String name) {
    JsonValue item = array.get(index);
    if (item.getValueType() != JsonValue.ValueType.ARRAY) {
      throw invalid(name + "[" + index + "]: expected an array, got " + typeOf(item));
    }
    return item.asJsonArray();
  }

  /** A boolean field: absent or null is empty; any other type is refused. */
  public static Optional<Boolean> bool(JsonObject object, String name) {
    JsonValue value = object.get(name);
    if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
      return Optional.empty();
    }
    if (value.getValueType() == JsonValue.ValueType.TRUE) {
      return Optional.of(true);
    }
    if (value.getValueType() == JsonValue.ValueType.FALSE) {
      return Optional.of(false);
    }
    throw invalid(name + ": expected true or false, got " + typeOf(value));
  }

  /** A number field from 0 to 1: absent or null is empty; anything else is refused. */
  public static java.util.OptionalDouble fraction(JsonObject object, String name) {
    JsonValue value = object.get(name);
    if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
      return java.util.OptionalDouble.empty();
    }
    if (value.getValueType() != JsonValue.ValueType.NUMBER) {
      throw invalid(name + ": expected a number from 0 to 1, got " + typeOf(value));
    }
    java.math.BigDecimal decimal = ((JsonNumber) value).bigDecimalValue();
    if (decimal.signum() < 0 || decimal.compareTo(java.math.BigDecimal.ONE) > 0) {
      throw invalid(name + " must be between 0 and 1, got " + value);
    }
    return java.util.OptionalDouble.of(decimal.doubleValue());
  }

  /** Refuses every key of {@code object} that is not one of {@code known}. */
  public static void onlyKeys(JsonObject object, String where, String... known) {
    Set<String> allowed = Set.of(known);
    for (String key : object.keySet()) {
      if (!allowed.contains(key)) {
        throw invalid(where + "unknown field \"" + shorten(key) + "\"");
      }
    }
  }

  private static JsonValue value(JsonParser parser, JsonParser.Event event, int depth) {
    return switch (event) {
      case START_OBJECT -> object(parser, depth);
      case START_ARRAY -> array(parser, depth);
      case VALUE_STRING -> Json.createValue(parser.getString());
      case VALUE_NUMBER -> Json.createValue(parser.getBigDecimal());
      case VALUE_TRUE -> JsonValue.TRUE;
      case VALUE_FALSE -> JsonValue.FALSE;
      case VALUE_NULL -> JsonValue.NULL;
      default -> throw invalid("body: not valid JSON: unexpected " + event);
    };
  }

  private static JsonValue object(JsonParser parser, int depth) {
    requireDepth(depth);
    JsonObjectBuilder builder = Json.createObjectBuilder();
    Set<String> keys = new HashSet<>();
    for (JsonParser.Event event = parser.next();
        event != JsonParser.Event.END_OBJECT;
        event = parser.next()) {
      String key = parser.getString();
      if (!keys.add(key)) {
        throw invalid("body: the key \"" + shorten(key) + "\" appears twice in one object");
      }
      builder.add(key, value(parser, parser.next(), depth + 1));
    }
    return builder.build();
  }

  private static JsonValue array(JsonParser parser, int depth) {
    requireDepth(depth);
    JsonArrayBuilder builder = Json.createArrayBuilder();
    for (JsonParser.Event event = parser.next();
        event != JsonParser.Event.END_ARRAY;
        event = parser.next()) {
      builder.add(value(parser, event, depth + 1));
    }
    return builder.build();
  }

  private static void requireDepth(int depth) {
    if (depth > MAX_DEPTH) {
      throw invalid("body: nested deeper than " + MAX_DEPTH + " levels");
    }
  }

  /** "an object", "a string", … for a message about a value of the wrong type. */
  public static String typeOf(JsonValue value) {
    return switch (value.getValueType()) {
      case OBJECT -> "an object";
      case ARRAY -> "an array";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case TRUE, FALSE -> "a boolean";
      case NULL -> "null";
    };
  }

  private static String shorten(String text) {
    return text.length() > 64 ? text.substring(0, 64) + "…" : text;
  }

  private static Refused invalid(String detail) {
    return ProblemType.BAD_REQUEST.refuse(detail);
  }
}
