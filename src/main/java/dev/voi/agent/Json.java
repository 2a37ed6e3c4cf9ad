package dev.voi.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.voi.chain.Checksum;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON for the agent: one configured {@link ObjectMapper} and strict field readers whose errors
 * name the field ({@code downloads[1].sha256: missing}), so that a bad server answer or a bad
 * manifest is reported as one clear line.
 */
final class Json {

  static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

  private Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static ArrayNode array() {
    return MAPPER.createArrayNode();
  }

  /**
   * Parses a JSON document.
   *
   * @throws IllegalArgumentException with the parser's reason when it is not JSON
   */
  static JsonNode parse(byte[] bytes) {
    try {
      JsonNode node = MAPPER.readTree(bytes);
      if (node == null || node.isMissingNode()) {
        throw new IllegalArgumentException("empty document");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getMessage(), e);
    }
  }

  static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  /** The object at {@code path}. */
  static JsonNode object(JsonNode node, String path) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(path + ": expected an object");
    }
    return node;
  }

  static JsonNode field(JsonNode parent, String path, String name) {
    JsonNode value = parent.get(name);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException(join(path, name) + ": missing");
    }
    return value;
  }

  static String string(JsonNode parent, String path, String name) {
    JsonNode value = field(parent, path, name);
    if (!value.isTextual()) {
      throw new IllegalArgumentException(join(path, name) + ": expected a string");
    }
    return value.textValue();
  }

  static String optionalString(JsonNode parent, String path, String name) {
    JsonNode value = parent.get(name);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new IllegalArgumentException(join(path, name) + ": expected a string");
    }
    return value.textValue();
  }

  static long nonNegativeLong(JsonNode parent, String path, String name) {
    JsonNode value = field(parent, path, name);
    if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
      throw new IllegalArgumentException(
          join(path, name) + ": expected a non-negative 64-bit integer");
    }
    return value.longValue();
  }

  static int nonNegativeInt(JsonNode parent, String path, String name) {
    JsonNode value = field(parent, path, name);
    if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 0) {
      throw new IllegalArgumentException(
          join(path, name) + ": expected a non-negative 32-bit integer");
    }
    return value.intValue();
  }

  static Integer optionalInt(JsonNode parent, String path, String name) {
    JsonNode value = parent.get(name);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw new IllegalArgumentException(join(path, name) + ": expected a 32-bit integer");
    }
    return value.intValue();
  }

  static Checksum checksum(JsonNode parent, String path, String name) {
    JsonNode value = parent.get(name);
    if (value != null && !value.isNull() && !value.isTextual()) {
      throw new IllegalArgumentException(join(path, name) + ": expected a string");
    }
    return Checksum.parse(join(path, name), value == null ? null : value.textValue());
  }

  /** The elements of the array {@code name}; an absent array is an error. */
  static List<JsonNode> array(JsonNode parent, String path, String name) {
    JsonNode value = field(parent, path, name);
    if (!value.isArray()) {
      throw new IllegalArgumentException(join(path, name) + ": expected an array");
    }
    List<JsonNode> elements = new ArrayList<>(value.size());
    value.forEach(elements::add);
    return elements;
  }

  static String join(String path, String name) {
    return path == null || path.isEmpty() ? name : path + "." + name;
  }

  static String index(String path, String name, int index) {
    return join(path, name) + "[" + index + "]";
  }
}
