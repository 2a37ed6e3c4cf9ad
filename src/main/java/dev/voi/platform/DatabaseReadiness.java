package dev.voi.platform;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the migrations ran and the database answers within two seconds. Not a liveness check:
 * while the database is away the instance still serves polls from memory (docs/design.md §16), and
 * a restart would only lose that; {@code /health/live} stays up.
 */
@Readiness
@ApplicationScoped
public class DatabaseReadiness implements HealthCheck {

  @Inject SchemaMigration migration;

  @Resource(lookup = Database.LOOKUP)
  DataSource dataSource;

  @Override
  public HealthCheckResponse call() {
    if (!migration.isMigrated()) {
      return HealthCheckResponse.named("database").down().withData("schema", "migrating").build();
    }
    try (Connection connection = dataSource.getConnection()) {
      boolean valid = connection.isValid(2);
      String product = connection.getMetaData().getDatabaseProductName();
      return HealthCheckResponse.named("database")
          .status(valid)
          .withData("schema", "migrated")
          .withData("product", product)
          .build();
    } catch (SQLException e) {
      return HealthCheckResponse.named("database")
          .down()
          .withData("error", String.valueOf(e.getMessage()))
          .build();
    }
  }
}
