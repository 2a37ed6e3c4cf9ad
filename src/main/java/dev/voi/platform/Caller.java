package dev.voi.platform;

import java.security.Principal;

/**
 * Who made a request: the administrator, or one terminal. Terminals see only their own resources
 * and the layers of the images assigned to them.
 */
public sealed interface Caller extends Principal {

  String ADMIN_ROLE = "admin";
  String TERMINAL_ROLE = "terminal";

  String role();

  /** The administrator: manages images, terminals and audits. */
  record Admin() implements Caller {
    @Override
    public String getName() {
      return "admin";
    }

    @Override
    public String role() {
      return ADMIN_ROLE;
    }
  }

  /** One terminal, by its id. */
  record Terminal(long id) implements Caller {
    @Override
    public String getName() {
      return "terminal:" + id;
    }

    @Override
    public String role() {
      return TERMINAL_ROLE;
    }
  }
}
