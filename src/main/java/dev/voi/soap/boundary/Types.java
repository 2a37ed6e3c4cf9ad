package dev.voi.soap.boundary;

import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;
import java.util.List;

/**
 * The SOAP contract's types. Each mirrors the JSON of its REST twin member by member (same names,
 * same values; {@link Copies} copies them from the REST views), with lists as repeated elements and
 * null members left out.
 */
public final class Types {

  private Types() {}

  /** The problem of a refused call, in a fault's detail. */
  @XmlAccessorType(XmlAccessType.FIELD)
  @XmlType(
      name = "problem",
      propOrder = {"type", "title", "status", "detail"})
  public static class Problem {
    @XmlElement(required = true)
    public String type;

    @XmlElement(required = true)
    public String title;

    public int status;

    public String detail;
  }

  @XmlAccessorType(XmlAccessType.FIELD)
  @XmlType(
      name = "serverInfo",
      propOrder = {"serverUuid", "version"})
  public static class ServerInfo {
    @XmlElement(required = true)
    public String serverUuid;

    @XmlElement(required = true)
    public String version;
  }

  @XmlAccessorType(XmlAccessType.FIELD)
  @XmlType(
      name = "tip",
      propOrder = {"depth", "version", "checksum"})
  public static class Tip {
    public int depth;
    public long version;

    @XmlElement(required = true)
    public String checksum;
  }

  @XmlAccessorType(XmlAccessType.FIELD)
  @XmlType(
      name = "image",
      propOrder = {"name", "policy", "maxIncrementalLayers", "tip", "layers"})
  public static class Image {
    @XmlElement(required = true)
    public String name;

    @XmlElement(required = true)
    public String policy;

    public int maxIncrementalLayers;

    public Tip tip;

    /** Every layer ever published (getImage); none in lists. */
    @XmlElement(name = "layer")
    public List<Layer> layers;
  }

  @XmlAccessorType(XmlAccessType.FIELD)
  @XmlType(
      name = "layer",
      propOrder = {
        "depth",
        "version",
        "checksum",
        "contentDigest",
        "sha256",
        "size",
        "virtualSize",
        "fileName",
        "note",
        "state",
        "publishedAt",
        "url"
      })
  public static class Layer {
    public int depth;
    public long version;

    @XmlElement(required = true)
    public String checksum;

    @XmlElement(required = true)
    public String contentDigest;

    @XmlElement(required = true)
    public String sha256;

    public long size;
    public long virtualSize;

    @XmlElement(required = true)
    public String fileName;

    public String note;

    @XmlElement(required = true)
    public String state;

    @XmlElement(required = true)
    public String publishedAt;

    @XmlElement(required = true)
    public String url;
  }

  @XmlAccessorType(XmlAccessType.FIELD)
  @XmlType(
      name = "terminalPage",
      propOrder = {"items", "next"})
  public static class TerminalPage {
    @XmlElement(name = "terminal")
    public List<Terminal> items;

    /** The cursor of the next page; absent on the last. */
    public String next;
  }

  @XmlAccessorType(XmlAccessType.FIELD)
  @XmlType(
      name = "terminal",
      propOrder = {"id", "name", "group", "createdAt", "lastSeen", "images"})
  public static class Terminal {
    public long id;

    @XmlElement(required = true)
    public String name;

    @XmlElement(required = true)
    public String group;

    @XmlElement(required = true)
    public String createdAt;

    public String lastSeen;

    @XmlElement(name = "image")
    public List<ImageAnswer> images;
  }

  @XmlAccessorType(XmlAccessType.FIELD)
  @XmlType(
      name = "imageAnswer",
      propOrder = {
        "image",
        "wave",
        "assignedAt",
        "reportedAt",
        "reportedLayers",
        "strategy",
        "reason",
        "policy",
        "moveCount",
        "divergedAt",
        "keep",
        "totalBytes",
        "decidedAt"
      })
  public static class ImageAnswer {
    @XmlElement(required = true)
    public String image;

    public int wave;

    @XmlElement(required = true)
    public String assignedAt;

    public String reportedAt;
    public Integer reportedLayers;
    public String strategy;
    public String reason;

    @XmlElement(required = true)
    public String policy;

