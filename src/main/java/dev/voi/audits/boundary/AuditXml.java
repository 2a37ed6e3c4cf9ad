package dev.voi.audits.boundary;

import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.ContextResolver;
import jakarta.ws.rs.ext.Provider;
import jakarta.xml.bind.JAXBContext;
import jakarta.xml.bind.JAXBException;
import java.util.Map;
import java.util.Set;
import org.eclipse.persistence.jaxb.JAXBContextFactory;

/**
 * Makes EclipseLink MOXy (shipped by Payara) write the audit views as XML. Under JAXB 4 a {@code
 * jaxb.properties} file is ignored; a JAX-RS context resolver is what picks the implementation.
 * Other classes get null: the container's default.
 */
@Provider
@Produces({MediaType.APPLICATION_XML, MediaType.TEXT_XML})
public class AuditXml implements ContextResolver<JAXBContext> {

  static final Set<Class<?>> BOUND =
      Set.of(AuditPageView.class, AuditView.class, AuditSummaryView.class);

  private final JAXBContext context;

  public AuditXml() {
    try {
      context =
          JAXBContextFactory.createContext(
              new Class<?>[] {AuditPageView.class, AuditView.class}, Map.of());
    } catch (JAXBException e) {
      throw new IllegalStateException("the audit views cannot be bound to XML", e);
    }
  }

  @Override
  public JAXBContext getContext(Class<?> type) {
    return BOUND.contains(type) ? context : null;
  }
}
