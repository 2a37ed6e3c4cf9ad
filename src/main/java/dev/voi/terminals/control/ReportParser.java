package dev.voi.terminals.control;

import dev.voi.chain.ChainNode;
import dev.voi.chain.ChecksumList;
import dev.voi.platform.Refused;
import dev.voi.platform.StrictJson;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A terminal's report body, {@code {"nodes": [{"head": …, "tail": …}, …]}}, read under
 * docs/design.md §6 step 1: at most 1 MiB, counted before anything is parsed (a bigger body is
 * never held whole), then JSON, then the values. Every refusal names the field: {@code
 * nodes[3].tail: expected 64 hex characters, got 63}.
 */
public final class ReportParser {

  /** The largest report body: 1 MiB. */
  public static final int MAX_BODY = 1 << 20;

  /** A body larger than the limit. */
  public static final class TooLarge extends Exception {
    private static final long serialVersionUID = 1L;

    public TooLarge(long limit) {
      super("the body is limited to " + limit + " bytes");
    }
  }

  private ReportParser() {}

  /** Reads the whole body if it has at most {@code limit} bytes; stops reading at limit + 1. */
  public static byte[] readCapped(InputStream body, int limit) throws IOException, TooLarge {
    if (body == null) {
      return new byte[0];
    }
    byte[] bytes = body.readNBytes(limit + 1);
    if (bytes.length > limit) {
      throw new TooLarge(limit);
    }
    return bytes;
  }

  /**
   * @throws IllegalArgumentException saying which field is wrong and how
   */
  public static List<ChainNode> parse(byte[] body) {
    JsonValue value = readJson(body);
    if (value.getValueType() != JsonValue.ValueType.OBJECT) {
      throw new IllegalArgumentException(
          "body: expected a JSON object {\"nodes\": [{\"head\": …, \"tail\": …}, …]}, got "
              + StrictJson.typeOf(value));
    }
    JsonValue nodes = ((JsonObject) value).get("nodes");
    if (nodes == null || nodes.getValueType() == JsonValue.ValueType.NULL) {
      return ChecksumList.parse(null, Node::head, Node::tail);
    }
    if (nodes.getValueType() != JsonValue.ValueType.ARRAY) {
      throw new IllegalArgumentException(
          "nodes: expected an array of {head, tail}, got " + StrictJson.typeOf(nodes));
    }
    JsonArray array = (JsonArray) nodes;
    List<Node> indexed = new ArrayList<>(array.size());
    for (int k = 0; k < array.size(); k++) {
      indexed.add(new Node(k, array.get(k)));
    }
    // The count is checked first, before any value.
    return ChecksumList.parse(indexed, Node::head, Node::tail);
  }

  /**
   * One JSON value and nothing after it, read strictly: no duplicate keys, nesting bounded while
   * parsing (a body of a thousand nested brackets is refused, not recursed into).
   */
  public static JsonValue readJson(byte[] body) {
    try {
      return StrictJson.read(body);
    } catch (Refused e) {
      throw new IllegalArgumentException(e.detail(), e);
    }
  }

  /** One element of the nodes array, with its index for the messages. */
  private record Node(int index, JsonValue value) {

    String head() {
      return text("head");
    }

    String tail() {
      return text("tail");
    }

    private String text(String name) {
      String field = "nodes[" + index + "]";
      if (value.getValueType() != JsonValue.ValueType.OBJECT) {
        throw new IllegalArgumentException(
            field + ": expected an object {head, tail}, got " + StrictJson.typeOf(value));
      }
      JsonValue text = ((JsonObject) value).get(name);
      if (text == null || text.getValueType() == JsonValue.ValueType.NULL) {
        return null; // "missing", in the checksum parser's words
      }
      if (text.getValueType() != JsonValue.ValueType.STRING) {
        throw new IllegalArgumentException(
            field
                + "."
                + name
                + ": expected a string of 64 hex characters, got "
                + StrictJson.typeOf(text));
      }
      return ((JsonString) text).getString();
    }
  }
}
