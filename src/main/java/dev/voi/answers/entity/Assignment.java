package dev.voi.answers.entity;

import dev.voi.chain.ChainNode;
import jakarta.persistence.Column;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.List;

/**
 * An image assigned to a terminal, with the checksum list the terminal last reported for it and the
 * answer that list currently gets. Ids instead of associations: the hot paths read single rows and
 * never navigate.
 */
@Entity
@Table(name = "assignment")
@NamedQuery(
    name = Assignment.OF_TERMINAL,
    query =
        "SELECT a.id, a.imageId, i.name, t.group FROM Assignment a JOIN Image i ON i.id ="
            + " a.imageId JOIN Terminal t ON t.id = a.terminalId WHERE a.terminalId = :terminal")
@NamedQuery(
    name = Assignment.BY_TERMINAL_AND_IMAGE,
    query = "SELECT a FROM Assignment a WHERE a.terminalId = :terminal AND a.imageId = :image")
@NamedQuery(
    name = Assignment.DELETE_OF_TERMINAL,
    query = "DELETE FROM Assignment a WHERE a.terminalId = :terminal")
@NamedQuery(
    name = Assignment.MOVE_OF_TERMINAL,
    query =
        "UPDATE Assignment a SET a.group = :group, a.version = a.version + 1"
            + " WHERE a.terminalId = :terminal")
public class Assignment {

  public static final String OF_TERMINAL = "Assignment.ofTerminal";
  public static final String BY_TERMINAL_AND_IMAGE = "Assignment.byTerminalAndImage";
  public static final String DELETE_OF_TERMINAL = "Assignment.deleteOfTerminal";

  /**
   * Moves all of a terminal's assignments to its new group; the version moves too, so that a
   * re-decision that read a row under the old group does not write it.
   */
  public static final String MOVE_OF_TERMINAL = "Assignment.moveOfTerminal";

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(name = "terminal_id", nullable = false, updatable = false)
  private long terminalId;

  @Column(name = "image_id", nullable = false, updatable = false)
  private long imageId;

  @Column(name = "assigned_at", nullable = false, updatable = false)
  private Instant assignedAt;

  /**
   * The terminal's group, kept here too so that re-deciding some groups of an image reads only
   * assignment rows; written on assignment and by {@link #MOVE_OF_TERMINAL}.
   */
  @Column(name = "group_name", nullable = false, length = 128)
  private String group;

  @Column(name = "reported_nodes")
  private byte[] reportedNodes;

  @Column(name = "reported_layers")
  private Integer reportedLayers;

  @Column(name = "reported_at")
  private Instant reportedAt;

  /** The checksum (hex) of the reported top layer: how rollouts count who holds a tip. */
  @Column(name = "reported_tip", length = 64)
  private String reportedTip;

  @Embedded private StoredAnswer answer;

  @Column(name = "answer_revision")
  private Long answerRevision;

  @Column(name = "decided_at")
  private Instant decidedAt;

  @Version
  @Column(nullable = false)
  private long version;

  protected Assignment() {}

  public Assignment(long terminalId, long imageId, String group, Instant assignedAt) {
    this.terminalId = terminalId;
    this.imageId = imageId;
    this.group = group;
    this.assignedAt = assignedAt;
  }

  /** Keeps a freshly reported list; the answer is decided next, in the same transaction. */
  public void report(List<ChainNode> nodes, Instant at) {
    this.reportedNodes = ReportedNodes.encode(nodes);
    this.reportedLayers = nodes.size();
    this.reportedAt = at;
    this.reportedTip = ReportedNodes.tipHex(reportedNodes);
  }

  /**
   * Takes the answer decided against image revision {@code revision}.
   *
   * @return true when the answer differs from the one held before (a change to record)
   */
  public boolean answer(StoredAnswer answer, long revision, Instant at) {
    boolean changed = this.answer == null || !answer.hash().equals(this.answer.hash());
    this.answer = answer;
    this.answerRevision = revision;
    if (changed || decidedAt == null) {
      this.decidedAt = at;
    }
    return changed;
  }

  public Long id() {
    return id;
  }

  public long terminalId() {
    return terminalId;
  }

  public long imageId() {
    return imageId;
  }

  public Instant assignedAt() {
    return assignedAt;
  }

  public boolean hasReport() {
    return reportedNodes != null;
  }

  /** The last reported list, base first; empty when none was reported yet. */
  public List<ChainNode> reportedNodes() {
    return reportedNodes == null ? List.of() : ReportedNodes.decode(reportedNodes);
  }

  /** How many layers the terminal reported, null before the first report. */
  public Integer reportedLayers() {
    return reportedLayers;
  }

  /** The checksum (hex) of the terminal's top layer, or null. */
  public String reportedTip() {
    return ReportedNodes.tipHex(reportedNodes);
  }

  public Instant reportedAt() {
    return reportedAt;
  }

  /** The current answer, null before the first report. */
  public StoredAnswer answer() {
    return answer;
  }

  public String answerHash() {
    return answer == null ? null : answer.hash();
  }

  /** The image revision the answer was decided against, null before the first report. */
  public Long answerRevision() {
    return answerRevision;
  }

  public Instant decidedAt() {
    return decidedAt;
  }

  public long version() {
    return version;
  }
}
