package dev.voi.platform;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A filter in the HTTP listener's Grizzly filter chain, between the HTTP codec and the server
 * filter that calls the web container, that makes request bodies the application's business:
 *
 * <ul>
 *   <li>{@code Expect: 100-continue}: Grizzly answers {@code 100 Continue} before any application
 *       code runs ({@code HttpHandler.doHandle}), so a client whose token is wrong sends its whole
 *       body to learn it. The gate clears the request's "requires acknowledgement" flag on its way
 *       up and marks the request; the {@code 100} is then sent by {@link Exchange#sendContinue}
 *       when the application first reads the body ({@link ExpectContinueFilter}), and a refusal
 *       goes out as the first and only answer.
 *   <li>Refused bodies: after a response of 400 or more, Grizzly reads and discards whatever the
 *       request declared, however large (12 GB in 20 s for an anonymous caller). On its way down
 *       the gate sees the response header; when the status is 400 or more (or the {@code 100} was
 *       held back and never sent) and the body is still unread, it marks the request's content
 *       broken and the connection not to be kept alive: Grizzly then answers {@code Connection:
 *       close} and closes after the response instead of draining.
 * </ul>
 *
 * <p>Grizzly and Payara are not APIs of the WAR: everything is reached by reflection from the
 * servlet request facade (as {@link DirectOutput} reaches the output buffer), and the filter is a
 * {@link Proxy} of Grizzly's {@code Filter} interface. It is put into the chain of the listener
 * that serves the first request (there is no earlier way in from a WAR), and taken out when the
 * application stops. Where any piece is out of reach the server behaves as before and says so once
 * at INFO; the listener's {@code max-swallowing-input-bytes} (boot commands) still bounds what a
 * refused request with a {@code Content-Length} can make it read.
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
  private static List<Object> chain;
  private static volatile Object filter;

  private ContinueGate() {}

  /** The Grizzly exchange under {@code servletRequest}, with the gate in place; else empty. */
  static Optional<Exchange> exchange(Object servletRequest) {
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
      if (filter == null) {
        install(api, request);
      }
      return filter == null ? Optional.empty() : Optional.of(new Exchange(api, request));
    } catch (ReflectiveOperationException | RuntimeException e) {
      giveUp(e);
      return Optional.empty();
    }
  }

  /** Takes the gate out of the chain again (the application stops). */
  static void uninstall() {
    synchronized (LOCK) {
      if (chain != null && filter != null) {
        chain.remove(filter);
      }
      chain = null;
      filter = null;
    }
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
        if (api.removeAttribute != null) {
          api.removeAttribute.invoke(packet, DEFERRED);
        }
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

  private static void install(Grizzly api, Object request) throws ReflectiveOperationException {
    synchronized (LOCK) {
      if (filter != null || unavailable) {
        return;
      }
      Object context = api.contextOf.invoke(request);
      Object found = context == null ? null : api.filterChain.invoke(context);
      if (!(found instanceof List<?>)) {
        giveUp(new IllegalStateException("no filter chain under the request"));
        return;
      }
      @SuppressWarnings("unchecked")
      List<Object> filters = (List<Object>) found;
      int server = -1;
      for (int i = 0; i < filters.size(); i++) {
        Object each = filters.get(i);
        if (api.serverFilter.isInstance(each)) {
          server = i;
          break;
        }
      }
      if (server < 0) {
        giveUp(new IllegalStateException("no HTTP server filter in " + filters));
        return;
      }
      Object gate =
          Proxy.newProxyInstance(
              api.filterInterface.getClassLoader(),
              new Class<?>[] {api.filterInterface},
              new Handler(api));
      filters.add(server, gate);
      chain = filters;
      filter = gate;
      LOG.info(
          "Request bodies are the application's: 100 Continue is sent when a body is first read,"
              + " and a refused body is not drained (filter chain "
              + filters
              + ")");
    }
  }

  private static void giveUp(Exception e) {
    if (!unavailable) {
      unavailable = true;
      LOG.log(
          Level.INFO,
          "Expect: 100-continue is answered by the container and refused bodies are drained up to"
              + " max-swallowing-input-bytes: Grizzly's request is out of reach",
          e);
    }
  }

  /** The Grizzly {@code Filter}: passes everything on, after a look at request and response. */
  private static final class Handler implements InvocationHandler {
    private final Grizzly api;
    private volatile boolean failed;

    Handler(Grizzly api) {
      this.api = api;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "handleRead":
          look(args[0], true);
          return api.invokeAction.invoke(args[0]);
        case "handleWrite":
          look(args[0], false);
          return api.invokeAction.invoke(args[0]);
        case "handleConnect", "handleAccept", "handleEvent", "handleClose":
          return api.invokeAction.invoke(args[0]);
        case "equals":
          return proxy == args[0];
        case "hashCode":
          return System.identityHashCode(proxy);
        case "toString":
          return "voi-update ContinueGate";
        default: // onAdded, onRemoved, onFilterChainChanged, exceptionOccurred
          return null;
      }
    }

    private void look(Object context, boolean reading) {
      if (failed) {
        return;
      }
      try {
        Object message = api.message.invoke(context);
        if (!api.httpPacket.isInstance(message)) {
          return;
        }
        Object header = api.httpHeader.invoke(message);
        if (reading) {
          holdBackContinue(header);
        } else {
          closeInsteadOfDraining(header);
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        failed = true;
        LOG.log(Level.INFO, "The 100-continue gate stands aside: " + e, e);
      }
    }

    private void holdBackContinue(Object header) throws ReflectiveOperationException {
      if (api.requestPacket.isInstance(header)
          && (boolean) api.requiresAck.invoke(header)
          && HTTP_1_1.equals(api.protocol.invoke(header))) {
        api.setRequiresAck.invoke(header, false);
        api.setAttribute.invoke(header, DEFERRED, Boolean.TRUE);
      }
    }

    private void closeInsteadOfDraining(Object header) throws ReflectiveOperationException {
      if (!api.responsePacket.isInstance(header)
          || (boolean) api.headerCommitted.invoke(header)
          || (boolean) api.isAcknowledgement.invoke(header)) {
        return;
      }
      Object request = api.requestOfResponse.invoke(header);
      if (request == null
          || !(boolean) api.isExpectContent.invoke(request)
          || !HTTP_1_1.equals(api.protocol.invoke(request))) {
        return;
      }
      boolean refused = (int) api.packetStatus.invoke(header) >= 400;
      boolean neverContinued = api.getAttribute.invoke(request, DEFERRED) != null;
      if (refused || neverContinued) {
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
      Method message,
      Method invokeAction,
      Class<?> filterInterface,
      Class<?> serverFilter,
      Class<?> httpPacket,
      Method httpHeader,
      Method headerCommitted,
      Method protocol,
      Method processingState,
      Method setKeepAlive,
      Class<?> requestPacket,
      Method requiresAck,
      Method setRequiresAck,
      Method getAttribute,
      Method setAttribute,
      Method removeAttribute,
      Method isExpectContent,
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
      Class<?> packet = load("org.glassfish.grizzly.http.HttpPacket", loader);
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
          context.getMethod("getMessage"),
          context.getMethod("getInvokeAction"),
          load("org.glassfish.grizzly.filterchain.Filter", loader),
          load("org.glassfish.grizzly.http.server.HttpServerFilter", loader),
          packet,
          packet.getMethod("getHttpHeader"),
          header.getMethod("isCommitted"),
          header.getMethod("getProtocolString"),
          header.getMethod("getProcessingState"),
          state.getMethod("setKeepAlive", boolean.class),
          requestPacket,
          requestPacket.getMethod("requiresAcknowledgement"),
          setRequiresAck,
          requestPacket.getMethod("getAttribute", String.class),
          requestPacket.getMethod("setAttribute", String.class, Object.class),
          requestPacket.getMethod("removeAttribute", String.class),
          header.getMethod("isExpectContent"),
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
