package dev.voi.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

class VoiDataSourceTest {

  @Test
  void noUrlMeansTheEmbeddedDatabaseUnderTheDataDirectory(@TempDir Path dataDir)
      throws SQLException {
    VoiDataSource dataSource = new VoiDataSource();
    dataSource.setUrl("");
    dataSource.setDataDir(dataDir.toString());
    try (Connection connection = dataSource.getConnection()) {
      assertThat(connection.getMetaData().getDatabaseProductName()).isEqualTo("H2");
    }
    assertThat(dataSource.unwrap(JdbcDataSource.class).getURL())
        .startsWith("jdbc:h2:file:" + dataDir.resolve("db/voi"))
        .contains(";MODE=PostgreSQL");
    assertThat(dataDir.resolve("db/voi.mv.db")).exists();
  }

  @Test
  void theWordEmbeddedAlsoMeansTheEmbeddedDatabase() {
    assertThat(VoiDataSource.isEmbedded("embedded")).isTrue();
    assertThat(VoiDataSource.isEmbedded(null)).isTrue();
    assertThat(VoiDataSource.isEmbedded(" ")).isTrue();
    assertThat(VoiDataSource.isEmbedded("jdbc:h2:mem:x")).isFalse();
  }

  @Test
  void postgresqlUrlsGoToThePostgresqlDriverWithUserAndPassword() throws SQLException {
    VoiDataSource dataSource = new VoiDataSource();
    dataSource.setUrl("jdbc:postgresql://db.example:5433/voi");
    dataSource.setUser("voi");
    dataSource.setPassword("secret");
    PGSimpleDataSource pg = dataSource.unwrap(PGSimpleDataSource.class);
    assertThat(pg.getServerNames()).containsExactly("db.example");
    assertThat(pg.getPortNumbers()).containsExactly(5433);
    assertThat(pg.getDatabaseName()).isEqualTo("voi");
    assertThat(pg.getUser()).isEqualTo("voi");
    assertThat(pg.getPassword()).isEqualTo("secret");
  }

  @Test
  void anEmptyUserLeavesTheUserOfTheUrlAlone() throws SQLException {
    VoiDataSource dataSource = new VoiDataSource();
    dataSource.setUrl("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    dataSource.setUser("");
    assertThat(dataSource.unwrap(PGSimpleDataSource.class).getUser()).isEqualTo("postgres");
  }

  @Test
  void otherDatabasesAreRefusedWithoutEchoingThePassword() {
    VoiDataSource dataSource = new VoiDataSource();
    dataSource.setUrl("jdbc:mysql://localhost/voi?password=hunter2");
    assertThatThrownBy(dataSource::getConnection)
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("voi.db.url must start with jdbc:postgresql: or jdbc:h2:")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void aNamedServerResourceMakesItRefuseRatherThanOpenTheEmbeddedDatabase(@TempDir Path dataDir) {
    VoiDataSource dataSource = new VoiDataSource();
    dataSource.setUrl("embedded");
    dataSource.setDataDir(dataDir.toString());
    dataSource.setServerResource("jdbc/voi");
    assertThatThrownBy(dataSource::getConnection)
        .isInstanceOf(SQLException.class)
        .hasMessage(
            "voi.db.jndi is set: the application's database is the server's resource jdbc/voi,"
                + " not its own data source");
    assertThat(dataDir.resolve("db")).doesNotExist();
  }

  @Test
  void aBlankServerResourceIsNone(@TempDir Path dataDir) throws SQLException {
    VoiDataSource dataSource = new VoiDataSource();
    dataSource.setDataDir(dataDir.toString());
    dataSource.setServerResource(" ");
    try (Connection connection = dataSource.getConnection()) {
      assertThat(connection.getMetaData().getDatabaseProductName()).isEqualTo("H2");
    }
  }
}
