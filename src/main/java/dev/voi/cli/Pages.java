package dev.voi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads every page of a list ({@code {items, next}}) into one {@code {items}} document. */
final class Pages {

  static final int PAGE = 500;

  private Pages() {}

  static ObjectNode all(Api api, String path, Map<String, ?> filters, String what) {
    ObjectNode result = Json.object();
    ArrayNode items = result.putArray("items");
    String cursor = null;
    do {
      Map<String, Object> query = new LinkedHashMap<>(filters);
      query.put("limit", PAGE);
      query.put("cursor", cursor);
      JsonNode page = api.get(api.uri(path, query), what);
      page.path("items").forEach(items::add);
      cursor = Json.text(page, "next", null);
    } while (cursor != null);
    return result;
  }
}
