package dev.voi.rollouts.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;

/** What moved a rollout: a plan put or removed, a wave advanced, a halt, a retire moving waves. */
@Entity
@Table(name = "rollout_event")
@NamedQuery(
    name = RolloutEvent.OF_IMAGE,
    query = "SELECT e FROM RolloutEvent e WHERE e.imageId = :image ORDER BY e.id DESC")
public class RolloutEvent {

  public static final String OF_IMAGE = "RolloutEvent.ofImage";

  /** The longest actor kept ({@code admin}, {@code audit 42}, {@code report}). */
  public static final int MAX_ACTOR = 64;

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(name = "image_id", nullable = false, updatable = false)
  private long imageId;

  @Column(nullable = false, updatable = false)
  private Instant at;

  @Column(nullable = false, updatable = false, length = 16)
  private String kind;

  @Column(updatable = false)
  private Integer wave;

  @Column(nullable = false, updatable = false, length = MAX_ACTOR)
  private String actor;

  @Column(updatable = false, length = 1000)
  private String detail;

  protected RolloutEvent() {}

  public RolloutEvent(
      long imageId, Instant at, String kind, Integer wave, String actor, String detail) {
    this.imageId = imageId;
    // The database keeps microseconds: the event reads the same before and after it is stored.
    this.at = at.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    this.kind = kind;
    this.wave = wave;
    this.actor = actor.length() > MAX_ACTOR ? actor.substring(0, MAX_ACTOR) : actor;
    this.detail = detail == null || detail.length() <= 1000 ? detail : detail.substring(0, 1000);
  }

  public Instant at() {
    return at;
  }

  public String kind() {
    return kind;
  }

  public Integer wave() {
    return wave;
  }

  public String actor() {
    return actor;
  }

  public String detail() {
    return detail;
  }
}
