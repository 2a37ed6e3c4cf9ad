package dev.voi.platform;

import jakarta.annotation.sql.DataSourceDefinition;
import jakarta.ejb.Singleton;

/**
 * Declares the application's own data source and names the one every database user looks up.
 *
 * <p>{@link VoiDataSource} chooses PostgreSQL or the embedded database from {@code voi.db.url}; the
 * values resolve from MicroProfile Config, so environment variables ({@code VOI_DB_URL}) and {@code
 * -D} properties both work.
 *
 * <p>On a Payara Server domain the administrator may instead name a JDBC resource of the server
 * with {@code voi.db.jndi} (e.g. {@code jdbc/voi}). {@link #LOOKUP} then resolves to that name, in
 * the persistence unit's {@code jta-data-source} and in every {@code @Resource} that injects a
 * {@code DataSource}: JPA, Flyway and the plain JDBC writers all take their connections from that
 * one pool, so one JTA transaction never spans two pools (two pools on one database would wait on
 * each other's row locks). The definition below stays declared but refuses to connect
 * (docs/design.md §20).
 */
@DataSourceDefinition(
    name = Database.JNDI_NAME,
    className = "dev.voi.platform.VoiDataSource",
    url = "${MPCONFIG=voi.db.url:embedded}",
    user = "${MPCONFIG=voi.db.user:}",
    password = "${MPCONFIG=voi.db.password:}",
    minPoolSize = 2,
    maxPoolSize = 32,
    properties = {
      "dataDir=${MPCONFIG=voi.data.dir:./voi-data}",
      "serverResource=${MPCONFIG=voi.db.jndi:}",
      "fish.payara.is-connection-validation-required=true",
      "fish.payara.connection-validation-method=meta-data",
      "fish.payara.fail-all-connections=true"
    })
@Singleton
public class Database {

  /** The application's own data source, defined above. */
  public static final String JNDI_NAME = "java:app/jdbc/voi";

  /**
   * What every user of the database looks up: the server's resource named by {@code voi.db.jndi},
   * or else {@link #JNDI_NAME}. Payara expands the expression when it resolves the reference; the
   * persistence unit's {@code jta-data-source} carries the same text.
   */
  public static final String LOOKUP = "${MPCONFIG=voi.db.jndi:" + JNDI_NAME + "}";
}