    public Integer moveCount;
    public Integer divergedAt;
    public Integer keep;
    public Long totalBytes;
    public String decidedAt;
  }

  @XmlAccessorType(XmlAccessType.FIELD)
  @XmlType(
      name = "registeredTerminal",
      propOrder = {"id", "name", "group", "token"})
  public static class RegisteredTerminal {
    public long id;

    @XmlElement(required = true)
    public String name;

    @XmlElement(required = true)
    public String group;

    /** Shown this once. */
    @XmlElement(required = true)
    public String token;
  }

  @XmlAccessorType(XmlAccessType.FIELD)
  @XmlType(
      name = "chainNode",
      propOrder = {"head", "tail"})
  public static class ChainNode {
    @XmlElement(required = true)
    public String head;

    @XmlElement(required = true)
    public String tail;
  }

  @XmlAccessorType(XmlAccessType.FIELD)
  @XmlType(
      name = "strategyAnswer",
      propOrder = {
        "image",
        "group",
        "wave",
        "strategy",
        "reason",
        "policy",
        "moveCount",
        "divergedAt",
        "keep",
        "tip",
        "imageTip",
        "windowOpensAt",
        "downloads",
        "totalBytes",
        "pollAfterSeconds"
      })
  public static class StrategyAnswer {
    @XmlElement(required = true)
    public String image;

    @XmlElement(required = true)
    public String group;

    public int wave;

    @XmlElement(required = true)
    public String strategy;

    @XmlElement(required = true)
    public String reason;

    @XmlElement(required = true)
    public String policy;

    public Integer moveCount;
    public Integer divergedAt;
    public int keep;
    public Tip tip;
    public Tip imageTip;
    public String windowOpensAt;

    @XmlElement(name = "download")
    public List<Download> downloads;

    public long totalBytes;
    public int pollAfterSeconds;
  }

  @XmlAccessorType(XmlAccessType.FIELD)
  @XmlType(
      name = "download",
      propOrder = {"depth", "version", "checksum", "fileName", "size", "sha256", "url"})
  public static class Download {
    public int depth;
    public long version;

    @XmlElement(required = true)
    public String checksum;

    @XmlElement(required = true)
    public String fileName;

    public long size;

    @XmlElement(required = true)
    public String sha256;

    @XmlElement(required = true)
    public String url;
  }

  @XmlAccessorType(XmlAccessType.FIELD)
  @XmlType(
      name = "rollout",
      propOrder = {
        "image",
        "state",
        "successThreshold",
        "errorThreshold",
        "autoAdvance",
        "waves",
        "events"
      })
  public static class Rollout {
    @XmlElement(required = true)
    public String image;

    @XmlElement(required = true)
    public String state;

    public double successThreshold;
    public double errorThreshold;
    public boolean autoAdvance;

    @XmlElement(name = "wave")
    public List<Wave> waves;

    @XmlElement(name = "event")
    public List<RolloutEvent> events;
  }

  @XmlAccessorType(XmlAccessType.FIELD)
  @XmlType(
      name = "wave",
      propOrder = {
        "wave",
        "groups",
        "implicit",
        "releasedTip",
        "releasedAt",
        "terminals",
        "upToDate",
        "failed",
        "complete"
      })
  public static class Wave {
    public int wave;

    @XmlElement(name = "group")
    public List<String> groups;

    public boolean implicit;

    @XmlElement(required = true)
    public ReleasedTip releasedTip;

    public String releasedAt;
    public long terminals;
    public long upToDate;
    public long failed;
    public boolean complete;
  }

  @XmlAccessorType(XmlAccessType.FIELD)
  @XmlType(
      name = "releasedTip",
      propOrder = {"depth", "version", "checksum", "state"})
  public static class ReleasedTip {
    public int depth;
    public long version;

    @XmlElement(required = true)
    public String checksum;

    @XmlElement(required = true)
    public String state;
  }

  @XmlAccessorType(XmlAccessType.FIELD)
  @XmlType(
      name = "rolloutEvent",
      propOrder = {"at", "kind", "wave", "actor", "detail"})
  public static class RolloutEvent {
    @XmlElement(required = true)
    public String at;

    @XmlElement(required = true)
    public String kind;

    public Integer wave;

    @XmlElement(required = true)
    public String actor;

    public String detail;
  }
}
