package dev.voi.testing;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * Asserts that a JSON document and an XML document carry the same data: every JSON member is the
 * XML child element (or attribute) of the same name with the same text; an array is a wrapper
 * element whose children have the singular name given; a JSON null is an absent element.
 */
public final class SameData {

  /** The item element names of an audit's XML, by the JSON array they match. */
  public static final java.util.Map<String, String> AUDIT_ITEMS =
      java.util.Map.of(
          "findings", "finding",
          "changes", "change",
          "staleTerminals", "terminal",
          "strategies", "strategy",
          "reasons", "reason",
          "rollouts", "rollout",
          "items", "audit");

  private SameData() {}

  /**
   * @param itemNames for each array member name, the name of its XML item elements (e.g. {@code
   *     findings → finding})
   * @return how many leaf values were compared
   */
  public static int assertSame(String json, String xml, Map<String, String> itemNames)
      throws Exception {
    JsonObject object = Json.createReader(new StringReader(json)).readObject();
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    Element root =
        factory
            .newDocumentBuilder()
            .parse(new InputSource(new StringReader(xml)))
            .getDocumentElement();
    return compare("$", object, root, itemNames);
  }

  private static int compare(
      String path, JsonObject object, Element element, Map<String, String> itemNames) {
    int leaves = 0;
    for (Map.Entry<String, JsonValue> member : object.entrySet()) {
      String name = member.getKey();
      String here = path + "." + name;
      JsonValue value = member.getValue();
      List<Element> children = children(element, name);
      switch (value.getValueType()) {
        case NULL -> {
          assertThat(children).as(here + " is null in JSON, absent in XML").isEmpty();
          assertThat(element.hasAttribute(name)).as(here + " attribute").isFalse();
          leaves++;
        }
        case OBJECT -> {
          assertThat(children).as(here).hasSize(1);
          leaves += compare(here, value.asJsonObject(), children.get(0), itemNames);
        }
        case ARRAY -> {
          assertThat(children).as(here + " wrapper").hasSize(1);
          String itemName = itemNames.get(name);
          assertThat(itemName).as("item element name of " + here).isNotNull();
          JsonArray array = value.asJsonArray();
          List<Element> items = children(children.get(0), itemName);
          assertThat(items).as(here + " items").hasSize(array.size());
          for (int i = 0; i < array.size(); i++) {
            if (array.get(i) instanceof JsonString item) {
              // A list of strings: each item element's text.
              assertThat(items.get(i).getTextContent())
                  .as(here + "[" + i + "]")
                  .isEqualTo(item.getString());
              leaves++;
            } else {
              leaves +=
                  compare(here + "[" + i + "]", array.getJsonObject(i), items.get(i), itemNames);
            }
          }
        }
        default -> {
          String text = value instanceof JsonString s ? s.getString() : value.toString();
          String xmlText =
              element.hasAttribute(name)
                  ? element.getAttribute(name)
                  : single(here, children).getTextContent();
          assertThat(xmlText).as(here).isEqualTo(text);
          leaves++;
        }
      }
    }
    return leaves;
  }

  private static Element single(String path, List<Element> children) {
    assertThat(children).as(path + " in XML").hasSize(1);
    return children.get(0);
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> found = new ArrayList<>();
    for (Node child = parent.getFirstChild(); child != null; child = child.getNextSibling()) {
      if (child instanceof Element e && name.equals(e.getLocalName())) {
        found.add(e);
      }
    }
    return found;
  }
}
