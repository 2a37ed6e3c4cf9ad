package dev.voi.qcow2;

import dev.voi.chain.StampRecord;
import java.util.Objects;
import java.util.Optional;

/**
 * The VOI stamp a qcow2 file carries (docs/design.md §3): the {@code 0x564F4931} header extension,
 * found by walking the extension list, and the 64-byte record at byte 3072. The extension wins when
 * only it is present; both present and different is refused as inconsistent.
 *
 * @param record the stamp, empty exactly when {@code state} is {@link StampState#UNSTAMPED}
 */
public record Qcow2Stamp(StampState state, Optional<StampRecord> record) {

  public Qcow2Stamp {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(record, "record");
    if (record.isPresent() == (state == StampState.UNSTAMPED)) {
      throw new IllegalArgumentException(state + " with record " + record);
    }
  }

  /**
   * Reads the stamp from a parsed header and the file's first bytes.
   *
   * @param firstBytes the file from byte 0, at least 3136 bytes when byte 3072 lies in cluster 0
   * @throws Qcow2FormatException {@code MALFORMED} when the extension is not a valid record, {@code
   *     INCONSISTENT} when extension and record differ, {@code INCOMPLETE} when {@code firstBytes}
   *     stops before byte 3136
   */
  public static Qcow2Stamp of(Qcow2Header header, byte[] firstBytes) throws Qcow2FormatException {
    Optional<StampRecord> inExtension = Optional.empty();
    Optional<HeaderExtension> extension = header.extension(HeaderExtension.VOI_STAMP);
    if (extension.isPresent()) {
      inExtension = Optional.of(StampArea.decodeExtension(extension.get()));
    }
    Optional<StampRecord> atOffset = Optional.empty();
    if (StampArea.isFree(header)) {
      if (firstBytes.length < StampArea.END) {
        throw Qcow2FormatException.incomplete(StampArea.FIELD, StampArea.END);
      }
      byte[] area = StampArea.bytesOf(firstBytes);
      if (StampArea.classify(area) == StampArea.Content.RECORD) {
        atOffset = Optional.of(StampArea.decode(area, StampArea.FIELD));
      }
    }
    return combine(inExtension, atOffset);
  }

  private static Qcow2Stamp combine(
      Optional<StampRecord> inExtension, Optional<StampRecord> atOffset)
      throws Qcow2FormatException {
    if (inExtension.isPresent() && atOffset.isPresent()) {
      if (!inExtension.equals(atOffset)) {
        throw Qcow2FormatException.inconsistent(
            "stamp_extension",
            "the header extension holds "
                + inExtension.get()
                + " but byte 3072 holds "
                + atOffset.get());
      }
      return new Qcow2Stamp(StampState.STAMPED, inExtension);
    }
    if (inExtension.isPresent()) {
      return new Qcow2Stamp(StampState.EXTENSION_ONLY, inExtension);
    }
    if (atOffset.isPresent()) {
      return new Qcow2Stamp(StampState.RECORD_ONLY, atOffset);
    }
    return new Qcow2Stamp(StampState.UNSTAMPED, Optional.empty());
  }

  public boolean isStamped() {
    return record.isPresent();
  }
}
