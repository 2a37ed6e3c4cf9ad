/**
 * The set-based re-decision of the fleet (docs/design.md §7): after a change of an image (at once,
 * in the background) and at every audit, every stored answer is decided again in batches of a few
 * thousand rows, a constant number of statements per batch, never overwriting a newer answer
 * ({@code control.FleetSql}). {@code control.FleetDecisions} is what an audit asks of it.
 */
package dev.voi.fleet;
