package dev.voi.audits.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import java.util.Objects;

/**
 * One thing an audit found wrong with the stored layer files.
 *
 * <p>{@code quarantined} says whether this run turned the layer {@code QUARANTINED}; a layer that
 * already was, or a retired one (retired layers are out of the chain and cannot be), is reported
 * with {@code false}.
 */
@Embeddable
public class Finding {

  static final int MAX_DETAIL = 1000;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false, length = 32)
  private FindingKind kind;

  @Column(length = 128)
  private String image;

  private Integer depth;

  @Column(length = 64)
  private String checksum;

  @Column(name = "file_path", length = 600)
  private String file;

  @Column(nullable = false, length = MAX_DETAIL)
  private String detail;

  @Column(nullable = false)
  private boolean quarantined;

  protected Finding() {}

  /**
   * @param image the image the file belongs to, null when not known (a stray file)
   * @param depth the layer's depth, null for a file with no row
   * @param checksum the layer's checksum, null for a file with no row
   * @param file the file's path relative to the data directory, e.g. {@code
   *     images/a/a-0000-….qcow2}
   */
  public Finding(
      FindingKind kind,
      String image,
      Integer depth,
      String checksum,
      String file,
      String detail,
      boolean quarantined) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.image = image;
    this.depth = depth;
    this.checksum = checksum;
    this.file = file;
    this.detail = truncate(Objects.requireNonNull(detail, "detail"));
    this.quarantined = quarantined;
  }

  static String truncate(String text) {
    return text.length() <= MAX_DETAIL ? text : text.substring(0, MAX_DETAIL - 1) + "…";
  }

  public FindingKind kind() {
    return kind;
  }

  public String image() {
    return image;
  }

  public Integer depth() {
    return depth;
  }

  public String checksum() {
    return checksum;
  }

  public String file() {
    return file;
  }

  public String detail() {
    return detail;
  }

  public boolean quarantined() {
    return quarantined;
  }

  @Override
  public String toString() {
    return kind + " " + file + ": " + detail + (quarantined ? " (quarantined)" : "");
  }
}
