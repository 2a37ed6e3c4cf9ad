/**
 * The terminal registry (docs/design.md §5 and 6): registration and tokens, assignments of images,
 * deletion, listings and histories, "last seen", and the resources terminals and administrators
 * call: the chain report, the strategy poll and feedback are served here and answered by {@code
 * dev.voi.answers}.
 */
package dev.voi.terminals;
