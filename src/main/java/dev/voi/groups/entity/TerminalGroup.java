package dev.voi.groups.entity;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Embeddable;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.OrderColumn;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A configured group: its time zone and maintenance windows (none: always open). */
@Entity
@Table(name = "terminal_group")
public class TerminalGroup {

  /** One window as stored: days comma-separated (MON,TUE), times HH:mm. */
  @Embeddable
  public static class StoredWindow {

    @Column(nullable = false, length = 32)
    private String days;

    @Column(name = "from_time", nullable = false, length = 5)
    private String from;

    @Column(name = "to_time", nullable = false, length = 5)
    private String to;

    protected StoredWindow() {}

    public StoredWindow(String days, String from, String to) {
      this.days = days;
      this.from = from;
      this.to = to;
    }

    public String days() {
      return days;
    }

    public String from() {
      return from;
    }

    public String to() {
      return to;
    }
  }

  @Id
  @Column(length = 128)
  private String name;

  @Column(nullable = false, length = 64)
  private String zone;

  @Column(name = "updated_at", nullable = false)
  private Instant updatedAt;

  @ElementCollection(fetch = FetchType.EAGER)
  @CollectionTable(name = "group_window", joinColumns = @JoinColumn(name = "group_name"))
  @OrderColumn(name = "position")
  private List<StoredWindow> windows = new ArrayList<>();

  protected TerminalGroup() {}

  public TerminalGroup(String name) {
    this.name = name;
  }

  public String name() {
    return name;
  }

  public String zone() {
    return zone;
  }

  public Instant updatedAt() {
    return updatedAt;
  }

  public List<StoredWindow> windows() {
    return List.copyOf(windows);
  }

  public void configure(String zone, List<StoredWindow> windows, Instant at) {
    this.zone = zone;
    this.windows.clear();
    this.windows.addAll(windows);
    this.updatedAt = at;
  }
}
