package dev.voi.images.entity;

import dev.voi.chain.ImageName;
import dev.voi.chain.Policy;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;

/** An OS template: a lineage of layers under one name, and the update policy of its terminals. */
@Entity
@Table(name = "image")
@NamedQuery(name = Image.BY_NAME, query = "SELECT i FROM Image i WHERE i.name = :name")
@NamedQuery(name = Image.ALL, query = "SELECT i FROM Image i WHERE i.name > :after ORDER BY i.name")
public class Image {

  public static final String BY_NAME = "Image.byName";
  public static final String ALL = "Image.all";

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(nullable = false, updatable = false, length = 128)
  private String name;

  @Column(nullable = false, length = 16)
  private String policy;

  @Column(name = "max_incremental_layers", nullable = false)
  private int maxIncrementalLayers;

  @Column(name = "created_at", nullable = false, updatable = false)
  private Instant createdAt;

  @Column(nullable = false)
  private long revision;

  protected Image() {}

  public Image(ImageName name, Policy policy, int maxIncrementalLayers, Instant createdAt) {
    this.name = name.value();
    this.policy = policy.wireName();
    this.maxIncrementalLayers = maxIncrementalLayers;
    this.createdAt = createdAt;
  }

  public Long id() {
    return id;
  }

  /** The name, checked again on the way out of the column (the database is no boundary). */
  public ImageName name() {
    return ImageName.of(name);
  }

  public Policy policy() {
    return Policy.ofWireName(policy);
  }

  public int maxIncrementalLayers() {
    return maxIncrementalLayers;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public long revision() {
    return revision;
  }

  /** Changes the policy; the caller revises the image ({@link #revise}). */
  public void usePolicy(Policy policy, int maxIncrementalLayers) {
    this.policy = policy.wireName();
    this.maxIncrementalLayers = maxIncrementalLayers;
  }

  /** Marks a change of the chain or policy: answers computed before it are stale. */
  public void revise() {
    revision++;
  }
}
