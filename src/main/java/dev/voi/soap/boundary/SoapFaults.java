package dev.voi.soap.boundary;

import dev.voi.platform.DatabaseOutage;
import dev.voi.platform.ProblemType;
import dev.voi.platform.Refused;
import jakarta.ejb.EJBException;
import java.time.Clock;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place where failures become SOAP faults: a domain refusal keeps its problem type, title,
 * status and detail (the same as REST's problem+json); anything unexpected is a {@code soap:Server}
 * fault naming the log entry that holds its stack trace, which the caller never sees. The fault
 * code ({@code soap:Client} below 500) is set by {@link SoapEndpoint}'s fault interceptor from the
 * status.
 */
final class SoapFaults {

  private static final Logger LOG = Logger.getLogger(SoapFaults.class.getName());

  private SoapFaults() {}

  /** A call's body, which may throw the control layer's refusals. */
  @FunctionalInterface
  interface Call<T> {
    T run() throws Exception;
  }

  /** Runs one operation; every failure leaves as a {@link ProblemFault}. */
  static <T> T call(Call<T> call) throws ProblemFault {
    try {
      return call.run();
    } catch (Throwable failure) {
      throw fault(failure);
    }
  }

  static ProblemFault fault(Throwable failure) {
    Throwable cause = failure;
    if (cause instanceof EJBException ejb && ejb.getCause() != null) {
      cause = ejb.getCause();
    }
    if (cause instanceof ProblemFault fault) {
      return fault;
    }
    if (cause instanceof Refused refused) {
      return of(refused.type(), refused.detail());
    }
    if (DatabaseOutage.isOutage(failure)) {
      Refused refused = DatabaseOutage.refusal(failure, Clock.systemUTC());
      return of(refused.type(), refused.detail());
    }
    String errorId = UUID.randomUUID().toString();
    LOG.log(Level.SEVERE, "Unexpected failure of a SOAP call, error id " + errorId, failure);
    return of(
        "urn:voi-update:problem:internal-error",
        "Internal server error",
        500,
        "The failure is logged under error id " + errorId);
  }

  static ProblemFault of(ProblemType type, String detail) {
    return of(type.uri(), type.title(), type.status(), detail);
  }

  static ProblemFault of(String type, String title, int status, String detail) {
    Types.Problem problem = new Types.Problem();
    problem.type = type;
    problem.title = title;
    problem.status = status;
    problem.detail = detail;
    return new ProblemFault(detail == null ? title : title + ": " + detail, problem);
  }

  /**
   * The whole SOAP 1.1 envelope of a refusal answered before CXF runs (authentication, an oversized
   * request): the same fault the endpoint would give.
   */
  static String envelope(ProblemType type, String detail) {
    String code = type.status() < 500 ? "soap:Client" : "soap:Server";
    return "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>"
        + "<soap:Fault><faultcode>"
        + code
        + "</faultcode><faultstring>"
        + xml(type.title() + ": " + detail)
        + "</faultstring><detail><problem xmlns=\""
        + VoiUpdate.NAMESPACE
        + "\"><type>"
        + type.uri()
        + "</type><title>"
        + xml(type.title())
        + "</title><status>"
        + type.status()
        + "</status><detail>"
        + xml(detail)
        + "</detail></problem></detail></soap:Fault></soap:Body></soap:Envelope>";
  }

  private static String xml(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
