package dev.voi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code voi lineage IMAGE}: every layer ever published, in order, with its state. */
@Command(
    name = "lineage",
    description = "Show every layer of IMAGE ever published, in order, with its state and note.")
final class LineageCommand extends Base {

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The image name")
  String image;

  @Override
  Exit execute() {
    image(image, "IMAGE");
    JsonNode lineage = api().get(api().uri("images/" + image), "show image " + image);
    print(
        lineage,
        () -> {
          console()
              .result(
                  image
                      + ": policy "
                      + Json.text(lineage, "policy", "?")
                      + ", tip depth "
                      + Json.text(lineage.path("tip"), "depth", "-")
                      + " version "
                      + Json.text(lineage.path("tip"), "version", "-"));
          Table table =
              new Table(
                  "DEPTH", "VERSION", "STATE", "SIZE", "FILE", "CHECKSUM", "PUBLISHED", "NOTE");
          for (JsonNode layer : lineage.path("layers")) {
            table.row(
                layer.path("depth").asInt(),
                layer.path("version").asLong(),
                Json.text(layer, "state", "?"),
                Progress.bytes(layer.path("size").asLong()),
                Json.text(layer, "fileName", "?"),
                shortHash(Json.text(layer, "checksum", null)),
                Json.text(layer, "publishedAt", null),
                Json.text(layer, "note", ""));
          }
          table.print(console());
        });
    return Exit.OK;
  }
}
