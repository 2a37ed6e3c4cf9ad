package dev.voi.storage;

import dev.voi.platform.VoiConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.security.SecureRandom;

/** Makes the application's {@link LayerStore} from the configured data directory. */
@ApplicationScoped
public class Storage {

  @Inject VoiConfig config;
  @Inject SecureRandom random;

  private volatile LayerStore store;

  @Produces
  public LayerStore layerStore() {
    LayerStore current = store;
    if (current == null) {
      current = new LayerStore(config.dataDir(), random);
      store = current;
    }
    return current;
  }
}
