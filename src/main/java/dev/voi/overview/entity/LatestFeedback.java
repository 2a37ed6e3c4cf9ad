package dev.voi.overview.entity;

import java.time.Instant;

/** The newest feedback message of one terminal, whatever the image. */
public record LatestFeedback(
    long terminal,
    String image,
    Instant receivedAt,
    String state,
    Integer progress,
    String detail) {}
