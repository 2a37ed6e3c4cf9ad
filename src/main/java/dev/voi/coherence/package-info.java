/**
 * What the in-memory caches and the server instances tell each other: one epoch that keeps a slow
 * loader from putting a stale value back after an invalidation ({@code control.Invalidations}), the
 * {@code TerminalChanged} event every cache about terminals observes, and the {@code
 * terminal_change} rows through which a change made on one instance reaches the others.
 */
package dev.voi.coherence;
