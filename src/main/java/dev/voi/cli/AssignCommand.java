package dev.voi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code voi assign ID IMAGE}: the terminal is to hold IMAGE (or, with --remove, no longer). */
@Command(
    name = "assign",
    description = "Assign IMAGE to the terminal ID (its agent may then fetch it), or --remove it.")
final class AssignCommand extends Base {

  @Parameters(index = "0", paramLabel = "ID", description = "The terminal's numeric id")
  long id;

  @Parameters(index = "1", paramLabel = "IMAGE", description = "The image name")
  String image;

  @Option(names = "--remove", description = "Unassign the image instead")
  boolean remove;

  @Override
  Exit execute() {
    image(image, "IMAGE");
    if (id < 1) {
      throw CliException.usage("ID: a terminal id is a positive number, got " + id);
    }
    String path = "terminals/" + id + "/images/" + image;
    Api.Answer answer =
        remove
            ? api().delete(api().uri(path), "unassign " + image + " from terminal " + id, 204, 200)
            : api()
                .put(
                    api().uri(path), null, "assign " + image + " to terminal " + id, 201, 200, 204);
    ObjectNode result = Json.object();
    result.put("terminal", id);
    result.put("image", image);
    result.put("assigned", !remove);
    JsonNode body = answer.body();
    if (body != null) {
      result.set("answer", body);
    }
    print(
        result,
        () ->
            console()
                .result(
                    (remove ? "unassigned " : "assigned ")
                        + image
                        + (remove ? " from" : " to")
                        + " terminal "
                        + id));
    return Exit.OK;
  }
}
