package dev.voi.testing;

import dev.voi.platform.VoiDataSource;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * The two databases a plain test checks SQL against: a fresh PostgreSQL database of its own, and
 * the embedded H2 database in a temporary directory.
 */
public final class TestDatabases {

  /** The PostgreSQL server's maintenance database, where test databases are dropped and made. */
  public static final String PG_ADMIN =
      System.getProperty(
          "voi.test.pg.admin.url", "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");

  private TestDatabases() {}

  /**
   * A new, empty PostgreSQL database {@code name} (dropped first if it exists). The system property
   * {@code property} may give another URL, so that builds in several worktrees on one machine do
   * not drop each other's.
   */
  public static VoiDataSource freshPostgresql(String property, String name) throws SQLException {
    String url =
        System.getProperty(property, "jdbc:postgresql://127.0.0.1:5432/" + name + "?user=postgres");
    FreshDatabase.create(PG_ADMIN, url);
    VoiDataSource dataSource = new VoiDataSource();
    dataSource.setUrl(url);
    return dataSource;
  }

  /** The embedded database under {@code dataDir}, as the server makes it with no configuration. */
  public static VoiDataSource embedded(Path dataDir) {
    VoiDataSource dataSource = new VoiDataSource();
    dataSource.setDataDir(dataDir.toString());
    return dataSource;
  }
}
