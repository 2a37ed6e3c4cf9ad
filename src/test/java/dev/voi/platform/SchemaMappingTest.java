package dev.voi.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.voi.testing.TestDatabases;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The migrations are the only source of the schema; Hibernate must agree with them. Runs the
 * migrations on PostgreSQL and on the embedded database, then boots Hibernate with {@code validate}
 * against each.
 */
class SchemaMappingTest {

  @Test
  void mappingMatchesTheMigratedSchemaOnPostgresql() throws Exception {
    migrateAndValidate(
        TestDatabases.freshPostgresql("voi.test.schema.db.url", "voi_schema_test"), "PostgreSQL");
  }

  @Test
  void mappingMatchesTheMigratedSchemaOnTheEmbeddedDatabase(@TempDir Path dataDir)
      throws Exception {
    migrateAndValidate(TestDatabases.embedded(dataDir), "H2");
  }

  private static void migrateAndValidate(DataSource dataSource, String product) throws Exception {
    MigrateResult result = SchemaMigration.migrate(dataSource);
    assertThat(result.success).isTrue();
    assertThat(result.migrationsExecuted).isPositive();
    try (Connection connection = dataSource.getConnection();
        ResultSet tables =
            connection.getMetaData().getTables(null, null, "server_identity", null)) {
      assertThat(connection.getMetaData().getDatabaseProductName()).isEqualTo(product);
      assertThat(tables.next()).as("server_identity exists").isTrue();
      // V5 drops the history's foreign keys by their names on either database (bench/redecide).
      try (ResultSet keys = connection.getMetaData().getImportedKeys(null, null, "answer_change")) {
        assertThat(keys.next()).as("answer_change has no foreign keys").isFalse();
      }
      try (ResultSet keys = connection.getMetaData().getImportedKeys(null, null, "assignment")) {
        assertThat(keys.next()).as("the other tables keep theirs").isTrue();
      }
    }
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("jakarta.persistence.transactionType", "RESOURCE_LOCAL");
    overrides.put("jakarta.persistence.jtaDataSource", dataSource);
    overrides.put(
        "hibernate.transaction.jta.platform",
        "org.hibernate.engine.transaction.jta.platform.internal.NoJtaPlatform");
    overrides.put("hibernate.hbm2ddl.auto", "validate");
    overrides.put("jakarta.persistence.validation.mode", "NONE");
    EntityManagerFactory factory = Persistence.createEntityManagerFactory("voi", overrides);
    try {
      assertThat(factory.isOpen()).isTrue();
    } finally {
      factory.close();
    }
  }
}
