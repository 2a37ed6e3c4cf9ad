package dev.voi.images.boundary;

import dev.voi.images.entity.Image;
import dev.voi.images.entity.Layer;
import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** An image with every layer ever published, in publishing order (docs/design.md §9). */
@JsonbPropertyOrder({"name", "policy", "maxIncrementalLayers", "tip", "layers"})
@Schema(
    name = "Image",
    requiredProperties = {"name", "policy", "maxIncrementalLayers", "tip", "layers"})
public record ImageView(
    String name,
    @Schema(enumeration = {"patent", "catch-up"}) String policy,
    int maxIncrementalLayers,
    @Schema(nullable = true, description = "The tip of the chain, null while nothing is published")
        Tip tip,
    // Every layer ever published; null in lists (an annotation here loses the array's items).
    List<LayerView> layers) {

  /** The current tip of the chain, or null when nothing is published. */
  @JsonbPropertyOrder({"depth", "version", "checksum"})
  @Schema(
      name = "ImageTip",
      requiredProperties = {"depth", "version", "checksum"})
  public record Tip(int depth, long version, String checksum) {}

  public static ImageView of(Image image, List<Layer> chain, List<Layer> layers) {
    Tip tip = null;
    if (!chain.isEmpty()) {
      Layer last = chain.get(chain.size() - 1);
      tip = new Tip(last.depth(), last.version(), last.checksumHex());
    }
    return new ImageView(
        image.name().value(),
        image.policy().wireName(),
        image.maxIncrementalLayers(),
        tip,
        layers == null ? null : layers.stream().map(LayerView::of).toList());
  }
}
