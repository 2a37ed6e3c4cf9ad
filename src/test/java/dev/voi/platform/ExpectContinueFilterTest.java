package dev.voi.platform;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Off Payara (no Grizzly under the request) the filter stands aside and the request is as sent. */
class ExpectContinueFilterTest {

  @Test
  void aRequestThatIsNotPayarasPassesThroughUnchanged() throws Exception {
    HttpServletRequest request = stub(HttpServletRequest.class);
    HttpServletResponse response = stub(HttpServletResponse.class);
    AtomicReference<ServletRequest> passed = new AtomicReference<>();

    new ExpectContinueFilter().doFilter(request, response, (req, res) -> passed.set(req));

    assertThat(passed.get()).isSameAs(request);
    assertThat(ContinueGate.exchange(request, "")).isEmpty();
    assertThat(ContinueGate.exchange(null, "")).isEmpty();
  }

  private static <T> T stub(Class<T> type) {
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "equals" -> proxy == args[0];
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "toString" -> type.getSimpleName();
                  default -> method.getReturnType() == boolean.class ? false : null;
                }));
  }
}
