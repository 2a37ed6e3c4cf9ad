package dev.voi.bench;

import dev.voi.platform.Caller;
import dev.voi.platform.OpenTo;
import dev.voi.terminals.entity.Terminal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/**
 * The baselines of the poll benchmark, added to a copy of the WAR by bench/poll/run.sh (never part
 * of the product): the same authentication and role check as a strategy poll with a terminal's
 * token, then either nothing (trivial) or one primary-key JPA lookup outside a transaction.
 */
@Path("bench")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
@OpenTo(Caller.TERMINAL_ROLE)
public class Baselines {

  @PersistenceContext EntityManager em;

  @GET
  @Path("trivial/{id}")
  public Map<String, Object> trivial(@PathParam("id") long id) {
    return Map.of("id", id);
  }

  @GET
  @Path("terminal/{id}")
  public Map<String, Object> primaryKeyLookup(@PathParam("id") long id) {
    Terminal terminal = em.find(Terminal.class, id);
    if (terminal == null) {
      throw new NotFoundException();
    }
    return Map.of("id", terminal.id(), "name", terminal.name());
  }
}
