package dev.voi.audits.entity;

/** What started a run. */
public enum AuditTrigger {
  /** The interval timer ({@code voi.audit.interval.minutes}). */
  TIMER("timer"),
  /** {@code POST /api/v1/audits}. */
  API("api");

  private final String wireName;

  AuditTrigger(String wireName) {
    this.wireName = wireName;
  }

  /** The name in the API and the database: {@code timer} or {@code api}. */
  public String wireName() {
    return wireName;
  }

  public static AuditTrigger ofWireName(String name) {
    for (AuditTrigger trigger : values()) {
      if (trigger.wireName.equals(name)) {
        return trigger;
      }
    }
    throw new IllegalArgumentException("unknown audit trigger " + name);
  }
}
