package dev.voi.audits.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import java.util.Locale;

/** How many answers of a run have one strategy, or one reason. */
@Embeddable
public class DecisionCount {

  /** Whether {@link #name()} is a strategy or a reason. */
  public enum Kind {
    STRATEGY,
    REASON;

    /** The name in the database: {@code strategy} or {@code reason}. */
    String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  @Column(nullable = false, length = 8)
  private String kind;

  @Column(nullable = false, length = 32)
  private String name;

  @Column(nullable = false)
  private long total;

  protected DecisionCount() {}

  public DecisionCount(Kind kind, String name, long total) {
    this.kind = kind.wireName();
    this.name = name;
    this.total = total;
  }

  public Kind kind() {
    return Kind.valueOf(kind.toUpperCase(Locale.ROOT));
  }

  public String name() {
    return name;
  }

  public long total() {
    return total;
  }
}
