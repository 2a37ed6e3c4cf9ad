package dev.voi.platform;

import jakarta.ejb.ApplicationException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * A request the server refuses for a reason the caller can act on, in domain terms: a {@link
 * ProblemType} and a detail that speaks of images, layers and terminals. Each protocol maps it once
 * (problem+json, SOAP fault). Annotated as an application exception so that the EJB container
 * neither wraps it nor logs it as a system failure; it still rolls the transaction back.
 */
@ApplicationException(rollback = true)
public class Refused extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final ProblemType type;
  private final transient Duration retryAfter;
  private final URI related;

  public Refused(ProblemType type, String detail) {
    this(type, detail, null, null);
  }

  private Refused(ProblemType type, String detail, Duration retryAfter, URI related) {
    super(detail);
    this.type = type;
    this.retryAfter = retryAfter;
    this.related = related;
  }

  /** The same refusal, telling the caller when to try again. */
  public Refused retryAfter(Duration delay) {
    return new Refused(type, getMessage(), delay, related);
  }

  /** The same refusal, naming the resource it is about (e.g. the running audit). */
  public Refused related(URI resource) {
    return new Refused(type, getMessage(), retryAfter, resource);
  }

  public ProblemType type() {
    return type;
  }

  public String detail() {
    return getMessage();
  }

  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  public Optional<URI> related() {
    return Optional.ofNullable(related);
  }
}
