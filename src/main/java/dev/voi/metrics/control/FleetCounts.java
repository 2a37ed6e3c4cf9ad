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

  /** Assignments with an answer, per image, strategy and reason: one grouped scan. */
  static final String TERMINALS =
      "SELECT i.name, a.strategy, a.reason, COUNT(*) FROM assignment a"
          + " JOIN image i ON i.id = a.image_id WHERE a.strategy IS NOT NULL"
          + " GROUP BY i.name, a.strategy, a.reason";

  static final String IMAGES = "SELECT name FROM image";

  /** Rows per table of {@link #TABLES}, in one statement. */
  static final String ROWS =
      TABLES.stream()
          .map(table -> "SELECT '" + table + "', COUNT(*) FROM " + table)
          .collect(Collectors.joining(" UNION ALL "));

  @PersistenceContext EntityManager em;
  @Inject VoiConfig config;

  /** Terminal assignments with an answer, per image, strategy and reason. */
  public Map<Series, Long> terminals() {
    return terminals(em.createNativeQuery(TERMINALS).getResultList());
  }

  /** The names of the images that exist. */
  public Set<String> images() {
    List<?> names = em.createNativeQuery(IMAGES).getResultList();
    return names.stream().map(String.class::cast).collect(Collectors.toUnmodifiableSet());
  }

  /** Rows per table of {@link #TABLES}. */
  public Map<String, Long> rows() {
    return rows(em.createNativeQuery(ROWS).getResultList());
  }

  /** The result of {@link #TERMINALS}, rows of (image, strategy, reason, count). */
  static Map<Series, Long> terminals(List<?> rows) {
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

  /** The result of {@link #ROWS}, rows of (table, count). */
  static Map<String, Long> rows(List<?> rows) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (Object row : rows) {
      Object[] columns = (Object[]) row;
      counts.put(((String) columns[0]).trim(), ((Number) columns[1]).longValue());
    }
    return counts;
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
