package dev.voi.metrics.boundary;

import dev.voi.metrics.control.FleetCounts;
import dev.voi.metrics.control.GaugeTable;
import jakarta.annotation.PostConstruct;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricID;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * Every ten seconds: counts the fleet's answers per image, strategy and reason and the database's
 * rows in a few grouped statements, and sets the gauges a scrape reads ({@code voi_terminals},
 * {@code voi_database_rows}, {@code voi_database_bytes}). A scrape therefore costs the database
 * nothing, and neither does a poll.
 */
@Singleton
@Startup
@DependsOn("SchemaMigration")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class MetricsRefresh {

  private static final Logger LOG = Logger.getLogger(MetricsRefresh.class.getName());

  static final String TERMINALS = "voi_terminals";
  static final String DATABASE_ROWS = "voi_database_rows";
  static final String DATABASE_BYTES = "voi_database_bytes";

  @Inject FleetCounts counts;
  @Inject MetricRegistry registry;

  private final GaugeTable<FleetCounts.Series> terminals = new GaugeTable<>();
  private final GaugeTable<String> rows = new GaugeTable<>();
  private final AtomicLong databaseBytes = new AtomicLong(-1);
  private final AtomicBoolean busy = new AtomicBoolean();

  /** Whether the last refresh failed: a failure is logged once, not every ten seconds. */
  private final AtomicBoolean failing = new AtomicBoolean();

  @PostConstruct
  void start() {
    refresh();
  }

  @Schedule(hour = "*", minute = "*", second = "*/10", persistent = false)
  void tick() {
    refresh();
  }

  void refresh() {
    if (!busy.compareAndSet(false, true)) {
      return; // the previous refresh is still at work
    }
    try {
      Set<String> images = counts.images();
      register(
          terminals.refresh(counts.terminals(), series -> images.contains(series.image())),
          terminals,
          series ->
              new MetricID(
                  TERMINALS,
                  new Tag("image", series.image()),
                  new Tag("strategy", series.strategy().name()),
                  new Tag("reason", series.reason().name())),
          "terminals' current answers, per image, strategy and reason");
      Map<String, Long> tableRows = counts.rows();
      register(
          rows.refresh(tableRows, table -> true),
          rows,
          table -> new MetricID(DATABASE_ROWS, new Tag("table", table)),
          "rows per database table");
      counts.databaseBytes().ifPresent(this::databaseBytes);
      if (failing.compareAndSet(true, false)) {
        LOG.info("The metrics' counts are read again");
      }
    } catch (RuntimeException e) {
      // The database may be away (docs/operations.md §9): the gauges keep their last values.
      Level level = failing.compareAndSet(false, true) ? Level.WARNING : Level.FINE;
      LOG.log(level, "The metrics' counts could not be read; the gauges keep their last values", e);
    } finally {
      busy.set(false);
    }
  }

  private <K> void register(
      GaugeTable.Change<K> change,
      GaugeTable<K> table,
      java.util.function.Function<K, MetricID> id,
      String description) {
    for (K key : change.added()) {
      MetricID metric = id.apply(key);
      registry.gauge(
          Metadata.builder().withName(metric.getName()).withDescription(description).build(),
          table,
          t -> t.value(key),
          metric.getTagsAsArray());
    }
    for (K key : change.removed()) {
      registry.remove(id.apply(key));
    }
  }

  private void databaseBytes(long bytes) {
    if (databaseBytes.getAndSet(bytes) < 0) {
      registry.gauge(
          Metadata.builder()
              .withName(DATABASE_BYTES)
              .withDescription("the database's size on disk (PostgreSQL)")
              .build(),
          databaseBytes,
          AtomicLong::get);
    }
  }
}
