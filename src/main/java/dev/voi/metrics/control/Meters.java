package dev.voi.metrics.control;

import dev.voi.chain.Reason;
import dev.voi.chain.Strategy;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

/**
 * The application's counters, timers and in-process gauges (docs/operations.md, "Metrics"). Every
 * series is looked up in the registry once and kept: the poll path reads one slot of an array and
 * adds one, it never builds a name or tags. Tags come from closed sets (strategies, reasons,
 * feedback states, finding kinds, publish kinds), so the number of series is bounded.
 */
@ApplicationScoped
public class Meters {

  /** A poll's result: the answer's bytes, or 304 because {@code If-None-Match} matched. */
  public enum PollResult {
    OK("200"),
    NOT_MODIFIED("304");

    final String status;

    PollResult(String status) {
      this.status = status;
    }
  }

  static final String POLLS = "voi_polls";
  static final String REPORTS = "voi_reports";
  static final String FEEDBACK = "voi_feedback";
  static final String LAYER_BYTES = "voi_layer_bytes_served";
  static final String DOWNLOADS = "voi_downloads";
  static final String DOWNLOADS_IN_PROGRESS = "voi_downloads_in_progress";
  static final String UPLOADS = "voi_uploads";
  static final String PUBLISH = "voi_publish";
  static final String AUDITS = "voi_audits";
  static final String AUDIT_DURATION = "voi_audit_duration";
  static final String AUDIT_FINDINGS = "voi_audit_findings";
  static final String AUDIT_REDECIDED = "voi_audit_terminals_redecided";
  static final String AUDIT_CHANGED = "voi_audit_answers_changed";
  static final String CACHE_ENTRIES = "voi_cache_entries";

  private static final int STRATEGIES = Strategy.values().length;
  private static final int REASONS = Reason.values().length;

  @Inject MetricRegistry registry;

  /** Polls by result, strategy and reason, at {@link #slot}. */
  private final AtomicReferenceArray<Counter> polls =
      new AtomicReferenceArray<>(PollResult.values().length * STRATEGIES * REASONS);

  /** Reports by the strategy and reason of their answer. */
  private final AtomicReferenceArray<Counter> reports =
      new AtomicReferenceArray<>(STRATEGIES * REASONS);

  /** Counters whose tag comes from another component's closed set (states, kinds), by key. */
  private final Map<String, Counter> tagged = new ConcurrentHashMap<>();

  private final AtomicLong downloadsInProgress = new AtomicLong();
  private Counter layerBytes;
  private Counter downloads;
  private Counter auditRedecided;
  private Counter auditChanged;
  private Timer auditDuration;

  @PostConstruct
  void register() {
    // The series every poll and report can touch, registered now: nothing is created on the hot
    // path, and each series is there (at 0) before its first event.
    for (PollResult result : PollResult.values()) {
      for (Strategy strategy : Strategy.values()) {
        for (Reason reason : Reason.values()) {
          polls.set(
              slot(result, strategy, reason),
              registry.counter(
                  metadata(POLLS, "strategy polls answered, by HTTP result and answer"),
                  new Tag("result", result.status),
                  new Tag("strategy", strategy.name()),
                  new Tag("reason", reason.name())));
        }
      }
    }
    for (Strategy strategy : Strategy.values()) {
      for (Reason reason : Reason.values()) {
        reports.set(
            slot(strategy, reason),
            registry.counter(
                metadata(REPORTS, "checksum-list reports answered, by the answer they got"),
                new Tag("strategy", strategy.name()),
                new Tag("reason", reason.name())));
      }
    }
    layerBytes =
        registry.counter(metadata(LAYER_BYTES, "bytes of layer files sent to downloaders"));
    downloads = registry.counter(metadata(DOWNLOADS, "layer downloads started (with a body)"));
    registry.gauge(
        metadata(DOWNLOADS_IN_PROGRESS, "layer downloads sending right now"),
        downloadsInProgress,
        AtomicLong::get);
    auditRedecided =
        registry.counter(
            metadata(AUDIT_REDECIDED, "terminal answers decided again by finished audits"));
    auditChanged =
        registry.counter(metadata(AUDIT_CHANGED, "terminal answers that finished audits changed"));
    auditDuration =
        registry.timer(
            seconds(AUDIT_DURATION, "how long audits ran, finished or failed"),
            new Tag("result", "finished"));
  }

