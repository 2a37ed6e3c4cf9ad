package dev.voi.rollouts.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** An image's rollout plan: thresholds and state; its waves are {@link RolloutWave} rows. */
@Entity
@Table(name = "rollout")
public class Rollout {

  @Id
  @Column(name = "image_id")
  private long imageId;

  @Column(name = "success_threshold", nullable = false)
  private double successThreshold;

  @Column(name = "error_threshold", nullable = false)
  private double errorThreshold;

  @Column(name = "auto_advance", nullable = false)
  private boolean autoAdvance;

  @Column(nullable = false)
  private boolean halted;

  @Column(name = "updated_at", nullable = false)
  private Instant updatedAt;

  protected Rollout() {}

  public Rollout(long imageId) {
    this.imageId = imageId;
  }

  public long imageId() {
    return imageId;
  }

  public double successThreshold() {
    return successThreshold;
  }

  public double errorThreshold() {
    return errorThreshold;
  }

  public boolean autoAdvance() {
    return autoAdvance;
  }

  public boolean halted() {
    return halted;
  }

  public Instant updatedAt() {
    return updatedAt;
  }

  public void configure(
      double successThreshold, double errorThreshold, boolean autoAdvance, Instant at) {
    this.successThreshold = successThreshold;
    this.errorThreshold = errorThreshold;
    this.autoAdvance = autoAdvance;
    this.updatedAt = at;
  }

  public void halt(boolean halted, Instant at) {
    this.halted = halted;
    this.updatedAt = at;
  }
}
