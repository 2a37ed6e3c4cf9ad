package dev.voi.soap.boundary;

import jakarta.inject.Inject;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.annotation.WebInitParam;
import jakarta.servlet.annotation.WebServlet;
import javax.xml.namespace.QName;
import org.apache.cxf.helpers.DOMUtils;
import org.apache.cxf.interceptor.Fault;
import org.apache.cxf.jaxws.JaxWsServerFactoryBean;
import org.apache.cxf.message.Message;
import org.apache.cxf.phase.AbstractPhaseInterceptor;
import org.apache.cxf.phase.Phase;
import org.apache.cxf.transport.servlet.CXFNonSpringServlet;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * {@code /soap/v1}: Apache CXF, bundled in the WAR, serving {@link SoapEndpoint}. The endpoint is
 * published through CXF's own factory on this servlet's bus, never through the JAX-WS {@code
 * Endpoint} SPI: on a server with an XML Web Services runtime of its own (a full Payara Server has
 * Metro) the SPI would find the server's runtime, while CXF's classes exist only in this WAR.
 */
@WebServlet(
    urlPatterns = SoapServlet.PATH + "/*",
    loadOnStartup = 1,
    initParams = @WebInitParam(name = "hide-service-list-page", value = "true"))
public class SoapServlet extends CXFNonSpringServlet {

  private static final long serialVersionUID = 1L;

  static final String PATH = "/soap";

  @Inject transient SoapEndpoint endpoint;

  @Override
  protected void loadBus(ServletConfig config) {
    super.loadBus(config);
    JaxWsServerFactoryBean factory = new JaxWsServerFactoryBean();
    factory.setBus(getBus());
    factory.setServiceClass(VoiUpdate.class);
    factory.setServiceBean(endpoint);
    factory.setServiceName(new QName(VoiUpdate.NAMESPACE, "VoiUpdateService"));
    factory.setEndpointName(new QName(VoiUpdate.NAMESPACE, "VoiUpdatePort"));
    factory.setAddress("/v1");
    factory.getOutFaultInterceptors().add(new ProblemFaults());
    factory.create();
  }

  /**
   * Gives every fault its problem: a refusal's fault is {@code soap:Client} below status 500; a
   * request CXF could not read at all (a malformed envelope, an unknown operation) gets the {@code
   * bad-request} problem. The stack trace is never written.
   */
  static final class ProblemFaults extends AbstractPhaseInterceptor<Message> {
    ProblemFaults() {
      super(Phase.PRE_STREAM);
    }

    @Override
    public void handleMessage(Message message) {
      if (!(message.getContent(Exception.class) instanceof Fault fault)) {
        return;
      }
      if (fault.getCause() instanceof ProblemFault problem) {
        fault.setFaultCode(
            problem.getFaultInfo().status < 500
                ? Fault.FAULT_CODE_CLIENT
                : Fault.FAULT_CODE_SERVER);
        return;
      }
      String why =
          fault.getMessage() == null ? "the request is not a valid SOAP call" : fault.getMessage();
      if (why.length() > 300) {
        why = why.substring(0, 300) + "…";
      }
      fault.setFaultCode(Fault.FAULT_CODE_CLIENT);
      fault.setMessage("The request is malformed: " + why);
      fault.setDetail(detail(why));
    }

    private static Element detail(String why) {
      Document document = DOMUtils.createDocument();
      Element detail = document.createElement("detail");
      Element problem = document.createElementNS(VoiUpdate.NAMESPACE, "problem");
      detail.appendChild(problem);
      add(problem, "type", "urn:voi-update:problem:bad-request");
      add(problem, "title", "The request is malformed");
      add(problem, "status", "400");
      add(problem, "detail", why);
      return detail;
    }

    private static void add(Element parent, String name, String text) {
      Element child = parent.getOwnerDocument().createElementNS(VoiUpdate.NAMESPACE, name);
      child.setTextContent(text);
      parent.appendChild(child);
    }
  }
}
