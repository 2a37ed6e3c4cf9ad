package dev.voi.platform;

import jakarta.json.bind.annotation.JsonbPropertyOrder;
import jakarta.ws.rs.core.MediaType;

/**
 * An RFC 9457 problem detail, the body of every error answer. {@code errorId} names the log entry
 * that holds the stack trace of an unexpected failure; clients never see the trace itself.
 */
@JsonbPropertyOrder({"type", "title", "status", "detail", "instance", "errorId"})
public record Problem(
    String type, String title, int status, String detail, String instance, String errorId) {

  public static final String MEDIA_TYPE = "application/problem+json";
  public static final MediaType MEDIA = new MediaType("application", "problem+json");
  private static final String TYPE_PREFIX = "urn:voi-update:problem:";

  /** The problem type URI for a short slug such as {@code stale-or-wrong-parent}. */
  public static String type(String slug) {
    return TYPE_PREFIX + slug;
  }
}
