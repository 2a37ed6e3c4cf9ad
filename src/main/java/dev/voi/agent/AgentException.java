package dev.voi.agent;

import java.util.Objects;

/**
 * A failure the agent reports as one line (its message) and an exit code (its {@link Failure}). The
 * cause, if any, is printed only with {@code --verbose}.
 */
public final class AgentException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final Failure failure;

  public AgentException(Failure failure, String message) {
    this(failure, message, null);
  }

  public AgentException(Failure failure, String message, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.failure = Objects.requireNonNull(failure, "failure");
  }

  public Failure failure() {
    return failure;
  }

  public int exitCode() {
    return failure.exitCode();
  }

  public static AgentException usage(String message) {
    return new AgentException(Failure.USAGE, message);
  }

  public static AgentException server(String message) {
    return new AgentException(Failure.SERVER, message);
  }

  public static AgentException server(String message, Throwable cause) {
    return new AgentException(Failure.SERVER, message, cause);
  }

  public static AgentException verification(String message) {
    return new AgentException(Failure.VERIFICATION, message);
  }

  public static AgentException malformed(String message, Throwable cause) {
    return new AgentException(Failure.MALFORMED_FILE, message, cause);
  }

  public static AgentException localIo(String message, Throwable cause) {
    return new AgentException(Failure.LOCAL_IO, message, cause);
  }
}
