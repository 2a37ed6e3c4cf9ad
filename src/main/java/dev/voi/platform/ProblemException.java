package dev.voi.platform;

import jakarta.ejb.ApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * A failure the client can act on: it carries the HTTP status, the problem type slug, a title and a
 * detail, and is answered as {@code application/problem+json}. Annotated as an application
 * exception so that the EJB container neither wraps it nor logs it as a system failure; it still
 * rolls the transaction back.
 */
@ApplicationException(rollback = true)
public class ProblemException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String slug;
  private final String title;
  private final Map<String, String> headers;

  public ProblemException(Response.StatusType status, String slug, String title, String detail) {
    this(status.getStatusCode(), slug, title, detail, Map.of());
  }

  public ProblemException(
      int status, String slug, String title, String detail, Map<String, String> headers) {
    super(detail);
    this.status = status;
    this.slug = slug;
    this.title = title;
    this.headers = Map.copyOf(headers);
  }

  public static ProblemException badRequest(String detail) {
    return new ProblemException(
        Response.Status.BAD_REQUEST, "bad-request", "The request is malformed", detail);
  }

  public static ProblemException notFound(String detail) {
    return new ProblemException(Response.Status.NOT_FOUND, "not-found", "Not found", detail);
  }

  public static ProblemException conflict(String slug, String title, String detail) {
    return new ProblemException(Response.Status.CONFLICT, slug, title, detail);
  }

  public static ProblemException forbidden(String detail) {
    return new ProblemException(Response.Status.FORBIDDEN, "forbidden", "Forbidden", detail);
  }

  public int status() {
    return status;
  }

  public String slug() {
    return slug;
  }

  public String title() {
    return title;
  }

  public Map<String, String> headers() {
    return headers;
  }
}
