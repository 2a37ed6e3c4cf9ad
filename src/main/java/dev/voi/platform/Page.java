package dev.voi.platform;

import java.util.List;

/** A page of a list: {@code {items: […], next: <cursor or null>}} (docs/design.md §9). */
public record Page<T>(List<T> items, String next) {

  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;

  /** The limit a request asked for, checked. */
  public static int limit(Integer requested) {
    if (requested == null) {
      return DEFAULT_LIMIT;
    }
    if (requested < 1 || requested > MAX_LIMIT) {
      throw ProblemType.BAD_REQUEST.refuse("limit must be between 1 and " + MAX_LIMIT);
    }
    return requested;
  }
}
