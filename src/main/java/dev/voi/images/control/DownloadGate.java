package dev.voi.images.control;

import dev.voi.platform.VoiConfig;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.Semaphore;

/** Limits how many layer downloads run at once ({@code voi.download.max.concurrent}). */
@ApplicationScoped
public class DownloadGate {

  @Inject VoiConfig config;

  private Semaphore permits;

  @PostConstruct
  void init() {
    int max = config.downloadMaxConcurrent();
    permits = max > 0 ? new Semaphore(max) : null;
  }

  /** True when a download may start; the caller must {@link #release()} once it ends. */
  public boolean tryEnter() {
    return permits == null || permits.tryAcquire();
  }

  public void release() {
    if (permits != null) {
      permits.release();
    }
  }
}
