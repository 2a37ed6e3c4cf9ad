package dev.voi.platform;

/**
 * Every kind of refusal the server gives, protocol-free: control code picks one of these and a
 * protocol mapper (problem+json for REST, a SOAP fault) turns it into its own answer. The type URI
 * is {@code urn:voi-update:problem:<slug>}; {@link #status()} is the problem's {@code status}
 * member, which REST also uses as the response status and SOAP carries in the fault detail.
 */
public enum ProblemType {
  BAD_REQUEST("bad-request", "The request is malformed", 400),
  NOT_QCOW2("not-qcow2", "Not a usable qcow2 file", 400),
  UNAUTHORIZED("unauthorized", "Unauthorized", 401),
  FORBIDDEN("forbidden", "Forbidden", 403),
  NOT_FOUND("not-found", "Not found", 404),
  NO_REPORT("no-report", "No checksum list reported", 404),
  IMAGE_EXISTS("image-exists", "The image exists", 409),
  TERMINAL_EXISTS("terminal-exists", "The terminal exists", 409),
  STALE_OR_WRONG_PARENT("stale-or-wrong-parent", "Stale or wrong parent", 409),
  ALREADY_PUBLISHED("already-published", "Already published", 409),
  NOT_THE_TIP("not-the-tip", "Only the tip can be retired", 409),
  BASE_NOT_RETIRABLE("base-not-retirable", "The base cannot be retired", 409),
  FILE_LOCKED("file-locked", "The file is locked", 409),
  AUDIT_RUNNING("audit-running", "An audit is running", 409),
  NOTHING_TO_ADVANCE("nothing-to-advance", "Every wave has released the newest tip", 409),
  LAYER_QUARANTINED("layer-quarantined", "The layer is quarantined", 410),
  LAYER_FILE_MISSING("layer-file-missing", "The layer file is missing", 410),
  UPLOAD_TOO_LARGE("upload-too-large", "The upload is too large", 413),
  BODY_TOO_LARGE("body-too-large", "The body is too large", 413),
  QCOW2_LAYOUT_REFUSED("qcow2-layout-refused", "The qcow2 layout is refused", 422),
  QCOW2_DAMAGED("qcow2-damaged", "The qcow2 file is truncated or damaged", 422),
  VIRTUAL_SIZE_SHRINKS("virtual-size-shrinks", "The diff is smaller than its parent", 422),
  BASE_HAS_BACKING_FILE("base-has-backing-file", "A base has no backing file", 422),
  DIFF_WITHOUT_BACKING_FILE("diff-without-backing-file", "A diff needs a backing file", 422),
  TOO_MANY_DOWNLOADS("too-many-downloads", "Too many downloads at once", 503),
  DATABASE_UNAVAILABLE("database-unavailable", "The database is unavailable", 503),
  INSUFFICIENT_STORAGE("insufficient-storage", "Not enough room in the data directory", 507);

  private static final String TYPE_PREFIX = "urn:voi-update:problem:";

  private final String slug;
  private final String title;
  private final int status;

  ProblemType(String slug, String title, int status) {
    this.slug = slug;
    this.title = title;
    this.status = status;
  }

  public String slug() {
    return slug;
  }

  /** The problem type URI, e.g. {@code urn:voi-update:problem:stale-or-wrong-parent}. */
  public String uri() {
    return TYPE_PREFIX + slug;
  }

  public String title() {
    return title;
  }

  public int status() {
    return status;
  }

  /** A refusal of this type with that detail. */
  public Refused refuse(String detail) {
    return new Refused(this, detail);
  }
}
