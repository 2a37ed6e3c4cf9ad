package dev.voi.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Gives a test run a throw-away PostgreSQL database and an empty data directory: drops and creates
 * the database named by a JDBC URL. Run by the build before the integration tests, and by tests
 * that need a database of their own.
 */
public final class FreshDatabase {

  private FreshDatabase() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: FreshDatabase ADMIN_JDBC_URL DB_JDBC_URL [DIR]");
    }
    create(args[0], args[1]);
    if (args.length > 2) {
      emptyDirectory(Path.of(args[2]));
    }
  }

  /**
   * A fresh database of its own for one IT, beside the build's IT database and named after it
   * ({@code voi_it} gives {@code voi_it_<suffix>}): two builds with two IT databases never share
   * one. Gives back its JDBC URL.
   */
  public static String besideTheItDatabase(String suffix) throws SQLException {
    String itDatabase =
        System.getProperty(
            "voi.test.db.url", "jdbc:postgresql://127.0.0.1:5432/voi_it?user=postgres");
    String admin =
        System.getProperty(
            "voi.test.pg.admin.url", "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");
    String url = itDatabase.replaceFirst("/([a-z_][a-z0-9_]*)(\\?|$)", "/$1_" + suffix + "$2");
    create(admin, url);
    return url;
  }

  /** Drops (disconnecting its sessions) and creates the database that {@code dbUrl} names. */
  public static void create(String adminUrl, String dbUrl) throws SQLException {
    String name = databaseName(dbUrl);
    try (Connection connection = DriverManager.getConnection(adminUrl);
        Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      statement.execute("CREATE DATABASE " + name);
    }
  }

  static String databaseName(String jdbcUrl) {
    String path = URI.create(jdbcUrl.substring("jdbc:".length())).getPath();
    String name = path.startsWith("/") ? path.substring(1) : path;
    if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("not a plain database name: " + name);
    }
    return name;
  }

  public static void emptyDirectory(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
    Files.createDirectories(dir);
  }
}
