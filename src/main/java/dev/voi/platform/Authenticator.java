package dev.voi.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * Turns a bearer token into a {@link Caller}. The admin token's hash is set once at start-up;
 * terminal tokens are looked up through every {@link TerminalTokens} bean the application has.
 */
@ApplicationScoped
public class Authenticator {

  @Inject Instance<TerminalTokens> terminalTokens;

  private volatile String adminTokenHash;

  /** Called by the start-up code once the admin token is known. */
  public void useAdminTokenHash(String hash) {
    this.adminTokenHash = hash;
  }

  public Optional<Caller> authenticate(String token) {
    if (token == null || token.isEmpty() || token.length() > 512) {
      return Optional.empty();
    }
    String hash = Tokens.hash(token);
    if (Tokens.sameHash(hash, adminTokenHash)) {
      return Optional.of(new Caller.Admin());
    }
    for (TerminalTokens lookup : terminalTokens) {
      Optional<Caller.Terminal> terminal = lookup.terminalForTokenHash(hash);
      if (terminal.isPresent()) {
        return Optional.of(terminal.get());
      }
    }
    return Optional.empty();
  }

  /** Looks terminals up by the SHA-256 hash of their token. */
  public interface TerminalTokens {
    Optional<Caller.Terminal> terminalForTokenHash(String tokenHash);
  }
}
