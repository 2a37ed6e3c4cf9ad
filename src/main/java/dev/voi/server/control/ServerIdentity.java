package dev.voi.server.control;

import dev.voi.platform.Authenticator;
import dev.voi.platform.Database;
import dev.voi.platform.Tokens;
import dev.voi.platform.VoiConfig;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.inject.Inject;
import java.io.IOException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Establishes who this server is at start-up: the server UUID (created once, never changed), the
 * data directory's marker that must agree with it, and the admin token. Plain JDBC in auto-commit
 * statements, each of which is safe when several instances start on one database at once.
 */
@Startup
@Singleton
@DependsOn("SchemaMigration")
@TransactionManagement(TransactionManagementType.BEAN)
public class ServerIdentity {

  private static final Logger LOG = Logger.getLogger(ServerIdentity.class.getName());
  private static final String UNIQUE_VIOLATION = "23505";

  @Resource(lookup = Database.LOOKUP)
  DataSource dataSource;

  @Inject VoiConfig config;
  @Inject Authenticator authenticator;
  @Inject Clock clock;
  @Inject SecureRandom random;

  private UUID serverUuid;

  @PostConstruct
  void establish() {
    try {
      config.serverDataSource();
    } catch (IllegalStateException e) {
      throw new StartupRefused(e.getMessage() + "; refusing to start", e);
    }
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(true);
      serverUuid = loadOrCreate(connection);
      checkMarker(serverUuid, countLayers(connection));
      authenticator.useAdminTokenHash(adminTokenHash(connection));
    } catch (SQLException e) {
      throw new StartupRefused("cannot read the server identity from the database", e);
    }
    LOG.info(
        () ->
            "Server "
                + serverUuid
                + ", data directory "
                + config.dataDir()
                + config.serverDataSource().map(name -> ", database " + name).orElse(""));
  }

  public UUID serverUuid() {
    return serverUuid;
  }

  private UUID loadOrCreate(Connection connection) throws SQLException {
    Optional<UUID> existing = readUuid(connection);
    if (existing.isPresent()) {
      return existing.get();
    }
    UUID created = randomUuid();
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO server_identity (id, server_uuid, created_at) VALUES (1, ?, ?)")) {
      insert.setString(1, created.toString());
      insert.setTimestamp(2, Timestamp.from(clock.instant()));
      insert.executeUpdate();
    } catch (SQLException e) {
      if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
        throw e;
      }
      // Another instance created the row first: its UUID is the server's.
    }
    return readUuid(connection).orElseThrow(() -> new SQLException("server_identity is empty"));
  }

  /** A version 4 (random) UUID drawn from the injected randomness. */
  private UUID randomUuid() {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    bytes[6] = (byte) ((bytes[6] & 0x0f) | 0x40);
    bytes[8] = (byte) ((bytes[8] & 0x3f) | 0x80);
    long high = 0;
    long low = 0;
    for (int i = 0; i < 8; i++) {
      high = (high << 8) | (bytes[i] & 0xff);
      low = (low << 8) | (bytes[i + 8] & 0xff);
    }
    return new UUID(high, low);
  }

  private static Optional<UUID> readUuid(Connection connection) throws SQLException {
    try (PreparedStatement select =
            connection.prepareStatement("SELECT server_uuid FROM server_identity WHERE id = 1");
        ResultSet row = select.executeQuery()) {
      return row.next() ? Optional.of(UUID.fromString(row.getString(1))) : Optional.empty();
    }
  }

  private static long countLayers(Connection connection) throws SQLException {
    try (PreparedStatement count = connection.prepareStatement("SELECT COUNT(*) FROM layer");
        ResultSet row = count.executeQuery()) {
      row.next();
      return row.getLong(1);
    }
  }

  private void checkMarker(UUID uuid, long layers) {
    DataDirectoryMarker marker = new DataDirectoryMarker(config.dataDir());
    Optional<UUID> found;
    try {
      found = marker.read();
      if (found.isEmpty() && layers > 0) {
        throw new StartupRefused(
            "the data directory "
                + config.dataDir()
                + " has no marker "
                + DataDirectoryMarker.FILE_NAME
                + " but the database of server "
                + uuid
                + " holds "
                + layers
                + " layers: is the directory mounted? refusing to start");
      }
      if (found.isEmpty()) {
        marker.write(uuid);
        LOG.info(() -> "Marked data directory " + config.dataDir() + " for server " + uuid);
        return;
      }
    } catch (IOException e) {
      throw new StartupRefused("cannot use the data directory " + config.dataDir(), e);
    }
    if (!found.get().equals(uuid)) {
      throw new StartupRefused(
          "the data directory "
              + config.dataDir()
              + " belongs to server "
              + found.get()
              + " but the database belongs to server "
              + uuid
              + ": wrong voi.data.dir or wrong "
              + config
                  .serverDataSource()
                  .map(name -> "voi.db.jndi (" + name + ")")
                  .orElse("voi.db.url")
              + "; refusing to start");
    }
  }

  private String adminTokenHash(Connection connection) throws SQLException {
    Optional<String> configured = config.adminToken();
    if (configured.isPresent()) {
      return Tokens.hash(configured.get());
    }
    String token = Tokens.generate("voia_", random);
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE server_identity SET admin_token_hash = ? WHERE id = 1"
                + " AND admin_token_hash IS NULL")) {
      update.setString(1, Tokens.hash(token));
      if (update.executeUpdate() == 1) {
        LOG.warning(
            "Generated the admin token (shown only this once; set voi.admin.token to choose your"
                + " own): "
                + token);
      }
    }
    try (PreparedStatement select =
            connection.prepareStatement(
                "SELECT admin_token_hash FROM server_identity WHERE id = 1");
        ResultSet row = select.executeQuery()) {
      row.next();
      return row.getString(1);
    }
  }
}
