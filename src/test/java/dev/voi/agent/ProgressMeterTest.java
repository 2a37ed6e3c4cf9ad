package dev.voi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Progress without a terminal: one line per 5 s or 1 %, whichever comes later. */
class ProgressMeterTest {

  static final long SECOND = 1_000_000_000L;

  final ByteArrayOutputStream err = new ByteArrayOutputStream();
  final AtomicLong clock = new AtomicLong(1_000 * SECOND);
  final List<Integer> overall = new ArrayList<>();

  ProgressMeter meter(long total) {
    Console console =
        new Console(
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            false,
            false);
    return new ProgressMeter(console, clock::get, total, overall::add);
  }

  List<String> progressLines() {
    return err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("% (")).toList();
  }

  @Test
  void aFastDownloadPrintsAtMostOneLineEveryFiveSeconds() {
    long size = 40L << 30;
    ProgressMeter meter = meter(size);
    meter.beginFile("big.qcow2", size, 0);
    // 10 % per second for 10 s, in 1 MiB steps every ~2.5 ms: 100 % in 10 s.
    long step = 1L << 20;
    long steps = size / step;
    for (long i = 0; i < steps; i++) {
      clock.addAndGet(10 * SECOND / steps);
      meter.advance(step);
    }
    meter.endFile(true);

    assertThat(progressLines()).hasSize(1);
    assertThat(progressLines().get(0))
        .matches("voi-agent: big\\.qcow2: 50% \\(20\\.0 GiB of 40\\.0 GiB, .+/s, 0:05 left\\)");
  }

  @Test
  void aSlowDownloadPrintsOnlyWhenAtLeastOnePercentMoreIsDone() {
    long size = 1000L << 20;
    ProgressMeter meter = meter(size);
    meter.beginFile("slow.qcow2", size, 0);
    // 0.1 % per second for 100 s: one line per 1 %, i.e. every 10 s, not every 5 s.
    for (int second = 1; second <= 100; second++) {
      clock.addAndGet(SECOND);
      meter.advance(size / 1000);
    }

    assertThat(progressLines()).hasSize(10);
    assertThat(progressLines().get(0)).contains("slow.qcow2: 1% (10.0 MiB of 1000.0 MiB");
    assertThat(progressLines().get(9)).contains("slow.qcow2: 10% (");
  }

  @Test
  void aLayerAlreadyCompleteInStagingIsNotShownAsADownload() {
    ProgressMeter meter = meter(3000);
    meter.alreadyComplete("done.qcow2", 1000);

    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo("voi-agent: done.qcow2: already downloaded and verified (1000 B), reused\n")
        .doesNotContain("downloading");
    assertThat(overall).containsExactly(33);
  }
}
