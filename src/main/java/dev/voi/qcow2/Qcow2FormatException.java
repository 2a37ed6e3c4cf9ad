package dev.voi.qcow2;

import java.io.IOException;

/**
 * A qcow2 file that this package will not read or write, naming the header field that made it so.
 *
 * <p>Checked, and an {@link IOException}: every operation that can meet a bad file also does I/O,
 * so callers already handle {@code IOException}; catching this subclass first tells a bad or
 * refused file (answer the client) apart from a failing disk (answer with a server error). The
 * {@link Kind} says which answer fits.
 */
public class Qcow2FormatException extends IOException {

  /** Why the file was not accepted. */
  public enum Kind {
    /**
     * Only from parsing a prefix of a file: more bytes are needed before the header can be judged
     * ({@link #bytesNeeded()}). Not an error of the file.
     */
    INCOMPLETE,
    /** Not a valid qcow2 file: truncated, bad magic, fields out of range, broken extensions. */
    MALFORMED,
    /** A valid qcow2 file whose layout or state we refuse to write into (file left untouched). */
    REFUSED,
    /** The stamp in the header extension and the record at byte 3072 disagree. */
    INCONSISTENT,
    /** Another process, or another channel of this JVM, holds the image lock. */
    LOCKED
  }

  private final Kind kind;
  private final String field;
  private final long bytesNeeded;

  private Qcow2FormatException(Kind kind, String field, String message, long bytesNeeded) {
    super(message);
    this.kind = kind;
    this.field = field;
    this.bytesNeeded = bytesNeeded;
  }

  static Qcow2FormatException malformed(String field, String detail) {
    return new Qcow2FormatException(Kind.MALFORMED, field, "qcow2 " + field + ": " + detail, -1);
  }

  static Qcow2FormatException truncated(String field, String context, long fileLength) {
    return new Qcow2FormatException(
        Kind.MALFORMED,
        field,
        "truncated qcow2 file (" + fileLength + " bytes) while reading " + field + context,
        -1);
  }

  static Qcow2FormatException incomplete(String field, long bytesNeeded) {
    return new Qcow2FormatException(
        Kind.INCOMPLETE,
        field,
        "need at least " + bytesNeeded + " bytes of the file to read " + field,
        bytesNeeded);
  }

  static Qcow2FormatException refused(String field, String detail) {
    return new Qcow2FormatException(
        Kind.REFUSED, field, "qcow2 " + field + ": refused, " + detail, -1);
  }

  static Qcow2FormatException inconsistent(String field, String detail) {
    return new Qcow2FormatException(Kind.INCONSISTENT, field, "qcow2 " + field + ": " + detail, -1);
  }

  static Qcow2FormatException locked(String detail) {
    return new Qcow2FormatException(Kind.LOCKED, "image_lock", "qcow2 image_lock: " + detail, -1);
  }

  public Kind kind() {
    return kind;
  }

  /**
   * The offending header field, as the qcow2 specification spells it ({@code cluster_bits}, {@code
   * backing_file_offset}, …), or one of {@code header_extension}, {@code header_extension_end},
   * {@code backing_file_name}, {@code header_cluster}, {@code layout_end}, {@code stamp_extension},
   * {@code stamp_record_3072}, {@code image_lock}; from {@link Qcow2Structure}, the table or
   * cluster at fault: {@code refcount_table}, {@code refcount_block}, {@code l1_table}, {@code
   * l2_table}, {@code data_cluster}, {@code compressed_cluster}, {@code snapshot_table}, {@code
   * snapshot_l1_table}, {@code bitmap_directory}, {@code bitmap_table}, {@code
   * bitmap_data_cluster}, {@code crypto_header}.
   */
  public String field() {
    return field;
  }

  /** For {@link Kind#INCOMPLETE}: the prefix length to wait for; otherwise -1. */
  public long bytesNeeded() {
    return bytesNeeded;
  }
}
