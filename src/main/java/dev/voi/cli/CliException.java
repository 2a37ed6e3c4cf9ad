package dev.voi.cli;

import java.util.Objects;

/**
 * A failure {@code voi} reports as one line (its message) and an exit code. The cause, if any, is
 * printed only with {@code --verbose}.
 */
class CliException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final Exit exit;

  CliException(Exit exit, String message, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.exit = Objects.requireNonNull(exit, "exit");
  }

  Exit exit() {
    return exit;
  }

  static CliException usage(String message) {
    return new CliException(Exit.USAGE, message, null);
  }

  static CliException server(String message) {
    return new CliException(Exit.SERVER, message, null);
  }

  static CliException server(String message, Throwable cause) {
    return new CliException(Exit.SERVER, message, cause);
  }

  static CliException verification(String message) {
    return new CliException(Exit.VERIFICATION, message, null);
  }

  static CliException verification(String message, Throwable cause) {
    return new CliException(Exit.VERIFICATION, message, cause);
  }

  static CliException localIo(String message, Throwable cause) {
    return new CliException(Exit.LOCAL_IO, message, cause);
  }
}
