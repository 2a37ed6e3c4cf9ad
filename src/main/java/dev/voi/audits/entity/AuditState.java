package dev.voi.audits.entity;

/** Where a run stands (docs/design.md §7 names the first three). */
public enum AuditState {
  /** Holds the lease and works. */
  RUNNING,
  /** Ran to its end; its report is complete. */
  FINISHED,
  /** Stopped by an error, by losing its lease, or because its server stopped (lease expired). */
  FAILED,
  /** A timer tick that found another run holding the lease: nothing ran. */
  SKIPPED
}