  /** One answered poll: two array reads and an add. */
  public void poll(PollResult result, Strategy strategy, Reason reason) {
    polls.get(slot(result, strategy, reason)).inc();
  }

  /** One answered checksum-list report. */
  public void report(Strategy strategy, Reason reason) {
    reports.get(slot(strategy, reason)).inc();
  }

  /** One feedback message accepted, by its state ({@code DOWNLOADING}, {@code DONE}, …). */
  public void feedback(String state) {
    tagged(FEEDBACK, "feedback messages accepted, by state", "state", state).inc();
  }

  /** A download with a body starts; call {@link #downloadEnded} once it ends, however. */
  public void downloadStarted() {
    downloads.inc();
    downloadsInProgress.incrementAndGet();
  }

  public void downloadEnded() {
    downloadsInProgress.decrementAndGet();
  }

  /** Bytes of a layer file handed to the transport. */
  public void layerBytesServed(long bytes) {
    layerBytes.inc(bytes);
  }

  /**
   * An upload ended: published (or an identical layer reactivated) or refused, with how long the
   * publish took from the first byte to the committed row.
   */
  public void upload(String kind, boolean published, Duration took) {
    String result = published ? "published" : "refused";
    Counter counter =
        tagged.computeIfAbsent(
            UPLOADS + "|" + kind + "|" + result,
            key ->
                registry.counter(
                    metadata(UPLOADS, "layer uploads, by kind and result"),
                    new Tag("kind", kind),
                    new Tag("result", result)));
    counter.inc();
    if (published) {
      registry
          .timer(
              seconds(PUBLISH, "time from an upload's first byte to its committed layer"),
              new Tag("kind", kind))
          .update(took);
    }
  }

  /**
   * An audit ended.
   *
   * @param findings its findings by kind ({@code SHA256_MISMATCH}, {@code ORPHAN_FILE}, …)
   * @param redecided answers it decided again, {@code changed} of them changed (finished runs)
   */
  public void audit(
      boolean finished, Duration took, Map<String, Long> findings, long redecided, long changed) {
    tagged(AUDITS, "audits ended, by result", "result", finished ? "finished" : "failed").inc();
    if (finished) {
      auditDuration.update(took);
    } else {
      registry
          .timer(
              seconds(AUDIT_DURATION, "how long audits ran, finished or failed"),
              new Tag("result", "failed"))
          .update(took);
    }
    findings.forEach(
        (kind, count) ->
            tagged(AUDIT_FINDINGS, "findings of audits, by kind", "kind", kind).inc(count));
    auditRedecided.inc(redecided);
    auditChanged.inc(changed);
  }

  /**
   * Reports the number of entries of an in-memory cache as {@code voi_cache_entries{cache=name}},
   * read at each scrape (a size read, no copy).
   */
  public void cache(String name, Supplier<Integer> size) {
    registry.gauge(
        metadata(CACHE_ENTRIES, "entries held in an in-memory cache"),
        size,
        Supplier::get,
        new Tag("cache", name));
  }

  private Counter tagged(String name, String description, String tag, String value) {
    return tagged.computeIfAbsent(
        name + "|" + value,
        key -> registry.counter(metadata(name, description), new Tag(tag, value)));
  }

  static int slot(PollResult result, Strategy strategy, Reason reason) {
    return (result.ordinal() * STRATEGIES + strategy.ordinal()) * REASONS + reason.ordinal();
  }

  static int slot(Strategy strategy, Reason reason) {
    return strategy.ordinal() * REASONS + reason.ordinal();
  }

  static Metadata metadata(String name, String description) {
    return Metadata.builder().withName(name).withDescription(description).build();
  }

  /** Timers are in seconds: the exporter then writes every figure of theirs in seconds. */
  static Metadata seconds(String name, String description) {
    return Metadata.builder()
        .withName(name)
        .withDescription(description)
        .withUnit(MetricUnits.SECONDS)
        .build();
  }
}
