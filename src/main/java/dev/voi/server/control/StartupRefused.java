package dev.voi.server.control;

/** The server must not start: its data directory and its database do not belong together. */
public class StartupRefused extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public StartupRefused(String message) {
    super(message);
  }

  public StartupRefused(String message, Throwable cause) {
    super(message, cause);
  }
}
