package dev.voi.qcow2;

/** Where a file carries its VOI stamp (docs/design.md §3). */
public enum StampState {
  /** Neither the header extension nor the record at byte 3072: not published by a VOI server. */
  UNSTAMPED,
  /** Both copies, equal: as the server writes it. */
  STAMPED,
  /** Only the header extension: QEMU rewrote the header (rebase, amend, commit) and zeroed 3072. */
  EXTENSION_ONLY,
  /** Only the record at byte 3072: stamped by a tool that does not write the extension. */
  RECORD_ONLY
}
