package dev.voi.platform;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The container's own output buffer under a servlet response, where it takes a {@link ByteBuffer}
 * as it is: on Payara (Catalina over Grizzly) {@code ResponseFacade.response.getCoyoteResponse()
 * .getOutputBuffer().writeByteBuffer(buffer)} queues the buffer itself and the transport writes it
 * to the socket, with no copy into a byte array and none into the container's buffers. Layer
 * downloads hand it memory-mapped windows of the file, so the bytes go from the page cache to the
 * socket in one kernel copy (the servlet stream takes three more: file to array, array to the
 * container's buffer, that to a direct buffer).
 *
 * <p>Reached by reflection (the classes are Payara's, not an API); anywhere else {@link #of} is
 * empty and callers use the servlet stream. Buffers handed over must not change afterwards: the
 * transport may still hold them after {@link #write} returns.
 */
public final class DirectOutput {

  private static final Logger LOG = Logger.getLogger(DirectOutput.class.getName());
  private static final String FACADE = "org.apache.catalina.connector.ResponseFacade";

  /** The request attribute under which {@link RawResponseFilter} leaves the servlet response. */
  public static final String RESPONSE_ATTRIBUTE = DirectOutput.class.getName() + ".response";

  private record Path(Field response, Method coyote, Method outputBuffer, Method write) {}

  private static final ClassValue<Optional<Path>> PATHS =
      new ClassValue<>() {
        @Override
        protected Optional<Path> computeValue(Class<?> facade) {
          return find(facade);
        }
      };

  private final Object buffer;
  private final Method write;

  private DirectOutput(Object buffer, Method write) {
    this.buffer = buffer;
    this.write = write;
  }

  /** The container's output buffer under {@code servletResponse}, if it is Payara's. */
  public static Optional<DirectOutput> of(Object servletResponse) {
    if (servletResponse == null || !servletResponse.getClass().getName().equals(FACADE)) {
      return Optional.empty();
    }
    Optional<Path> path = PATHS.get(servletResponse.getClass());
    if (path.isEmpty()) {
      return Optional.empty();
    }
    try {
      Object catalina = path.get().response().get(servletResponse);
      Object grizzly = path.get().coyote().invoke(catalina);
      Object buffer = path.get().outputBuffer().invoke(grizzly);
      return buffer == null
          ? Optional.empty()
          : Optional.of(new DirectOutput(buffer, path.get().write()));
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.log(Level.FINE, "the container's output buffer is out of reach", e);
      return Optional.empty();
    }
  }

  /** Hands {@code bytes} (all of its remaining bytes) to the transport. */
  public void write(ByteBuffer bytes) throws IOException {
    try {
      write.invoke(buffer, bytes);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IOException(e.getCause());
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Optional<Path> find(Class<?> facade) {
    try {
      Field response = facade.getDeclaredField("response");
      response.setAccessible(true);
      Method coyote = response.getType().getMethod("getCoyoteResponse");
      Method outputBuffer = coyote.getReturnType().getMethod("getOutputBuffer");
      Method write = outputBuffer.getReturnType().getMethod("writeByteBuffer", ByteBuffer.class);
      LOG.info("Layer downloads write memory-mapped file windows to the container's transport");
      return Optional.of(new Path(response, coyote, outputBuffer, write));
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.log(
          Level.INFO,
          "Layer downloads use the servlet stream: the container's output buffer is out of reach",
          e);
      return Optional.empty();
    }
  }
}
