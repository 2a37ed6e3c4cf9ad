package dev.voi.agent;

/**
 * The documented exit codes of {@code voi-agent}: every failure falls into exactly one of these.
 *
 * <table>
 *   <caption>exit codes</caption>
 *   <tr><td>0</td><td>success: inspected, reported, or synced to {@code STOP}; also {@code WAIT}</td></tr>
 *   <tr><td>1</td><td>{@link #USAGE}</td></tr>
 *   <tr><td>2</td><td>{@link #MALFORMED_FILE}</td></tr>
 *   <tr><td>3</td><td>{@link #SERVER}</td></tr>
 *   <tr><td>4</td><td>{@link #VERIFICATION}</td></tr>
 *   <tr><td>5</td><td>{@link #LOCAL_IO}</td></tr>
 *   <tr><td>6</td><td>{@link #STALE_OVERLAY}</td></tr>
 *   <tr><td>130</td><td>{@link #INTERRUPTED}: SIGINT or SIGTERM during a sync</td></tr>
 * </table>
 */
public enum Failure {
  /** Bad command line or configuration (options, token file content, a DIR of another image). */
  USAGE(1),
  /** A local qcow2 file or the manifest is malformed or inconsistent (the reason names it). */
  MALFORMED_FILE(2),
  /** The server is unreachable, answered an error, or answered something inconsistent. */
  SERVER(3),
  /** A download failed verification: size, SHA-256, stamp or backing file name. */
  VERIFICATION(4),
  /** Local I/O: the disk, a lock held by another agent, qemu-img failing. */
  LOCAL_IO(5),
  /**
   * The chain is up to date but the boot overlay recorded in the manifest still sits on an old
   * chain (the terminal would boot the old image): {@code sync} without {@code --boot-overlay} or
   * {@code --leave-overlay}.
   */
  STALE_OVERLAY(6);

  /** Exit code for success, {@code STOP} and {@code WAIT}. */
  public static final int OK = 0;

  /** Exit code of a sync stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report it). */
  public static final int INTERRUPTED = 130;

  private final int exitCode;

  Failure(int exitCode) {
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
