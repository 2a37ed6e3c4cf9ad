package dev.voi.platform;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;

/**
 * Sends the {@code 100 Continue} of an {@code Expect: 100-continue} request when the application
 * first reads the body, not before (see {@link ContinueGate}, which holds it back): every check
 * that runs before a resource reads its body (the token, the role, the name, the declared length,
 * the image's state) answers first, and the client sends no body byte to a refusal.
 */
@WebFilter(urlPatterns = "/*")
public class ExpectContinueFilter extends HttpFilter {

  private static final long serialVersionUID = 1L;

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    Optional<ContinueGate.Exchange> exchange =
        ContinueGate.exchange(request, request.getContextPath());
    if (exchange.isPresent() && (exchange.get().deferred() || unacknowledgedChunked(request))) {
      chain.doFilter(new ContinueOnRead(request, exchange.get()), response);
    } else {
      chain.doFilter(request, response);
    }
  }

  /**
   * A chunked body whose client waits for {@code 100 Continue}: Grizzly sends none for it and
   * leaves it out of the gate (it marks only requests it would acknowledge itself), so without this
   * the client would wait out its own timeout (curl 1 s, {@code bin/voi} 3 s) on every chunked
   * upload. Its {@code 100} is sent when the application first reads the body, like a gated one's.
   */
  static boolean unacknowledgedChunked(HttpServletRequest request) {
    String encoding = request.getHeader("Transfer-Encoding");
    return "HTTP/1.1".equals(request.getProtocol())
        && "100-continue".equalsIgnoreCase(request.getHeader("Expect"))
        && encoding != null
        && encoding.toLowerCase(Locale.ROOT).contains("chunked");
  }

  @Override
  public void destroy() {
    ContinueGate.uninstall();
    super.destroy();
  }

  /** The request whose body stream sends the {@code 100 Continue} before it is first read. */
  private static final class ContinueOnRead extends HttpServletRequestWrapper {
    private final ContinueGate.Exchange exchange;
    private boolean continued;
    private ServletInputStream body;

    ContinueOnRead(HttpServletRequest request, ContinueGate.Exchange exchange) {
      super(request);
      this.exchange = exchange;
    }

    /** Whether the body is declared and not yet asked for. */
    boolean awaitsContinue() {
      return !continued && (getContentLengthLong() > 0 || getHeader("Transfer-Encoding") != null);
    }

    void proceed() throws IOException {
      if (!continued) {
        continued = true;
        exchange.sendContinue();
      }
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      if (body == null) {
        body = new ContinuingStream(super.getInputStream(), this);
      }
      return body;
    }

    @Override
    public BufferedReader getReader() throws IOException {
      proceed();
      return super.getReader();
    }
  }

  /** A body stream that asks for the body (sends the held-back 100) on its first read. */
  private static final class ContinuingStream extends ServletInputStream {
    private final ServletInputStream in;
    private final ContinueOnRead request;

    ContinuingStream(ServletInputStream in, ContinueOnRead request) {
      this.in = in;
      this.request = request;
    }

    @Override
    public int read() throws IOException {
      request.proceed();
      return in.read();
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
      request.proceed();
      return in.read(bytes, offset, length);
    }

    @Override
    public int readLine(byte[] bytes, int offset, int length) throws IOException {
      request.proceed();
      return in.readLine(bytes, offset, length);
    }

    @Override
    public long skip(long n) throws IOException {
      request.proceed();
      return in.skip(n);
    }

    /**
     * Jersey asks whether a request has an entity ({@code ContainerRequest.hasEntity}, for every
     * form-typed request before any filter runs: curl's {@code --data-binary} default) by {@code
     * available()} and, at 0, by reading a byte; that read would send the {@code 100} before the
     * token is checked. A declared body counts as one byte available: reading it asks for it.
     */
    @Override
    public int available() throws IOException {
      int ready = in.available();
      return ready == 0 && request.awaitsContinue() ? 1 : ready;
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
      try {
        request.proceed();
      } catch (IOException e) {
        listener.onError(e);
        return;
      }
      in.setReadListener(listener);
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
