package bench;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.*;
@WebServlet("/soap/v1")
public class Hello extends HttpServlet {
  @Override protected void doGet(HttpServletRequest q, HttpServletResponse r) throws java.io.IOException { r.getWriter().print("hi"); }
}
