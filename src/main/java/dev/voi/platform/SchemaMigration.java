package dev.voi.platform;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Brings the schema up to date before any request is served. The migrations in {@code
 * db/migrations} are the only source of the schema; Hibernate never generates it. Beans that need
 * the schema say {@code @DependsOn("SchemaMigration")}.
 */
@Startup
@Singleton
@TransactionManagement(TransactionManagementType.BEAN)
public class SchemaMigration {

  private static final Logger LOG = Logger.getLogger(SchemaMigration.class.getName());

  @Resource(lookup = Database.LOOKUP)
  DataSource dataSource;

  private volatile boolean migrated;

  @PostConstruct
  void migrateAtStartup() {
    MigrateResult result = migrate(dataSource);
    LOG.info(
        () ->
            result.migrationsExecuted == 0
                ? "Schema is up to date"
                : "Schema migrated to version "
                    + result.targetSchemaVersion
                    + " ("
                    + result.migrationsExecuted
                    + " migration(s) applied)");
    migrated = true;
  }

  /** Runs the migrations against any data source; also used by tests outside the container. */
  public static MigrateResult migrate(DataSource dataSource) {
    return Flyway.configure(SchemaMigration.class.getClassLoader())
        .dataSource(dataSource)
        .locations("classpath:db/migration")
        .failOnMissingLocations(true)
        .load()
        .migrate();
  }

  public boolean isMigrated() {
    return migrated;
  }
}
