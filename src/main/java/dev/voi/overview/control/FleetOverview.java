package dev.voi.overview.control;

import dev.voi.overview.entity.DecisionCount;
import dev.voi.overview.entity.ImageHealth;
import dev.voi.overview.entity.LastAudit;
import dev.voi.overview.entity.LatestFeedback;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Read-only summaries of the fleet for the console (docs/design.md §13): each one statement that
 * groups in the database, whatever the fleet's size, so that a page of the console costs a few
 * small answers and never a walk over 100,000 rows.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class FleetOverview {

  /** What narrows the strategy and reason counts; null members do not narrow. */
  public record Filter(String image, String group, String strategy, String reason) {}

  @PersistenceContext EntityManager em;

  /** Every image in name order, its assigned terminals counted by answer, and bytes to move. */
  public List<ImageHealth> images() {
    Map<String, ImageHealth> health = new LinkedHashMap<>();
    List<?> rows =
        em.createNativeQuery(
                "SELECT i.name, a.strategy, a.reason, COUNT(a.id), COALESCE(SUM(a.total_bytes), 0)"
                    + " FROM image i LEFT JOIN assignment a ON a.image_id = i.id"
                    + " GROUP BY i.name, a.strategy, a.reason ORDER BY i.name")
            .getResultList();
    for (Object row : rows) {
      Object[] r = (Object[]) row;
      String image = (String) r[0];
      long count = number(r[3]);
      ImageHealth current = health.computeIfAbsent(image, ImageHealth::none);
      if (count > 0) {
        health.put(image, current.plus((String) r[1], (String) r[2], count, number(r[4])));
      }
    }
    for (Object image :
        em.createNativeQuery("SELECT i.name FROM rollout r JOIN image i ON i.id = r.image_id")
            .getResultList()) {
      health.computeIfPresent((String) image, (name, row) -> row.withPlan());
    }
    return List.copyOf(health.values());
  }

  /** The newest audit run that ran (a skipped timer tick is not one). */
  public Optional<LastAudit> lastAudit() {
    List<?> rows =
        em.createNativeQuery(
                "SELECT id, state, started_at, finished_at, finding_count, changed_count,"
                    + " stale_count FROM audit_run WHERE state <> 'SKIPPED' ORDER BY id DESC")
            .setMaxResults(1)
            .getResultList();
    return rows.stream()
        .map(row -> (Object[]) row)
        .map(
            r ->
                new LastAudit(
                    number(r[0]),
                    (String) r[1],
                    instant(r[2]),
                    instant(r[3]),
                    number(r[4]),
                    number(r[5]),
                    number(r[6])))
        .findFirst();
  }

  /**
   * The assignments that match the filter, counted per strategy and reason: what the console's
   * chart of a filtered terminal table shows.
   */
  public List<DecisionCount> decisions(Filter filter) {
    StringBuilder sql =
        new StringBuilder(
            "SELECT a.strategy, a.reason, COUNT(a.id) FROM assignment a"
                + " JOIN image i ON i.id = a.image_id WHERE 1 = 1");
    Map<String, Object> parameters = new LinkedHashMap<>();
    narrow(sql, parameters, "i.name", "image", filter.image());
    narrow(sql, parameters, "a.group_name", "grp", filter.group());
    narrow(sql, parameters, "a.strategy", "strategy", filter.strategy());
    narrow(sql, parameters, "a.reason", "reason", filter.reason());
    sql.append(" GROUP BY a.strategy, a.reason ORDER BY a.strategy, a.reason");
    Query query = em.createNativeQuery(sql.toString());
    parameters.forEach(query::setParameter);
    List<DecisionCount> counts = new ArrayList<>();
    for (Object row : query.getResultList()) {
      Object[] r = (Object[]) row;
      counts.add(new DecisionCount((String) r[0], (String) r[1], number(r[2])));
    }
    return counts;
  }

  /** The newest feedback of each of these terminals that sent any, in one statement. */
  public List<LatestFeedback> latestFeedback(Collection<Long> terminals) {
    if (terminals.isEmpty()) {
      return List.of();
    }
    List<?> rows =
        em.createNativeQuery(
                "SELECT f.terminal_id, i.name, f.received_at, f.state, f.progress, f.detail"
                    + " FROM feedback f JOIN image i ON i.id = f.image_id WHERE f.id IN"
                    + " (SELECT MAX(g.id) FROM feedback g WHERE g.terminal_id IN (:terminals)"
                    + " GROUP BY g.terminal_id) ORDER BY f.terminal_id")
            .setParameter("terminals", List.copyOf(terminals))
            .getResultList();
    List<LatestFeedback> feedback = new ArrayList<>();
    for (Object row : rows) {
      Object[] r = (Object[]) row;
      feedback.add(
          new LatestFeedback(
              number(r[0]),
              (String) r[1],
              instant(r[2]),
              (String) r[3],
              r[4] == null ? null : (int) number(r[4]),
              (String) r[5]));
    }
    return feedback;
  }

  private static void narrow(
      StringBuilder sql, Map<String, Object> parameters, String column, String name, String value) {
    if (value != null) {
      sql.append(" AND ").append(column).append(" = :").append(name);
      parameters.put(name, value);
    }
  }

  private static long number(Object value) {
    return ((Number) value).longValue();
  }

  /** A timestamp column as the driver hands it over (it differs between databases). */
  private static Instant instant(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Instant instant) {
      return instant;
    }
    if (value instanceof OffsetDateTime time) {
      return time.toInstant();
    }
    return ((Timestamp) value).toInstant();
  }
}
