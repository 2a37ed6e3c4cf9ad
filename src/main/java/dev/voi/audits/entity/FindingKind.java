package dev.voi.audits.entity;

/** What an audit's integrity sweep or orphan scan found. */
public enum FindingKind {
  /** A layer row whose file is not in the data directory. The layer is quarantined. */
  FILE_MISSING,
  /** The stored file's size is not the row's. The layer is quarantined. */
  SIZE_MISMATCH,
  /** The stored file's SHA-256 is not the row's. The layer is quarantined. */
  SHA256_MISMATCH,
  /**
   * The file's stamp (record at byte 3072 and header extension, docs/design.md §3) is absent,
   * inconsistent or names another checksum, version or depth than the row. The layer is
   * quarantined.
   */
  STAMP_MISMATCH,
  /**
   * A table of the file, or a cluster one references, lies outside the file or breaks the qcow2
   * format (a truncated or overwritten file whose size and stamp may still look right). The layer
   * is quarantined.
   */
  STRUCTURE_DAMAGED,
  /** The file could not be read (an I/O error, e.g. permissions): reported, not quarantined. */
  UNREADABLE,
  /** A file in the images directory that no layer row names. */
  ORPHAN_FILE,
  /**
   * More than half of the layer files are missing: the storage is probably not mounted. The sweep
   * stopped there and quarantined nothing.
   */
  STORAGE_UNAVAILABLE
}
