package bench;
import jakarta.jws.WebMethod;
import jakarta.jws.WebService;
@WebService(serviceName = "PingService", targetNamespace = "urn:bench")
public class Ping {
  @WebMethod public String ping(String text) { return "pong " + text; }
}
