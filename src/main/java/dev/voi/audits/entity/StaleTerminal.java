package dev.voi.audits.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import java.time.Instant;

/** A terminal not seen for {@code voi.audit.stale.minutes} when a run looked. */
@Embeddable
public class StaleTerminal {

  @Column(name = "terminal_id", nullable = false)
  private long terminalId;

  @Column(name = "terminal_name", length = 200)
  private String terminalName;

  @Column(name = "last_seen")
  private Instant lastSeen;

  @Column(name = "group_name", length = 128)
  private String group;

  protected StaleTerminal() {}

  /** {@code lastSeen} is null for a terminal that never called. */
  public StaleTerminal(long terminalId, String terminalName, String group, Instant lastSeen) {
    this.terminalId = terminalId;
    this.terminalName = terminalName;
    this.group = group;
    this.lastSeen = lastSeen;
  }

  /** The terminal's group then; null in reports written before groups existed. */
  public String group() {
    return group;
  }

  public long terminalId() {
    return terminalId;
  }

  public String terminalName() {
    return terminalName;
  }

  public Instant lastSeen() {
    return lastSeen;
  }
}
