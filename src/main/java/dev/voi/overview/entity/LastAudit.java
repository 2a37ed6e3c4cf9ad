package dev.voi.overview.entity;

import java.time.Instant;

/** The newest audit run that was not skipped, as the overview shows it. */
public record LastAudit(
    long id,
    String state,
    Instant startedAt,
    Instant finishedAt,
    long findings,
    long changed,
    long stale) {}
