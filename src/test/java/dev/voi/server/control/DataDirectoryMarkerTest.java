package dev.voi.server.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryMarkerTest {

  @Test
  void aMissingMarkerReadsAsEmpty(@TempDir Path dir) throws IOException {
    assertThat(new DataDirectoryMarker(dir.resolve("not-there")).read()).isEmpty();
  }

  @Test
  void writtenMarkersReadBackAndLeaveNoTemporaryFile(@TempDir Path dir) throws IOException {
    UUID uuid = UUID.randomUUID();
    DataDirectoryMarker marker = new DataDirectoryMarker(dir.resolve("data"));
    marker.write(uuid);
    assertThat(marker.read()).contains(uuid);
    try (var files = Files.list(dir.resolve("data"))) {
      assertThat(files).containsExactly(marker.file());
    }
  }

  @Test
  void aMarkerThatHoldsNoUuidIsAnError(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve(DataDirectoryMarker.FILE_NAME), "garbage");
    assertThatThrownBy(() -> new DataDirectoryMarker(dir).read())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("does not hold a server UUID");
  }
}
