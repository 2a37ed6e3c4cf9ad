package dev.voi.terminals.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A registered VOI terminal. Its bearer token is stored only as a SHA-256 hash; the token itself is
 * shown once, at registration or rotation.
 */
@Entity
@Table(name = "terminal")
@NamedQuery(
    name = Terminal.BY_TOKEN_HASH,
    query = "SELECT t.id FROM Terminal t WHERE t.tokenHash = :hash")
@NamedQuery(name = Terminal.BY_NAME, query = "SELECT t FROM Terminal t WHERE t.name = :name")
public class Terminal {

  public static final String BY_TOKEN_HASH = "Terminal.byTokenHash";
  public static final String BY_NAME = "Terminal.byName";

  /** The longest name a terminal may have. */
  public static final int MAX_NAME = 128;

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(nullable = false, length = MAX_NAME)
  private String name;

  @Column(name = "token_hash", nullable = false, length = 64)
  private String tokenHash;

  @Column(name = "created_at", nullable = false, updatable = false)
  private Instant createdAt;

  @Column(name = "last_seen")
  private Instant lastSeen;

  @Column(name = "group_name", nullable = false, length = 128)
  private String group;

  protected Terminal() {}

  public Terminal(String name, String group, String tokenHash, Instant createdAt) {
    this.name = requireValidName(name);
    this.group = group;
    this.tokenHash = tokenHash;
    this.createdAt = createdAt;
  }

  /**
   * A terminal name: 1–128 characters, not blank, no control characters (host names, asset tags and
   * "Lab 3 / PC 17" all fit).
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static String requireValidName(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name: required, 1-" + MAX_NAME + " characters");
    }
    if (name.length() > MAX_NAME) {
      throw new IllegalArgumentException(
          "name: at most " + MAX_NAME + " characters, got " + name.length());
    }
    if (name.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("name: control characters are not allowed");
    }
    if (!name.strip().equals(name)) {
      throw new IllegalArgumentException("name: no leading or trailing white space");
    }
    return name;
  }

  public Long id() {
    return id;
  }

  public String name() {
    return name;
  }

  public String tokenHash() {
    return tokenHash;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Instant lastSeen() {
    return lastSeen;
  }

  /** The terminal's group (docs/design.md §11). */
  public String group() {
    return group;
  }

  public void moveTo(String group) {
    this.group = group;
  }

  public void useTokenHash(String tokenHash) {
    this.tokenHash = tokenHash;
  }
}
