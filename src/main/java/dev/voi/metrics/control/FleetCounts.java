package dev.voi.metrics.control;

import dev.voi.chain.Reason;
import dev.voi.chain.Strategy;
import dev.voi.platform.VoiConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The set-based counts behind the fleet and database gauges: one grouped statement over the
 * assignments and one over the tables' row counts, whatever the fleet's size. Read on a timer,
 * never per scrape or per poll.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRES_NEW)
public class FleetCounts {

  /** One series of {@code voi_terminals}. */
  public record Series(String image, Strategy strategy, Reason reason) {}

  /** The tables whose rows {@code voi_database_rows} counts. */
  static final List<String> TABLES =
      List.of(
          "image",
          "layer",
          "terminal",
          "assignment",
          "answer_change",
          "feedback",
          "audit_run",
          "terminal_change");

  @PersistenceContext EntityManager em;
  @Inject VoiConfig config;

  /** Terminal assignments with an answer, per image, strategy and reason. */
  public Map<Series, Long> terminals() {
    List<?> rows =
        em.createNativeQuery(
                "SELECT i.name, a.strategy, a.reason, COUNT(*) FROM assignment a"
                    + " JOIN image i ON i.id = a.image_id WHERE a.strategy IS NOT NULL"
                    + " GROUP BY i.name, a.strategy, a.reason")
            .getResultList();
    Map<Series, Long> counts = new HashMap<>();
    for (Object row : rows) {
      Object[] columns = (Object[]) row;
      counts.put(
          new Series(
              (String) columns[0],
              Strategy.valueOf(((String) columns[1]).trim()),
              Reason.valueOf(((String) columns[2]).trim())),
          ((Number) columns[3]).longValue());
    }
    return counts;
  }

  /** The names of the images that exist. */
  public Set<String> images() {
    List<?> names = em.createNativeQuery("SELECT name FROM image").getResultList();
    return names.stream().map(String.class::cast).collect(Collectors.toUnmodifiableSet());
  }

  /** Rows per table of {@link #TABLES}, in one statement. */
  public Map<String, Long> rows() {
    String sql =
        TABLES.stream()
            .map(table -> "SELECT '" + table + "', COUNT(*) FROM " + table)
            .collect(Collectors.joining(" UNION ALL "));
    Map<String, Long> rows = new LinkedHashMap<>();
    for (Object row : em.createNativeQuery(sql).getResultList()) {
      Object[] columns = (Object[]) row;
      rows.put(((String) columns[0]).trim(), ((Number) columns[1]).longValue());
    }
    return rows;
  }

  /** The database's size on disk (PostgreSQL), empty on the embedded database. */
  public Optional<Long> databaseBytes() {
    if (config.embeddedDatabase()) {
      return Optional.empty();
    }
    Object size =
        em.createNativeQuery("SELECT pg_database_size(current_database())").getSingleResult();
    return Optional.of(((Number) size).longValue());
  }
}
