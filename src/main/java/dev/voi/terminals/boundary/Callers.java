package dev.voi.terminals.boundary;

import dev.voi.chain.ImageName;
import dev.voi.platform.Caller;
import dev.voi.platform.ProblemType;
import dev.voi.platform.TerminalId;
import jakarta.ws.rs.core.SecurityContext;

/** Which terminal a request is about, and whether its caller may ask. */
public final class Callers {

  private Callers() {}

  /**
   * The terminal id of the path, for a caller allowed to use it: a terminal only its own (any other
   * id, existing or not, answers 403 so that ids do not leak), the administrator any.
   */
  static TerminalId terminalId(SecurityContext security, String pathId) {
    return terminalId(security.getUserPrincipal(), pathId);
  }

  /** The same for a caller of another protocol (SOAP). */
  public static TerminalId terminalId(java.security.Principal caller, String pathId) {
    if (caller instanceof Caller.Terminal terminal) {
      if (!String.valueOf(terminal.id()).equals(pathId)) {
        throw ProblemType.FORBIDDEN.refuse("a terminal may only use its own resources");
      }
      return new TerminalId(terminal.id());
    }
    return adminTerminalId(pathId);
  }

  /** The terminal id of an administrator's path; not a positive number: no such terminal. */
  public static TerminalId adminTerminalId(String pathId) {
    try {
      return TerminalId.parse(pathId);
    } catch (IllegalArgumentException e) {
      throw ProblemType.NOT_FOUND.refuse("no terminal " + pathId);
    }
  }

  public static ImageName imageName(String name) {
    if (!ImageName.isValid(name)) {
      throw ProblemType.BAD_REQUEST.refuse(
          "an image name is 1-128 characters of A-Z a-z 0-9 . _ - and does not start with '.'");
    }
    return new ImageName(name);
  }
}
