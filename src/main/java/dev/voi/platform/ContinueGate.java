package dev.voi.platform;

import java.io.IOException;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Makes request bodies the application's business on Payara's Grizzly HTTP listener, through two
 * monitoring probes (Grizzly's extension points for watching requests, registered at run time):
 *
 * <ul>
 *   <li>{@code Expect: 100-continue}: Grizzly answers {@code 100 Continue} before any application
 *       code runs ({@code HttpHandler.doHandle}), so a client whose token is wrong sends its whole
 *       body to learn it. When the server filter has received a request ({@code
 *       HttpServerProbe.onRequestReceiveEvent}, just before {@code doHandle}), the gate clears the
 *       request's "requires acknowledgement" flag and marks the request; the {@code 100} is then
 *       sent by {@link Exchange#sendContinue} when the application first reads the body ({@link
 *       ExpectContinueFilter}), and a refusal goes out as the first and only answer.
 *   <li>Refused bodies: after a response of 400 or more, Grizzly reads and discards whatever the
 *       request declared, however large (12 GB in 20 s for an anonymous caller). When the codec has
 *       written a response header ({@code HttpProbe.onHeaderSerializeEvent}) of a request whose
 *       {@code 100} was held back and never sent, or of 400 or more to a request whose body {@link
 *       RefusedBodies} does not drain (chunked, held back, or over 1 MiB), and the body is still
 *       unread, the gate marks the request's content broken: once the response is complete, Grizzly
 *       closes the connection instead of draining it. Every refusal of a request with a body says
 *       {@code Connection: close} ({@link ProblemMappers}, {@link ContainerErrors}); a small one is
 *       drained before the close, so that a client which writes before it reads gets its answer.
 * </ul>
 *
 * <p>Grizzly and Payara are not APIs of the WAR: everything is reached by reflection from the
 * servlet request facade (as {@link DirectOutput} reaches the output buffer), and the probes are
 * {@link Proxy} instances of Grizzly's probe interfaces. They are registered on the filters of the
 * listener that serves a request (there is no earlier way in from a WAR) and removed when the
 * application stops; the filter chain itself is never changed. Where any piece is out of reach the
 * server behaves as before and says so once at INFO; the listener's {@code
 * max-swallowing-input-bytes} (boot commands) still bounds what a refused request with a {@code
 * Content-Length} can make it read.
 */
final class ContinueGate {

  private static final Logger LOG = Logger.getLogger(ContinueGate.class.getName());
  private static final String FACADE = "org.apache.catalina.connector.RequestFacade";

  /** The request packet attribute that says the {@code 100 Continue} was held back. */
  static final String DEFERRED = ContinueGate.class.getName() + ".deferred";

  /** HTTP/2 streams are left alone: their bodies and connections work differently. */
  private static final String HTTP_1_1 = "HTTP/1.1";

  private static final Object LOCK = new Object();
  private static volatile Grizzly grizzly;
  private static volatile boolean unavailable;

  /** The filter chains whose filters carry the probes, and what to remove when the WAR stops. */
  private static volatile List<Object> chains = List.of();

  private static final List<Runnable> REMOVALS = new ArrayList<>();

  private ContinueGate() {}

  /**
   * The Grizzly exchange under {@code servletRequest}, with the gate in place for requests under
   * {@code contextPath} (the application's; other applications on the listener keep Grizzly's early
   * {@code 100}, as nothing of theirs would send it); else empty.
   */
  static Optional<Exchange> exchange(Object servletRequest, String contextPath) {
    if (unavailable
        || servletRequest == null
        || !servletRequest.getClass().getName().equals(FACADE)) {
      return Optional.empty();
    }
    try {
      Grizzly api = grizzly;
      if (api == null) {
        api = resolve(servletRequest.getClass());
      }
      Object catalina = api.facadeRequest.get(servletRequest);
      Object request = api.coyoteRequest.invoke(catalina);
      if (request == null) {
        return Optional.empty();
      }
      Object context = api.contextOf.invoke(request);
      Object chain = context == null ? null : api.filterChain.invoke(context);
      if (chain == null || !installed(chain) && !install(api, chain, contextPath)) {
        return Optional.empty();
      }
      return Optional.of(new Exchange(api, request));
    } catch (ReflectiveOperationException | RuntimeException e) {
      giveUp(e);
      return Optional.empty();
    }
  }

