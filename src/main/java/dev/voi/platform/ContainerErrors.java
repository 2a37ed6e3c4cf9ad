package dev.voi.platform;

import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The error page of the whole WAR ({@code WEB-INF/web.xml}): answers the container's own errors as
 * {@code application/problem+json} instead of the server's HTML page. It only serves error
 * dispatches; asked directly it answers 404 like any unknown path.
 */
@WebServlet("/problem")
public class ContainerErrors extends HttpServlet {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Logger.getLogger(ContainerErrors.class.getName());

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    boolean dispatched = request.getDispatcherType() == DispatcherType.ERROR;
    Throwable failure =
        dispatched ? (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) : null;
    boolean outage = failure != null && DatabaseOutage.isOutage(failure);
    int status = outage ? 503 : dispatched ? status(request) : 404;
    String path =
        dispatched
            ? (String) request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI)
            : request.getRequestURI();
    if (failure != null && ClientAborts.isClientAbort(failure)) {
      return; // the client is gone: nobody to answer, nothing went wrong here
    }
    ProblemType unavailable = ProblemType.DATABASE_UNAVAILABLE;
    JsonObjectBuilder problem =
        Json.createObjectBuilder()
            .add("type", outage ? unavailable.uri() : Problem.type(ProblemMappers.slugFor(status)))
            .add("title", outage ? unavailable.title() : title(status))
            .add("status", status);
    String errorId = null;
    if (outage) {
      Refused refused = DatabaseOutage.refusal(failure, Clock.systemUTC());
      problem.add("detail", refused.detail());
      refused
          .retryAfter()
          .ifPresent(delay -> response.setHeader("Retry-After", Long.toString(delay.toSeconds())));
    } else if (status >= 500) {
      errorId = UUID.randomUUID().toString();
      problem.add("detail", "The failure is logged under error id " + errorId);
      problem.add("errorId", errorId);
    } else {
      problem.add("detail", detail(status));
    }
    if (path != null) {
      problem.add("instance", path);
    }
    response.resetBuffer();
    response.setStatus(status);
    if (RefusedBodies.hasBody(
        request.getHeader("Content-Length"), request.getHeader("Transfer-Encoding"))) {
      // The connection closes after an error; a large unread body is not read first (ContinueGate).
      response.setHeader("Connection", "close");
    }
    response.setContentType(Problem.MEDIA_TYPE);
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    try {
      write(response, problem.build().toString());
    } catch (IOException e) {
      if (ClientAborts.isClientAbort(e)) {
        return; // an upload or download the client aborted: the container's 500 is about that
      }
      throw e;
    }
    if (errorId != null) {
      LOG.log(
          Level.SEVERE, "Container-level failure on " + path + ", error id " + errorId, failure);
    }
  }

  /** Through the output stream, or the writer when the failed request already took it. */
  private static void write(HttpServletResponse response, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    try {
      response.getOutputStream().write(bytes);
      response.flushBuffer();
    } catch (IllegalStateException writerInUse) {
      Writer out = response.getWriter();
      out.write(json);
      out.flush();
    }
  }

  private static int status(HttpServletRequest request) {
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    return code instanceof Integer value && value >= 400 && value <= 599 ? value : 500;
  }

  private static String title(int status) {
    return switch (status) {
      case 400 -> "The request is malformed";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not found";
      case 405 -> "Method not allowed";
      case 406 -> "Not acceptable";
      case 411 -> "Length required";
      case 413 -> "The body is too large";
      case 414 -> "The URI is too long";
      case 415 -> "Unsupported media type";
      case 416 -> "Range not satisfiable";
      case 431 -> "The request headers are too large";
      default -> status >= 500 ? "Internal server error" : "Request refused";
    };
  }

  private static String detail(int status) {
    return switch (status) {
      case 404 -> "nothing is served at this path";
      case 416 -> "the requested range lies outside the file";
      case 411 -> "this request needs a Content-Length";
      default -> "the server refused the request with status " + status;
    };
  }
}
