package dev.voi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code voi terminals}: terminals with their current answer per assigned image. */
@Command(
    name = "terminals",
    description = "List the terminals, with the current answer for each image assigned to them.")
final class TerminalsCommand extends Base {

  @Option(names = "--image", paramLabel = "IMAGE", description = "Only terminals assigned IMAGE")
  String image;

  @Option(
      names = "--strategy",
      paramLabel = "S",
      description = "Only terminals whose answer is S: STOP, INCREMENTAL, FULL or WAIT")
  String strategy;

  @Option(
      names = "--reason",
      paramLabel = "R",
      description = "Only terminals whose answer has reason R (e.g. BEHIND, DIVERGED)")
  String reason;

  @Option(names = "--group", paramLabel = "G", description = "Only terminals of group G")
  String group;

  @Override
  Exit execute() {
    if (image != null) {
      image(image, "--image");
    }
    JsonNode terminals =
        Pages.all(
            api(),
            "terminals",
            Api.query(
                "image",
                image,
                "strategy",
                upper(strategy),
                "reason",
                upper(reason),
                "group",
                group),
            "list the terminals");
    print(
        terminals,
        () -> {
          Table table =
              new Table("ID", "NAME", "GROUP", "LAST SEEN", "IMAGE", "STRATEGY", "REASON");
          for (JsonNode terminal : terminals.path("items")) {
            JsonNode images = terminal.path("images");
            if (images.isEmpty()) {
              table.row(
                  terminal.path("id").asLong(),
                  Json.text(terminal, "name", "?"),
                  Json.text(terminal, "group", null),
                  Json.text(terminal, "lastSeen", null),
                  null,
                  null,
                  null);
            }
            for (JsonNode assigned : images) {
              table.row(
                  terminal.path("id").asLong(),
                  Json.text(terminal, "name", "?"),
                  Json.text(terminal, "group", null),
                  Json.text(terminal, "lastSeen", null),
                  Json.text(assigned, "image", "?"),
                  Json.text(assigned, "strategy", null),
                  Json.text(assigned, "reason", null));
            }
          }
          table.print(console());
        });
    return Exit.OK;
  }

  private static String upper(String value) {
    return value == null ? null : value.toUpperCase(Locale.ROOT);
  }
}
