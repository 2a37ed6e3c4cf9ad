package dev.voi.platform;

import jakarta.annotation.sql.DataSourceDefinition;
import jakarta.ejb.Singleton;

/**
 * Declares the application's one data source. {@link VoiDataSource} chooses PostgreSQL or the
 * embedded database from {@code voi.db.url}; the values resolve from MicroProfile Config, so
 * environment variables ({@code VOI_DB_URL}) and {@code -D} properties both work.
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
      "fish.payara.is-connection-validation-required=true",
      "fish.payara.connection-validation-method=meta-data",
      "fish.payara.fail-all-connections=true"
    })
@Singleton
public class Database {
  public static final String JNDI_NAME = "java:app/jdbc/voi";
}
