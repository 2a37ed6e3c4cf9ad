/**
 * What monitoring sees at {@code /metrics} (MicroProfile Metrics, Prometheus text, no token): the
 * counters and timers the other components bump as things happen ({@code control.Meters}, every
 * series registered once, so that counting on the poll path is an array read and an add), and the
 * gauges of the fleet and the database computed set-based on a timer ({@code
 * boundary.MetricsRefresh}, {@code control.FleetCounts}), never per scrape and never per poll. It
 * uses no other component: they call it, and they hand it the sizes of their caches. The series are
 * listed in docs/operations.md.
 */
package dev.voi.metrics;
