package dev.voi.rollouts.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** One wave of a plan: its groups and the layer it has released. */
@Entity
@Table(name = "rollout_wave")
@IdClass(RolloutWave.Key.class)
@NamedQuery(
    name = RolloutWave.MOVE_RELEASED,
    query =
        "UPDATE RolloutWave w SET w.releasedLayerId = :to, w.releasedAt = :at"
            + " WHERE w.imageId = :image AND w.releasedLayerId = :from")
@NamedQuery(
    name = RolloutWave.DELETE_OF_IMAGE,
    query = "DELETE FROM RolloutWave w WHERE w.imageId = :image")
@NamedQuery(
    name = RolloutWave.RELEASE_FIRST,
    query =
        "UPDATE RolloutWave w SET w.releasedLayerId = :to, w.releasedAt = :at"
            + " WHERE w.imageId = :image AND w.wave = 0")
public class RolloutWave {

  public static final String MOVE_RELEASED = "RolloutWave.moveReleased";
  public static final String DELETE_OF_IMAGE = "RolloutWave.deleteOfImage";
  public static final String RELEASE_FIRST = "RolloutWave.releaseFirst";

  /** The composite key. */
  public static class Key implements Serializable {
    private static final long serialVersionUID = 1L;

    long imageId;
    int wave;

    public Key() {}

    @Override
    public boolean equals(Object other) {
      return other instanceof Key key && key.imageId == imageId && key.wave == wave;
    }

    @Override
    public int hashCode() {
      return Objects.hash(imageId, wave);
    }
  }

  @Id
  @Column(name = "image_id")
  private long imageId;

  @Id
  @Column(nullable = false)
  private int wave;

  @Column(nullable = false, length = 33000)
  private String groups;

  @Column(name = "released_layer_id", nullable = false)
  private long releasedLayerId;

  @Column(name = "released_at", nullable = false)
  private Instant releasedAt;

  protected RolloutWave() {}

  public RolloutWave(long imageId, int wave, List<String> groups, long released, Instant at) {
    this.imageId = imageId;
    this.wave = wave;
    this.groups = String.join(",", groups);
    this.releasedLayerId = released;
    this.releasedAt = at;
  }

  public long imageId() {
    return imageId;
  }

  public int wave() {
    return wave;
  }

  public List<String> groups() {
    return Arrays.asList(groups.split(","));
  }

  public long releasedLayerId() {
    return releasedLayerId;
  }

  public Instant releasedAt() {
    return releasedAt;
  }

  public void release(long layerId, Instant at) {
    if (layerId != releasedLayerId) {
      this.releasedLayerId = layerId;
      this.releasedAt = at;
    }
  }
}