  /** Removes the probes again (the application stops). */
  static void uninstall() {
    synchronized (LOCK) {
      REMOVALS.forEach(Runnable::run);
      REMOVALS.clear();
      chains = List.of();
    }
  }

  private static boolean installed(Object chain) {
    for (Object each : chains) {
      if (each == chain) {
        return true;
      }
    }
    return false;
  }

  /** One request as Grizzly sees it. */
  static final class Exchange {
    private final Grizzly api;
    private final Object request;

    private Exchange(Grizzly api, Object request) {
      this.api = api;
      this.request = request;
    }

    /** Whether the gate held back this request's {@code 100 Continue}. */
    boolean deferred() {
      try {
        return api.getAttribute.invoke(packet(), DEFERRED) != null;
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.log(Level.FINE, "the request packet is out of reach", e);
        return false;
      }
    }

    /**
     * Sends the {@code 100 Continue} that was held back (nothing once the response is committed).
     */
    void sendContinue() throws IOException {
      try {
        Object packet = packet();
        api.removeAttribute.invoke(packet, DEFERRED);
        Object response = api.responseOf.invoke(request);
        if ((boolean) api.responseCommitted.invoke(response)) {
          return;
        }
        int status = (int) api.getStatus.invoke(response);
        api.setRequiresAck.invoke(packet, true);
        api.setStatus.invoke(response, 100);
        // Grizzly writes "HTTP/1.1 100 Continue", then resets the status and the flag.
        api.sendAck.invoke(response);
        api.setStatus.invoke(response, status);
      } catch (InvocationTargetException e) {
        if (e.getCause() instanceof IOException io) {
          throw io;
        }
        throw new IOException("the 100 Continue could not be sent", e.getCause());
      } catch (ReflectiveOperationException | RuntimeException e) {
        throw new IOException("the 100 Continue could not be sent", e);
      }
    }

    private Object packet() throws ReflectiveOperationException {
      return api.packetOf.invoke(request);
    }
  }

  private static Grizzly resolve(Class<?> facade) throws ReflectiveOperationException {
    synchronized (LOCK) {
      if (grizzly == null) {
        grizzly = Grizzly.find(facade);
      }
      return grizzly;
    }
  }

  /** Registers the probes on the codec and the server filter of {@code chain}. */
  private static boolean install(Grizzly api, Object chain, String contextPath)
      throws ReflectiveOperationException {
    synchronized (LOCK) {
      if (installed(chain)) {
        return true;
      }
      if (unavailable || !(chain instanceof List<?> filters)) {
        return false;
      }
      Object codec = null;
      Object server = null;
      for (Object each : filters) {
        if (codec == null && api.codecFilter.isInstance(each)) {
          codec = each;
        } else if (server == null && api.serverFilter.isInstance(each)) {
          server = each;
        }
      }
      if (codec == null || server == null) {
        giveUp(new IllegalStateException("no HTTP codec or server filter in " + filters));
        return false;
      }
      Runnable removeServerProbe =
          register(api, server, api.serverProbe, new ServerProbe(api, contextPath));
      Runnable removeCodecProbe = register(api, codec, api.codecProbe, new CodecProbe(api));
      REMOVALS.add(removeServerProbe);
      REMOVALS.add(removeCodecProbe);
      List<Object> more = new ArrayList<>(chains);
      more.add(chain);
      chains = List.copyOf(more);
      LOG.info(
          "Request bodies are the application's: 100 Continue is sent when a body is first read,"
              + " and a refused body is not drained (probes on "
              + codec
              + " and "
              + server
              + ")");
      return true;
    }
  }

