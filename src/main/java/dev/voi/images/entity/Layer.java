package dev.voi.images.entity;

import dev.voi.chain.Checksum;
import dev.voi.chain.LayerState;
import dev.voi.chain.ServerLayer;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * One published layer file of an image: the base (depth 0) or a diff. Immutable but for its state:
 * a layer leaves the chain when retired and comes back when the same file is published again.
 */
@Entity
@Table(name = "layer")
@NamedQuery(
    name = Layer.CHAIN,
    query =
        "SELECT l FROM Layer l WHERE l.image = :image AND l.activeDepth IS NOT NULL"
            + " ORDER BY l.depth")
@NamedQuery(
    name = Layer.LINEAGE,
    query = "SELECT l FROM Layer l WHERE l.image = :image ORDER BY l.publishedAt, l.id")
@NamedQuery(name = Layer.BY_CHECKSUM, query = "SELECT l FROM Layer l WHERE l.checksum = :checksum")
@NamedQuery(
    name = Layer.BY_FILE,
    query = "SELECT COUNT(l) FROM Layer l WHERE l.image.name = :image AND l.fileName = :fileName")
@NamedQuery(
    name = Layer.RETIRE_CHAIN,
    query =
        "UPDATE Layer l SET l.activeDepth = NULL, l.state = dev.voi.chain.LayerState.RETIRED"
            + " WHERE l.image = :image AND l.activeDepth IS NOT NULL")
public class Layer {

  public static final String CHAIN = "Layer.chain";
  public static final String LINEAGE = "Layer.lineage";
  public static final String BY_CHECKSUM = "Layer.byChecksum";
  public static final String BY_FILE = "Layer.byFile";
  public static final String RETIRE_CHAIN = "Layer.retireChain";

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @ManyToOne(fetch = FetchType.EAGER, optional = false)
  @JoinColumn(name = "image_id", nullable = false, updatable = false)
  private Image image;

  @Column(nullable = false, updatable = false)
  private int depth;

  @Column(name = "active_depth")
  private Integer activeDepth;

  @Column(nullable = false, updatable = false)
  private long version;

  @Column(nullable = false, updatable = false, length = 64)
  private String checksum;

  @Column(name = "parent_checksum", updatable = false, length = 64)
  private String parentChecksum;

  @Column(name = "content_digest", nullable = false, updatable = false, length = 64)
  private String contentDigest;

  @Column(nullable = false, updatable = false, length = 64)
  private String sha256;

  @Column(name = "size_bytes", nullable = false, updatable = false)
  private long size;

  @Column(name = "virtual_size", nullable = false, updatable = false)
  private long virtualSize;

  @Column(name = "file_name", nullable = false, updatable = false, length = 160)
  private String fileName;

  @Column(length = 1000, updatable = false)
  private String note;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false, length = 16)
  private LayerState state;

  @Column(name = "published_at", nullable = false, updatable = false)
  private Instant publishedAt;

  protected Layer() {}

  public Layer(Image image, Published file, Instant publishedAt) {
    this.image = image;
    this.depth = file.depth();
    this.activeDepth = file.depth();
    this.version = file.version();
    this.checksum = file.checksum().hex();
    this.parentChecksum = file.parent() == null ? null : file.parent().hex();
    this.contentDigest = file.contentDigest().hex();
    this.sha256 = file.sha256().hex();
    this.size = file.size();
    this.virtualSize = file.virtualSize();
    this.fileName = file.fileName();
    this.note = file.note();
    this.state = LayerState.PUBLISHED;
    this.publishedAt = publishedAt;
  }

  /** What the publisher learned about a stamped file before its row is written. */
  public record Published(
      int depth,
      long version,
      Checksum checksum,
      Checksum parent,
      Checksum contentDigest,
      Checksum sha256,
      long size,
      long virtualSize,
      String fileName,
      String note) {}

  public Long id() {
    return id;
  }

  public Image image() {
    return image;
  }

  public int depth() {
    return depth;
  }

  public long version() {
    return version;
  }

  public Checksum checksum() {
    return Checksum.ofHex(checksum);
  }

  public String checksumHex() {
    return checksum;
  }

  public Checksum parentChecksum() {
    return parentChecksum == null ? null : Checksum.ofHex(parentChecksum);
  }

  public String contentDigestHex() {
    return contentDigest;
  }

  public Checksum sha256() {
    return Checksum.ofHex(sha256);
  }

  public String sha256Hex() {
    return sha256;
  }

  public long size() {
    return size;
  }

  public long virtualSize() {
    return virtualSize;
  }

  public String fileName() {
    return fileName;
  }

  public String note() {
    return note;
  }

  public LayerState state() {
    return state;
  }

  public Instant publishedAt() {
    return publishedAt;
  }

  public boolean inChain() {
    return state != LayerState.RETIRED;
  }

  public void retire() {
    state = LayerState.RETIRED;
    activeDepth = null;
  }

  /** Brings a retired layer back into the chain (the same file published again). */
  public void reactivate() {
    state = LayerState.PUBLISHED;
    activeDepth = depth;
  }

  public void quarantine() {
    if (state == LayerState.PUBLISHED) {
      state = LayerState.QUARANTINED;
    }
  }

  /** This layer as the strategy decision sees it. */
  public ServerLayer toServerLayer() {
    return new ServerLayer(depth, version, checksum(), size, state);
  }
}
