package dev.voi.audits.boundary;

import jakarta.json.bind.annotation.JsonbPropertyOrder;
import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlElementWrapper;
import jakarta.xml.bind.annotation.XmlRootElement;
import jakarta.xml.bind.annotation.XmlType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A page of runs, newest first: {@code {items, next}} (docs/design.md §9), or {@code <audits>} in
 * XML.
 */
@XmlRootElement(name = "audits")
@XmlAccessorType(XmlAccessType.FIELD)
@XmlType(
    name = "audits",
    propOrder = {"items", "next"})
@JsonbPropertyOrder({"items", "next"})
@Schema(
    name = "AuditPage",
    requiredProperties = {"items", "next"})
public class AuditPageView {

  @XmlElementWrapper(name = "items")
  @XmlElement(name = "audit")
  private List<AuditSummaryView> items;

  @Schema(nullable = true)
  private String next;

  public AuditPageView() {}

  public AuditPageView(List<AuditSummaryView> items, String next) {
    this.items = List.copyOf(items);
    this.next = next;
  }

  public List<AuditSummaryView> getItems() {
    return items;
  }

  /** The cursor of the next page, or null on the last one. */
  public String getNext() {
    return next;
  }
}
