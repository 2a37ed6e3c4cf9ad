package dev.voi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code voi images}: every image with its policy and tip. */
@Command(name = "images", description = "List the images with their policy and tip.")
final class ImagesCommand extends Base {

  @Override
  Exit execute() {
    JsonNode images = Pages.all(api(), "images", Map.of(), "list the images");
    print(
        images,
        () -> {
          Table table = new Table("IMAGE", "POLICY", "TIP", "VERSION", "CHECKSUM");
          for (JsonNode image : images.path("items")) {
            JsonNode tip = image.path("tip");
            table.row(
                Json.text(image, "name", "?"),
                Json.text(image, "policy", "?"),
                tip.isObject() ? tip.path("depth").asInt() : null,
                tip.isObject() ? tip.path("version").asLong() : null,
                shortHash(Json.text(tip, "checksum", null)));
          }
          table.print(console());
        });
    return Exit.OK;
  }
}
