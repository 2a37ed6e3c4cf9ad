package dev.voi.overview.entity;

/**
 * How many assignments of the terminals in a filter get one strategy for one reason; both null for
 * assignments not reported yet.
 */
public record DecisionCount(String strategy, String reason, long assignments) {}
