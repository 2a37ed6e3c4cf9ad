package bench;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.annotation.WebServlet;
import jakarta.xml.ws.Endpoint;
import org.apache.cxf.BusFactory;
import org.apache.cxf.transport.servlet.CXFNonSpringServlet;
@WebServlet(urlPatterns = "/soap/*", loadOnStartup = 1)
public class SoapServlet extends CXFNonSpringServlet {
  @Override protected void loadBus(ServletConfig config) {
    super.loadBus(config);
    BusFactory.setDefaultBus(getBus());
    Endpoint.publish("/v1", new Ping());
  }
}
