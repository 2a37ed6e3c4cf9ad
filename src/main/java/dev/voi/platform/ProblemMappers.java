package dev.voi.platform;

import jakarta.ejb.EJBException;
import jakarta.json.bind.JsonbException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotAuthorizedException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.time.Clock;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/** The one place where failures become {@code application/problem+json} answers. */
public final class ProblemMappers {

  private static final Logger LOG = Logger.getLogger(ProblemMappers.class.getName());

  private ProblemMappers() {}

  static Response answer(
      int status, String slug, String title, String detail, String instance, String errorId) {
    Problem problem = new Problem(Problem.type(slug), title, status, detail, instance, errorId);
    return Response.status(status).type(Problem.MEDIA).entity(problem).build();
  }

  static String instance(UriInfo uriInfo) {
    return uriInfo == null ? null : "/" + uriInfo.getPath();
  }

  static Response unexpected(Throwable failure, UriInfo uriInfo) {
    if (DatabaseOutage.isOutage(failure)) {
      ForRefusals mapper = new ForRefusals();
      mapper.uriInfo = uriInfo;
      return mapper.toResponse(DatabaseOutage.refusal(failure, Clock.systemUTC()));
    }
    String errorId = UUID.randomUUID().toString();
    LOG.log(Level.SEVERE, "Unexpected failure, error id " + errorId, failure);
    return answer(
        500,
        "internal-error",
        "Internal server error",
        "The failure is logged under error id " + errorId,
        instance(uriInfo),
        errorId);
  }

  /** The problem type slug of a status the container or the JAX-RS runtime chose. */
  static String slugFor(int status) {
    return switch (status) {
      case 400 -> "bad-request";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not-found";
      case 405 -> "method-not-allowed";
      case 406 -> "not-acceptable";
      case 409 -> "conflict";
      case 411 -> "length-required";
      case 413 -> "payload-too-large";
      case 415 -> "unsupported-media-type";
      case 416 -> "range-not-satisfiable";
      case 500 -> "internal-error";
      default -> "http-" + status;
    };
  }

  /** Refusals the application raised on purpose, in domain terms. */
  @Provider
  public static class ForRefusals implements ExceptionMapper<Refused> {
    @Context UriInfo uriInfo;
    @Context HttpHeaders requestHeaders;

    @Override
    public Response toResponse(Refused e) {
      ProblemType type = e.type();
      Response response =
          answer(type.status(), type.slug(), type.title(), e.detail(), instance(uriInfo), null);
      Response.ResponseBuilder builder = Response.fromResponse(response);
      e.retryAfter().ifPresent(delay -> builder.header("Retry-After", delay.toSeconds()));
      e.related().ifPresent(builder::location);
      if (closesAfterRefusal(requestHeaders)) {
        // The connection closes after a refused body: a large one unread, a small one drained.
        builder.header("Connection", "close");
      }
      return builder.build();
    }
  }

  /**
   * Whether the refusal closes the connection: whenever the request declared a body
   * (RefusedBodies).
   */
  static boolean closesAfterRefusal(HttpHeaders headers) {
    return headers != null
        && RefusedBodies.hasBody(
            headers.getHeaderString(HttpHeaders.CONTENT_LENGTH),
            headers.getHeaderString("Transfer-Encoding"));
  }

  /** Bodies the JSON binding could not read (Jersey reports them as processing failures). */
  @Provider
  public static class ForProcessing implements ExceptionMapper<ProcessingException> {
    @Context UriInfo uriInfo;

    @Override
    public Response toResponse(ProcessingException e) {
      Throwable cause = e.getCause();
      while (cause != null) {
        if (cause instanceof JsonbException || cause instanceof jakarta.json.JsonException) {
          return answer(
              400,
              "bad-request",
              "The request is malformed",
              "The body is not valid JSON for this request: " + rootMessage(e),
              instance(uriInfo),
              null);
        }
        cause = cause.getCause();
      }
      return unexpected(e, uriInfo);
    }
  }

  /** The JAX-RS runtime's own answers (404 for an unknown path, 405, 406, 415, …). */
  @Provider
  public static class ForWebApplication implements ExceptionMapper<WebApplicationException> {
    @Context UriInfo uriInfo;
    @Context HttpHeaders requestHeaders;

