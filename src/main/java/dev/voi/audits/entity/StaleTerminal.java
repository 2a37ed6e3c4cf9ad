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

  protected StaleTerminal() {}

  /** {@code lastSeen} is null for a terminal that never called. */
  public StaleTerminal(long terminalId, String terminalName, Instant lastSeen) {
    this.terminalId = terminalId;
    this.terminalName = terminalName;
    this.lastSeen = lastSeen;
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
