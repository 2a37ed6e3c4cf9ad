package dev.voi.images.boundary;

import dev.voi.images.entity.Layer;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A layer as the API shows it (docs/design.md §9). */
@JsonbPropertyOrder({
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
@Schema(
    name = "Layer",
    requiredProperties = {
      "depth",
      "version",
      "checksum",
      "contentDigest",
      "sha256",
      "size",
      "virtualSize",
      "fileName",
      "state",
      "publishedAt",
      "url"
    })
public record LayerView(
    int depth,
    long version,
    String checksum,
    String contentDigest,
    String sha256,
    long size,
    long virtualSize,
    String fileName,
    @Schema(nullable = true) String note,
    @Schema(enumeration = {"PUBLISHED", "QUARANTINED", "RETIRED"}) String state,
    String publishedAt,
    String url) {

  public static LayerView of(Layer layer) {
    return new LayerView(
        layer.depth(),
        layer.version(),
        layer.checksumHex(),
        layer.contentDigestHex(),
        layer.sha256Hex(),
        layer.size(),
        layer.virtualSize(),
        layer.fileName(),
        layer.note(),
        layer.state().name(),
        layer.publishedAt().toString(),
        contentUrl(layer.image().name().value(), layer.checksumHex()));
  }

  public static String contentUrl(String image, String checksum) {
    return "/api/v1/images/" + image + "/layers/" + checksum + "/content";
  }
}
