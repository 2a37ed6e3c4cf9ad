package dev.voi.soap.boundary;

import dev.voi.platform.Authenticator;
import dev.voi.platform.Caller;
import dev.voi.platform.ProblemType;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Every SOAP call needs the same tokens as REST, as {@code Authorization: Bearer <token>} or HTTP
 * Basic with user {@code admin} or the terminal's id and the token as password. No or bad
 * credentials answer HTTP 401 with a {@code soap:Client} fault carrying the {@code unauthorized}
 * problem; the WSDL ({@code GET ?wsdl}) is open, as {@code /openapi} is. A request larger than
 * {@link #MAX_REQUEST} is refused (413, {@code body-too-large}) before the XML parser sees it.
 */
@WebFilter(urlPatterns = SoapServlet.PATH + "/*")
public class SoapAuthentication extends HttpFilter {

  private static final long serialVersionUID = 1L;

  /** The largest SOAP request: a chain report's REST limit (1 MiB) with room for the envelope. */
  static final int MAX_REQUEST = 2 << 20;

  static final String CALLER = Caller.class.getName();

  @Inject Authenticator authenticator;

  /** The caller this filter let through. */
  static Caller caller(HttpServletRequest request) {
    Object caller = request.getAttribute(CALLER);
    if (caller instanceof Caller known) {
      return known;
    }
    throw ProblemType.UNAUTHORIZED.refuse("no authenticated caller");
  }

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if ("GET".equals(request.getMethod()) && isContract(request.getQueryString())) {
      chain.doFilter(request, response);
      return;
    }
    Optional<Caller> caller = authenticate(request.getHeader("Authorization"));
    if (caller.isEmpty()) {
      response.setHeader("WWW-Authenticate", "Bearer, Basic realm=\"voi-update\"");
      refuse(
          response,
          ProblemType.UNAUTHORIZED,
          "send Authorization: Bearer <token>, or Basic with user admin or the terminal id and"
              + " the token as password");
      return;
    }
    long declared = request.getContentLengthLong();
    if (declared > MAX_REQUEST) {
      response.setHeader("Connection", "close");
      refuse(
          response,
          ProblemType.BODY_TOO_LARGE,
          "a SOAP request is at most " + MAX_REQUEST + " bytes, this one declares " + declared);
      return;
    }
    request.setAttribute(CALLER, caller.get());
    chain.doFilter(new Capped(request), response);
  }

  private static boolean isContract(String query) {
    return query != null && (query.equalsIgnoreCase("wsdl") || query.startsWith("xsd="));
  }

  /** The caller of the credentials, if they are valid. */
  Optional<Caller> authenticate(String header) {
    if (header == null) {
      return Optional.empty();
    }
    if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authenticator.authenticate(header.substring(7).trim());
    }
    if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
      String pair;
      try {
        pair =
            new String(
                Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
      int colon = pair.indexOf(':');
      if (colon < 0) {
        return Optional.empty();
      }
      String user = pair.substring(0, colon);
      return authenticator
          .authenticate(pair.substring(colon + 1))
          .filter(caller -> user.equals(userOf(caller)));
    }
    return Optional.empty();
  }

  /** The Basic user name that goes with a caller's token: {@code admin} or the terminal id. */
  static String userOf(Caller caller) {
    return caller instanceof Caller.Terminal terminal ? Long.toString(terminal.id()) : "admin";
  }

  private static void refuse(HttpServletResponse response, ProblemType type, String detail)
      throws IOException {
    response.setStatus(type.status());
    response.setContentType("text/xml;charset=UTF-8");
    response
        .getOutputStream()
        .write(SoapFaults.envelope(type, detail).getBytes(StandardCharsets.UTF_8));
  }

  /** The request with its body cut off (a read error) past {@link #MAX_REQUEST} bytes. */
  private static final class Capped extends HttpServletRequestWrapper {
    private ServletInputStream capped;

    Capped(HttpServletRequest request) {
      super(request);
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      if (capped == null) {
        ServletInputStream in = super.getInputStream();
        capped =
            new ServletInputStream() {
              private long read;

              @Override
              public int read() throws IOException {
                int b = in.read();
                if (b >= 0) {
                  count(1);
                }
                return b;
              }

              @Override
              public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = in.read(buffer, offset, length);
                if (n > 0) {
                  count(n);
                }
                return n;
              }

              private void count(int n) throws IOException {
                read += n;
                if (read > MAX_REQUEST) {
                  throw new IOException(
                      "the SOAP request is larger than " + MAX_REQUEST + " bytes");
                }
              }

              @Override
              public boolean isFinished() {
                return in.isFinished();
              }

              @Override
              public boolean isReady() {
                return in.isReady();
              }

              @Override
              public void setReadListener(ReadListener listener) {
                in.setReadListener(listener);
              }
            };
      }
      return capped;
    }
  }
}
