package dev.voi.images.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.voi.chain.Checksum;
import dev.voi.chain.ImageName;
import dev.voi.chain.StampRecord;
import dev.voi.platform.ProblemType;
import dev.voi.platform.Refused;
import dev.voi.qcow2.Qcow2Editor;
import dev.voi.qcow2.Qemu;
import dev.voi.storage.LayerStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Receiving a body: what arrives is digested and its header judged as it comes, in reads as small
 * as a socket gives them; a refusal stops the transfer; a planned stamp yields the published file's
 * SHA-256 on the way in.
 */
class ReceptionTest {

  private static final String TIP = "lab-0000-aaaaaaaa.qcow2";
  private static final StampRecord PLANNED = new StampRecord(Checksum.sha256(new byte[] {1}), 2, 1);

  private final ExecutorService workers = Executors.newCachedThreadPool();
  private Path dir;
  private LayerStore store;
  private byte[] diff;
  private byte[] base;

  @BeforeEach
  void files() throws IOException {
    dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "reception-");
    store = new LayerStore(dir.resolve("data"), new SecureRandom());
    base = Files.readAllBytes(Qemu.create(dir.resolve(TIP), "16M", ""));
    Path overlay = Qemu.overlay(dir.resolve("diff.qcow2"), TIP, "");
    Qemu.io(overlay, "write -P 0xab 0 256k").assertOk();
    diff = Files.readAllBytes(overlay);
  }

  @AfterEach
  void stop() {
    workers.shutdownNow();
  }

  @Test
  void aDiffArrivingInSmallReadsIsJudgedOnceItsHeaderIsInAndDigestedWhole() throws IOException {
    Path temp = store.newUpload();

    Reception.Received received =
        reception(PublishKind.DIFF, TIP, diff.length, Long.MAX_VALUE, null)
            .receive(new Trickle(diff, 512), temp);

    assertThat(received.contentDigest()).isEqualTo(Checksum.sha256(diff));
    assertThat(received.header().backingFile()).contains(TIP);
    assertThat(received.stamped()).isEmpty();
    assertThat(Files.readAllBytes(temp)).isEqualTo(diff);
  }

  @Test
  void aPlannedStampGivesTheSha256OfThePublishedFileWhileTheBodyArrives() throws IOException {
    Path temp = store.newUpload();

    Reception.Received received =
        reception(PublishKind.DIFF, TIP, -1, Long.MAX_VALUE, PLANNED)
            .receive(new Trickle(diff, 4096), temp);
    Qcow2Editor.publish(temp, TIP, PLANNED);

    Reception.StampedSha256 stamped = received.stamped().orElseThrow();
    assertThat(stamped.matches(PLANNED, temp)).isTrue();
    assertThat(stamped.sha256()).isEqualTo(Checksum.sha256(Files.readAllBytes(temp)));
    assertThat(stamped.matches(new StampRecord(PLANNED.checksum(), 3, 1), temp))
        .as("another stamp")
        .isFalse();
  }

  @Test
  void aBaseWithABackingFileIsRefusedBeforeTheRestOfItsBodyIsRead() throws IOException {
    byte[] body = Arrays.copyOf(diff, diff.length + 32 * 1024 * 1024);
    Trickle in = new Trickle(body, 8192);

    assertThatThrownBy(
            () ->
                reception(PublishKind.NEW_BASE, null, -1, Long.MAX_VALUE, null)
                    .receive(in, store.newUpload()))
        .isInstanceOfSatisfying(
            Refused.class, r -> assertThat(r.type()).isEqualTo(ProblemType.BASE_HAS_BACKING_FILE));
    assertThat(in.delivered()).isLessThan(64 * 1024);
  }

  @Test
  void aDiffOnAnotherFileIsRefusedAsAStaleParent() {
    assertThatThrownBy(
            () ->
                reception(PublishKind.DIFF, "lab-0001-bbbbbbbb.qcow2", -1, Long.MAX_VALUE, null)
                    .receive(new Trickle(diff, 65536), store.newUpload()))
        .isInstanceOfSatisfying(
            Refused.class, r -> assertThat(r.type()).isEqualTo(ProblemType.STALE_OR_WRONG_PARENT));
  }

  @Test
  void aBodyBeyondTheLimitOrShorterThanDeclaredIsRefused() {
    assertThatThrownBy(
            () ->
                reception(PublishKind.NEW_IMAGE, null, -1, base.length - 1, null)
                    .receive(new ByteArrayInputStream(base), store.newUpload()))
        .isInstanceOfSatisfying(
            Refused.class, r -> assertThat(r.type()).isEqualTo(ProblemType.UPLOAD_TOO_LARGE));
    assertThatThrownBy(
            () ->
                reception(PublishKind.NEW_IMAGE, null, base.length + 1, Long.MAX_VALUE, null)
                    .receive(new ByteArrayInputStream(base), store.newUpload()))
        .isInstanceOfSatisfying(
            Refused.class,
            r -> {
              assertThat(r.type()).isEqualTo(ProblemType.BAD_REQUEST);
              assertThat(r.detail()).contains("ended after " + base.length);
            });
  }

  @Test
  void somethingElseThanQcow2IsRefusedOnceTheWholeBodyIsIn() {
    assertThatThrownBy(
            () ->
                reception(PublishKind.NEW_IMAGE, null, -1, Long.MAX_VALUE, null)
                    .receive(new ByteArrayInputStream(new byte[100]), store.newUpload()))
        .isInstanceOfSatisfying(
            Refused.class, r -> assertThat(r.type()).isEqualTo(ProblemType.NOT_QCOW2));
  }

  private Reception reception(
      PublishKind kind, String backingName, long contentLength, long max, StampRecord planned) {
    return new Reception(
        workers,
        store,
        new Reception.Expected(
            kind, ImageName.of("lab"), backingName, contentLength, max, planned));
  }

  /** A body that arrives at most {@code chunk} bytes per read, as from a socket. */
  private static final class Trickle extends InputStream {
    private final ByteArrayInputStream bytes;
    private final int chunk;
    private long delivered;

    Trickle(byte[] body, int chunk) {
      this.bytes = new ByteArrayInputStream(body);
      this.chunk = chunk;
    }

    @Override
    public int read() {
      int b = bytes.read();
      delivered += b < 0 ? 0 : 1;
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
      int read = bytes.read(buffer, offset, Math.min(length, chunk));
      delivered += Math.max(read, 0);
      return read;
    }

    long delivered() {
      return delivered;
    }
  }
}