  /** Adds a probe to a filter's monitoring configuration; gives back how to remove it. */
  private static Runnable register(
      Grizzly api, Object filter, Class<?> probeType, InvocationHandler handler)
      throws ReflectiveOperationException {
    Object probe =
        Proxy.newProxyInstance(probeType.getClassLoader(), new Class<?>[] {probeType}, handler);
    Object probes = Array.newInstance(probeType, 1);
    Array.set(probes, 0, probe);
    Object config = api.monitoringConfig.invoke(filter);
    api.addProbes.invoke(config, probes);
    return () -> {
      try {
        api.removeProbes.invoke(config, probes);
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.log(Level.FINE, "a probe could not be removed", e);
      }
    };
  }

  private static void giveUp(Exception e) {
    if (!unavailable) {
      unavailable = true;
      uninstall();
      LOG.log(
          Level.INFO,
          "Expect: 100-continue is answered by the container and refused bodies are drained up to"
              + " max-swallowing-input-bytes: Grizzly's request is out of reach",
          e);
    }
  }

  /** The common part of both probes: identity, and standing aside after a failure. */
  private abstract static class Probe implements InvocationHandler {
    final Grizzly api;
    private volatile boolean failed;

    Probe(Grizzly api) {
      this.api = api;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) {
      switch (method.getName()) {
        case "equals":
          return proxy == args[0];
        case "hashCode":
          return System.identityHashCode(proxy);
        case "toString":
          return "voi-update " + getClass().getSimpleName();
        default:
          if (!failed) {
            try {
              on(method.getName(), args);
            } catch (ReflectiveOperationException | RuntimeException e) {
              failed = true;
              LOG.log(Level.INFO, "The 100-continue gate stands aside: " + e, e);
            }
          }
          return null;
      }
    }

    abstract void on(String event, Object[] args) throws ReflectiveOperationException;
  }

  /** On the server filter: holds back the 100 of a request for the application just received. */
  private static final class ServerProbe extends Probe {
    private final String contextPath;

    ServerProbe(Grizzly api, String contextPath) {
      super(api);
      this.contextPath = contextPath == null ? "" : contextPath;
    }

    @Override
    void on(String event, Object[] args) throws ReflectiveOperationException {
      if (!event.equals("onRequestReceiveEvent")) {
        return;
      }
      Object packet = api.packetOf.invoke(args[2]);
      if ((boolean) api.requiresAck.invoke(packet)
          && HTTP_1_1.equals(api.protocol.invoke(packet))
          && ours((String) api.requestUri.invoke(packet))) {
        // Marked first: a request whose flag is cleared must be known to the application.
        api.setAttribute.invoke(packet, DEFERRED, Boolean.TRUE);
        api.setRequiresAck.invoke(packet, false);
      }
    }

    private boolean ours(String uri) {
      return contextPath.isEmpty()
          || uri != null && (uri.equals(contextPath) || uri.startsWith(contextPath + "/"));
    }
  }

  /**
   * On the codec: the unread body of a request whose {@code 100} never went out, or of a refusal
   * that {@link RefusedBodies} does not drain, closes the connection instead of being read.
   */
  private static final class CodecProbe extends Probe {
    CodecProbe(Grizzly api) {
      super(api);
    }

    @Override
    void on(String event, Object[] args) throws ReflectiveOperationException {
      if (!event.equals("onHeaderSerializeEvent")) {
        return;
      }
      Object header = args[1];
      if (!api.responsePacket.isInstance(header)
          || (boolean) api.isAcknowledgement.invoke(header)) {
        return;
      }
      Object request = api.requestOfResponse.invoke(header);
      if (request == null
          || !(boolean) api.isExpectContent.invoke(request)
          || !HTTP_1_1.equals(api.protocol.invoke(request))) {
        return;
      }
      boolean neverContinued = api.getAttribute.invoke(request, DEFERRED) != null;
      boolean refused = (int) api.packetStatus.invoke(header) >= 400;
      if (neverContinued
          || refused
              && RefusedBodies.leftUnread(
                  (long) api.contentLength.invoke(request),
                  (boolean) api.chunked.invoke(request),
                  (String) api.headerValue.invoke(request, "Expect"))) {
        api.setContentBroken.invoke(request, true);
        api.setKeepAlive.invoke(api.processingState.invoke(header), false);
      }
    }
  }

