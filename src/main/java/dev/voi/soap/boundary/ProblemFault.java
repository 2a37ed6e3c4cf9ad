package dev.voi.soap.boundary;

import jakarta.xml.ws.WebFault;

/**
 * A refused SOAP call: the fault's {@code detail} holds {@code <problem
 * xmlns="urn:voi-update:soap:v1">} with the REST problem's type, title, status and detail. Built
 * only by {@link SoapFaults}.
 */
@WebFault(name = "problem", targetNamespace = VoiUpdate.NAMESPACE)
public class ProblemFault extends Exception {

  private static final long serialVersionUID = 1L;

  private final Types.Problem problem;

  public ProblemFault(String message, Types.Problem problem) {
    super(message);
    this.problem = problem;
  }

  public Types.Problem getFaultInfo() {
    return problem;
  }
}
