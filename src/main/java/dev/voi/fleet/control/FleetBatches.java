package dev.voi.fleet.control;

import dev.voi.answers.control.TargetChains;
import dev.voi.images.control.Affected;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.hibernate.Session;

/** {@link FleetSql} in short transactions of their own, on the persistence unit's connection. */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRES_NEW)
public class FleetBatches {

  @PersistenceContext EntityManager em;

  public Map<Long, String> reportedImages() {
    return em.unwrap(Session.class).doReturningWork(FleetSql::reportedImages);
  }

  /** {@link FleetSql#rangeStarts}. */
  public List<Long> rangeStarts(Long imageId, Affected affected, int size) {
    return em.unwrap(Session.class)
        .doReturningWork(connection -> FleetSql.rangeStarts(connection, imageId, affected, size));
  }

  /** {@link FleetSql#redecideBatch}, in a transaction of its own. */
  public FleetSql.Batch redecide(
      TargetChains.Judging chains,
      String trigger,
      Long imageId,
      Affected affected,
      long after,
      long before,
      int limit,
      Instant now,
      int pollSeconds) {
    return em.unwrap(Session.class)
        .doReturningWork(
            connection ->
                FleetSql.redecideBatch(
                    connection,
                    chains,
                    trigger,
                    imageId,
                    affected,
                    after,
                    before,
                    limit,
                    now,
                    pollSeconds));
  }

  /** The counts of every stored answer, and the changes named. */
  public FleetDecisions.Redecision counts(
      long changed, List<FleetSql.Changed> changes, Map<Long, String> images) {
    return em.unwrap(Session.class)
        .doReturningWork(
            connection -> {
              Map<Long, String> terminals =
                  FleetSql.names(
                      connection,
                      "terminal",
                      changes.stream()
                          .map(FleetSql.Changed::terminalId)
                          .collect(Collectors.toSet()));
              List<FleetDecisions.Change> named =
                  changes.stream()
                      .map(
                          c ->
                              new FleetDecisions.Change(
                                  c.terminalId(),
                                  terminals.get(c.terminalId()),
                                  images.get(c.imageId()),
                                  c.group(),
                                  c.wave(),
                                  c.oldStrategy(),
                                  c.oldReason(),
                                  c.newStrategy(),
                                  c.newReason()))
                      .toList();
              return FleetSql.counts(connection, changed, named);
            });
  }

  public FleetDecisions.StaleTerminals stale(Instant notSeenSince, int limit) {
    return em.unwrap(Session.class)
        .doReturningWork(connection -> FleetSql.stale(connection, notSeenSince, limit));
  }
}
