package dev.voi.platform;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Leaves the container's own servlet response in a request attribute for layer downloads: JAX-RS
 * injects a proxy instead, under which {@link DirectOutput} cannot reach.
 */
@WebFilter(urlPatterns = "/api/v1/images/*")
public class RawResponseFilter extends HttpFilter {

  private static final long serialVersionUID = 1L;

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    request.setAttribute(DirectOutput.RESPONSE_ATTRIBUTE, response);
    try {
      chain.doFilter(request, response);
    } finally {
      request.removeAttribute(DirectOutput.RESPONSE_ATTRIBUTE);
    }
  }
}