  /** The Payara and Grizzly members used, found once. */
  private record Grizzly(
      Field facadeRequest,
      Method coyoteRequest,
      Method packetOf,
      Method responseOf,
      Method contextOf,
      Method filterChain,
      Class<?> codecFilter,
      Class<?> serverFilter,
      Class<?> codecProbe,
      Class<?> serverProbe,
      Method monitoringConfig,
      Method addProbes,
      Method removeProbes,
      Method protocol,
      Method processingState,
      Method setKeepAlive,
      Method requiresAck,
      Method setRequiresAck,
      Method requestUri,
      Method getAttribute,
      Method setAttribute,
      Method removeAttribute,
      Method isExpectContent,
      Method contentLength,
      Method chunked,
      Method headerValue,
      Method setContentBroken,
      Class<?> responsePacket,
      Method isAcknowledgement,
      Method packetStatus,
      Method requestOfResponse,
      Method responseCommitted,
      Method getStatus,
      Method setStatus,
      Method sendAck) {

    static Grizzly find(Class<?> facade) throws ReflectiveOperationException {
      Field facadeRequest = facade.getDeclaredField("request");
      facadeRequest.setAccessible(true);
      Method coyoteRequest = facadeRequest.getType().getMethod("getCoyoteRequest");
      Class<?> request = coyoteRequest.getReturnType();
      ClassLoader loader = request.getClassLoader();
      Class<?> response = load("org.glassfish.grizzly.http.server.Response", loader);
      Class<?> context = load("org.glassfish.grizzly.filterchain.FilterChainContext", loader);
      Class<?> monitoring = load("org.glassfish.grizzly.monitoring.MonitoringConfig", loader);
      Class<?> header = load("org.glassfish.grizzly.http.HttpHeader", loader);
      Class<?> state = load("org.glassfish.grizzly.http.ProcessingState", loader);
      Class<?> requestPacket = load("org.glassfish.grizzly.http.HttpRequestPacket", loader);
      Class<?> responsePacket = load("org.glassfish.grizzly.http.HttpResponsePacket", loader);
      Method setRequiresAck =
          requestPacket.getDeclaredMethod("requiresAcknowledgement", boolean.class);
      setRequiresAck.setAccessible(true);
      return new Grizzly(
          facadeRequest,
          coyoteRequest,
          request.getMethod("getRequest"),
          request.getMethod("getResponse"),
          request.getMethod("getContext"),
          context.getMethod("getFilterChain"),
          load("org.glassfish.grizzly.http.HttpServerFilter", loader),
          load("org.glassfish.grizzly.http.server.HttpServerFilter", loader),
          load("org.glassfish.grizzly.http.HttpProbe", loader),
          load("org.glassfish.grizzly.http.server.HttpServerProbe", loader),
          load("org.glassfish.grizzly.monitoring.MonitoringAware", loader)
              .getMethod("getMonitoringConfig"),
          monitoring.getMethod("addProbes", Object[].class),
          monitoring.getMethod("removeProbes", Object[].class),
          header.getMethod("getProtocolString"),
          header.getMethod("getProcessingState"),
          state.getMethod("setKeepAlive", boolean.class),
          requestPacket.getMethod("requiresAcknowledgement"),
          setRequiresAck,
          requestPacket.getMethod("getRequestURI"),
          requestPacket.getMethod("getAttribute", String.class),
          requestPacket.getMethod("setAttribute", String.class, Object.class),
          requestPacket.getMethod("removeAttribute", String.class),
          header.getMethod("isExpectContent"),
          header.getMethod("getContentLength"),
          header.getMethod("isChunked"),
          header.getMethod("getHeader", String.class),
          header.getMethod("setContentBroken", boolean.class),
          responsePacket,
          responsePacket.getMethod("isAcknowledgement"),
          responsePacket.getMethod("getStatus"),
          responsePacket.getMethod("getRequest"),
          response.getMethod("isCommitted"),
          response.getMethod("getStatus"),
          response.getMethod("setStatus", int.class),
          response.getMethod("sendAcknowledgement"));
    }

    private static Class<?> load(String name, ClassLoader loader) throws ClassNotFoundException {
      return Class.forName(name, false, loader);
    }
  }
}
