package dev.voi.chain;

/** What a terminal should do (docs/design.md §1). */
public enum Strategy {
  /** Its chain equals the server's: download nothing. */
  STOP,
  /** Keep a verified prefix and merge the few layers on top of it. */
  INCREMENTAL,
  /** Rebuild from the base (or a verified base) up: download every layer above what it keeps. */
  FULL,
  /** Nothing to do yet (a layer the answer needs is unavailable): keep what it has, poll again. */
  WAIT
}
