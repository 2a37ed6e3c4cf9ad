package dev.voi.images.control;

import dev.voi.platform.ProblemType;
import dev.voi.platform.Refused;
import dev.voi.qcow2.Qcow2FormatException;

/** The refusals an upload shares between its reception and its publishing. */
final class UploadRefusals {

  private UploadRefusals() {}

  /** A file the qcow2 code would not publish, by the kind of its problem. */
  static Refused refused(Qcow2FormatException e) {
    return switch (e.kind()) {
      case REFUSED -> ProblemType.QCOW2_LAYOUT_REFUSED.refuse(e.getMessage());
      case LOCKED -> ProblemType.FILE_LOCKED.refuse(e.getMessage());
      default -> ProblemType.NOT_QCOW2.refuse(e.getMessage());
    };
  }

  static Refused tooLarge(long max) {
    return ProblemType.UPLOAD_TOO_LARGE.refuse(
        "uploads are limited to " + max + " bytes (voi.upload.max.bytes)");
  }

  /**
   * @param needed the bytes the upload declared, or -1 when the room ran out while it arrived
   */
  static Refused insufficientStorage(long needed) {
    return ProblemType.INSUFFICIENT_STORAGE.refuse(
        needed > 0
            ? "the upload declares " + needed + " bytes, more than the data directory has free"
            : "the data directory ran out of room during the upload");
  }
}
