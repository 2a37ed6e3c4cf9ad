package dev.voi.platform;

import dev.voi.chain.Policy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Every setting of the server, read once through MicroProfile Config (so {@code voi.data.dir} is
 * also {@code VOI_DATA_DIR}). The README's configuration table lists the same keys.
 */
@ApplicationScoped
public class VoiConfig {

  @Inject
  @ConfigProperty(name = "voi.data.dir", defaultValue = "./voi-data")
  String dataDir;

  @Inject
  @ConfigProperty(name = "voi.db.url", defaultValue = VoiDataSource.EMBEDDED)
  String dbUrl;

  @Inject
  @ConfigProperty(name = "voi.db.jndi")
  Optional<String> dbJndi;

  @Inject
  @ConfigProperty(name = "voi.clock.adjustable", defaultValue = "false")
  boolean clockAdjustable;

  @Inject
  @ConfigProperty(name = "voi.admin.token")
  Optional<String> adminToken;

  @Inject
  @ConfigProperty(name = "voi.poll.seconds", defaultValue = "60")
  int pollSeconds;

  @Inject
  @ConfigProperty(name = "voi.policy", defaultValue = "patent")
  String policy;

  @Inject
  @ConfigProperty(name = "voi.policy.max.incremental.layers", defaultValue = "8")
  int maxIncrementalLayers;

  @Inject
  @ConfigProperty(name = "voi.upload.max.bytes")
  Optional<Long> uploadMaxBytes;

  @Inject
  @ConfigProperty(name = "voi.download.max.concurrent", defaultValue = "0")
  int downloadMaxConcurrent;

  @Inject
  @ConfigProperty(name = "voi.audit.interval.minutes", defaultValue = "10")
  double auditIntervalMinutes;

  @Inject
  @ConfigProperty(name = "voi.audit.stale.minutes", defaultValue = "1440")
  long auditStaleMinutes;

  @Inject
  @ConfigProperty(name = "voi.audit.sweep.mbps", defaultValue = "0")
  double auditSweepMbps;

  @Inject
  @ConfigProperty(name = "voi.history.retention.days", defaultValue = "90")
  int historyRetentionDays;

  @Inject
  @ConfigProperty(name = "voi.redecide.workers", defaultValue = "0")
  int redecideWorkers;

  public Path dataDir() {
    return Path.of(dataDir).toAbsolutePath().normalize();
  }

  /**
   * True on the embedded H2 database: no server resource is named ({@code voi.db.jndi}) and {@code
   * voi.db.url} is empty or {@code embedded}.
   */
  public boolean embeddedDatabase() {
    return serverDataSource().isEmpty() && VoiDataSource.isEmbedded(dbUrl);
  }

  /**
   * The JNDI name of the server's JDBC resource the application uses ({@code voi.db.jndi}), empty
   * when it uses its own data source from {@code voi.db.url} (docs/design.md §20).
   *
   * @throws IllegalStateException when the name has spaces around it: the persistence unit and
   *     every {@code @Resource} look the setting up as it is written ({@link Database#LOOKUP}), so
   *     a trimmed name here would name a resource the application does not use
   */
  public Optional<String> serverDataSource() {
    return serverDataSource(dbJndi);
  }

  static Optional<String> serverDataSource(Optional<String> setting) {
    Optional<String> name = setting.filter(value -> !value.isBlank());
    if (name.isPresent() && !name.get().equals(name.get().strip())) {
      throw new IllegalStateException(
          "voi.db.jndi \""
              + name.get()
              + "\" has spaces around the name; the server looks the resource up as written:"
              + " set it to \""
              + name.get().strip()
              + "\"");
    }
    return name;
  }

  public int pollSeconds() {
    return pollSeconds;
  }

  /** The policy of new images: {@code patent} (the default) or {@code catch-up}. */
  public Policy policy() {
    return Policy.ofWireName(policy);
  }

  public int maxIncrementalLayers() {
    return maxIncrementalLayers;
  }

  /** Uploads larger than this answer 413; empty means no limit. */
  public Optional<Long> uploadMaxBytes() {
    return uploadMaxBytes.filter(max -> max > 0);
  }

  /** Downloads above this many at once answer 503; 0 means no limit. */
  public int downloadMaxConcurrent() {
    return downloadMaxConcurrent;
  }

  /**
   * The time between two scheduled audits ({@code voi.audit.interval.minutes}, decimals allowed:
   * 0.5 is 30 s), at least one second; zero when the setting is 0 or less, which turns the timer
   * off.
   */
  public Duration auditInterval() {
    return auditInterval(auditIntervalMinutes);
  }

  static Duration auditInterval(double minutes) {
    if (!(minutes > 0)) {
      return Duration.ZERO;
    }
    return Duration.ofMillis(Math.max(1000, Math.round(minutes * 60_000)));
  }

  /** Terminals not seen for this many minutes are listed as stale by an audit. */
  public long auditStaleMinutes() {
    return auditStaleMinutes;
  }

  /** How fast the integrity sweep may read, in MB/s (10^6 bytes); 0 means no limit. */
  public double auditSweepMbps() {
    return auditSweepMbps;
  }

  /**
   * How many days the answer history and the terminals' feedback are kept; 0 or less keeps them for
   * good.
   */
  public int historyRetentionDays() {
    return historyRetentionDays;
  }

  /**
   * How many batches of a re-decision (an audit's or a chain change's) run at once, each on a
   * database connection of its own; 0 or less means one per processor.
   */
  public int redecideWorkers() {
    return redecideWorkers > 0 ? redecideWorkers : Runtime.getRuntime().availableProcessors();
  }

  /**
   * True when an administrator may move the server's clock ({@code PUT /api/v1/server/clock}): for
   * tests of maintenance windows, never in production.
   */
  public boolean clockAdjustable() {
    return clockAdjustable;
  }

  public Optional<String> adminToken() {
    return adminToken.filter(token -> !token.isBlank());
  }
}