    @Override
    public Response toResponse(WebApplicationException e) {
      Response original = e.getResponse();
      int status = original.getStatus();
      if (status >= 500) {
        return unexpected(e, uriInfo);
      }
      String detail =
          e.getMessage() == null ? original.getStatusInfo().getReasonPhrase() : e.getMessage();
      String parameter = malformedParameter(e);
      if (parameter != null) {
        // JAX-RS answers 404 for a query parameter it cannot convert; the request is malformed.
        status = 400;
        detail = parameter + " is malformed: " + rootMessage(e);
      } else if (e.getCause() instanceof JsonbException
          || e.getCause() instanceof ProcessingException) {
        detail = "The body is not valid JSON for this request: " + rootMessage(e);
      }
      Response.ResponseBuilder builder =
          Response.fromResponse(
              answer(
                  status,
                  slugFor(status),
                  status == original.getStatus()
                      ? original.getStatusInfo().getReasonPhrase()
                      : "Bad Request",
                  detail,
                  instance(uriInfo),
                  null));
      if (e instanceof NotAuthorizedException) {
        builder.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
      }
      if (e instanceof NotAllowedException) {
        builder.header(HttpHeaders.ALLOW, original.getHeaderString(HttpHeaders.ALLOW));
      }
      if (closesAfterRefusal(requestHeaders)) {
        // 401 and 403 come before the body is read: the connection closes instead (ContinueGate).
        builder.header("Connection", "close");
      }
      return builder.build();
    }
  }

  /**
   * "the query parameter limit" when the runtime failed to convert a query, header or form
   * parameter (Jersey's {@code ParamException}, read by reflection so that no Jersey type is
   * compiled in), else null. Path parameters are left alone: an unconvertible one is no such
   * resource.
   */
  static String malformedParameter(WebApplicationException e) {
    for (Class<?> type = e.getClass(); type != null; type = type.getSuperclass()) {
      if (type.getName().equals("org.glassfish.jersey.server.ParamException")) {
        try {
          String name = (String) type.getMethod("getParameterName").invoke(e);
          Object kind = type.getMethod("getParameterType").invoke(e);
          String where = kind instanceof Class<?> annotation ? annotation.getSimpleName() : "";
          if (where.equals("PathParam")) {
            return null;
          }
          return "the "
              + where.replace("Param", "").toLowerCase(java.util.Locale.ROOT)
              + " parameter "
              + name;
        } catch (ReflectiveOperationException | ClassCastException failure) {
          return "a parameter";
        }
      }
    }
    return null;
  }

  /** Malformed JSON that never reached a resource method. */
  @Provider
  public static class ForJson implements ExceptionMapper<JsonbException> {
    @Context UriInfo uriInfo;

    @Override
    public Response toResponse(JsonbException e) {
      return answer(
          400,
          "bad-request",
          "The request is malformed",
          "The body is not valid JSON for this request: " + rootMessage(e),
          instance(uriInfo),
          null);
    }
  }

  /** Bean Validation failures on request bodies and parameters. */
  @Provider
  public static class ForConstraints implements ExceptionMapper<ConstraintViolationException> {
    @Context UriInfo uriInfo;

    @Override
    public Response toResponse(ConstraintViolationException e) {
      String detail =
          e.getConstraintViolations().stream()
              .map(v -> v.getPropertyPath() + ": " + v.getMessage())
              .sorted()
              .collect(Collectors.joining("; "));
      return answer(
          400, "bad-request", "The request is malformed", detail, instance(uriInfo), null);
    }
  }

  /** Exceptions that crossed an EJB boundary: unwrap to the real cause. */
  @Provider
  public static class ForEjb implements ExceptionMapper<EJBException> {
    @Context UriInfo uriInfo;

    @Override
    public Response toResponse(EJBException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e.getCausedByException();
      if (cause instanceof Refused refused) {
        ForRefusals mapper = new ForRefusals();
        mapper.uriInfo = uriInfo;
        return mapper.toResponse(refused);
      }
      return unexpected(e, uriInfo);
    }
  }

  /** Everything else: a 500 with an error id, the trace only in the log. */
  @Provider
  public static class ForEverythingElse implements ExceptionMapper<Throwable> {
    @Context UriInfo uriInfo;

    @Override
    public Response toResponse(Throwable e) {
      return unexpected(e, uriInfo);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    if (message == null) {
      return root.getClass().getSimpleName();
    }
    return message.length() > 300 ? message.substring(0, 300) + "…" : message;
  }
}
