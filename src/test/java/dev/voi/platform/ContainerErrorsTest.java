package dev.voi.platform;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The error page writes every error the container answers itself as problem+json. */
class ContainerErrorsTest {

  @ParameterizedTest
  @CsvSource({
    "400, bad-request",
    "404, not-found",
    "405, method-not-allowed",
    "406, not-acceptable",
    "411, length-required",
    "413, payload-too-large",
    "415, unsupported-media-type",
    "416, range-not-satisfiable",
    "500, internal-error"
  })
  void eachStatusIsProblemJson(int status, String slug) throws Exception {
    Exchange exchange = new Exchange(Map.of(RequestDispatcher.ERROR_STATUS_CODE, status));
    new ContainerErrors().service(exchange.request(), exchange.response());
    assertThat(exchange.status).isEqualTo(status);
    assertThat(exchange.contentType).isEqualTo(Problem.MEDIA_TYPE);
    JsonObject problem = exchange.body();
    assertThat(problem.getString("type")).isEqualTo("urn:voi-update:problem:" + slug);
    assertThat(problem.getInt("status")).isEqualTo(status);
    assertThat(problem.getString("title")).isNotBlank();
    assertThat(problem.getString("detail")).isNotBlank();
    assertThat(problem.containsKey("errorId")).isEqualTo(status == 500);
  }

  @Test
  void aFailureToReachTheDatabaseIs503WithRetryAfter() throws Exception {
    Exchange exchange =
        new Exchange(
            Map.of(
                RequestDispatcher.ERROR_STATUS_CODE,
                500,
                RequestDispatcher.ERROR_EXCEPTION,
                new IllegalStateException(new SQLException("refused", "08001"))));
    new ContainerErrors().service(exchange.request(), exchange.response());
    assertThat(exchange.status).isEqualTo(503);
    assertThat(exchange.headers).containsEntry("Retry-After", "5");
    assertThat(exchange.body().getString("type"))
        .isEqualTo("urn:voi-update:problem:database-unavailable");
  }

  /** A request dispatched to the error page and the response it gets, as plain proxies. */
  private static final class Exchange {
    final Map<String, Object> attributes;
    final Map<String, String> headers = new HashMap<>();
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status;
    String contentType;

    Exchange(Map<String, Object> attributes) {
      this.attributes = new HashMap<>(attributes);
      this.attributes.putIfAbsent(RequestDispatcher.ERROR_REQUEST_URI, "/voi-update/x");
    }

    HttpServletRequest request() {
      return (HttpServletRequest)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {HttpServletRequest.class},
              (proxy, method, args) ->
                  switch (method.getName()) {
                    case "getDispatcherType" -> DispatcherType.ERROR;
                    case "getAttribute" -> attributes.get((String) args[0]);
                    case "getHeader" -> null;
                    case "getContentLengthLong" -> -1L;
                    case "getRequestURI" -> "/voi-update/problem";
                    default -> null;
                  });
    }

    HttpServletResponse response() {
      ServletOutputStream out =
          new ServletOutputStream() {
            @Override
            public void write(int b) {
              bytes.write(b);
            }

            @Override
            public boolean isReady() {
              return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {}
          };
      return (HttpServletResponse)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {HttpServletResponse.class},
              (proxy, method, args) -> {
                switch (method.getName()) {
                  case "setStatus" -> status = (int) args[0];
                  case "setContentType" -> contentType = (String) args[0];
                  case "setHeader" -> headers.put((String) args[0], (String) args[1]);
                  case "getOutputStream" -> {
                    return out;
                  }
                  default -> {
                    // resetBuffer, setCharacterEncoding, flushBuffer: nothing to keep
                  }
                }
                return null;
              });
    }

    JsonObject body() {
      return Json.createReader(new StringReader(bytes.toString(StandardCharsets.UTF_8)))
          .readObject();
    }
  }
}
