package dev.voi.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
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
  @ConfigProperty(name = "voi.admin.token")
  Optional<String> adminToken;

  public Path dataDir() {
    return Path.of(dataDir).toAbsolutePath().normalize();
  }

  public boolean embeddedDatabase() {
    return VoiDataSource.isEmbedded(dbUrl);
  }

  public Optional<String> adminToken() {
    return adminToken.filter(token -> !token.isBlank());
  }
}
