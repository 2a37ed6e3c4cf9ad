package dev.voi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code voi rollout IMAGE [show | set | advance | halt | remove]}: the staged rollout of IMAGE.
 */
@Command(
    name = "rollout",
    description = {
      "Show or change the staged rollout of IMAGE (docs/design.md §11).",
      "show (default): state and waves. set: a plan, from --wave options (each a comma-separated"
          + " list of groups, in order; \"*\" in the last wave is every other group) or from"
          + " --plan FILE (the API's JSON body). advance: release the next wave now (and clear"
          + " HALTED). halt: stop advancing. remove: delete the plan (every terminal is judged"
          + " against the tip again)."
    })
final class RolloutCommand extends Base {

  enum Action {
    show,
    set,
    advance,
    halt,
    remove
  }

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The image name")
  String image;

  @Parameters(
      index = "1",
      paramLabel = "ACTION",
      defaultValue = "show",
      description = "show, set, advance, halt or remove (default: ${DEFAULT-VALUE})")
  Action action;

  @Option(
      names = "--wave",
      paramLabel = "GROUPS",
      description = "set: one wave, its groups comma-separated; repeat for every wave, in order")
  List<String> waves = new ArrayList<>();

  @Option(
      names = "--plan",
      paramLabel = "FILE",
      description = "set: the plan as JSON, {\"waves\": [[\"canary\"], [\"*\"]], …}")
  Path planFile;

  @Option(
      names = "--success-threshold",
      paramLabel = "F",
      description = "set: share of a wave up to date before the next advances (default 0.9)")
  Double successThreshold;

  @Option(
      names = "--error-threshold",
      paramLabel = "F",
      description = "set: share of a wave that FAILED above which the rollout halts (default 0.1)")
  Double errorThreshold;

  @Option(
      names = "--auto-advance",
      negatable = true,
      description = "set: advance by itself when a wave is complete (default: yes)")
  Boolean autoAdvance;

  @Override
  Exit execute() {
    image(image, "IMAGE");
    if (action != Action.set
        && (!waves.isEmpty()
            || planFile != null
            || successThreshold != null
            || errorThreshold != null
            || autoAdvance != null)) {
      throw CliException.usage(
          "--wave, --plan, --success-threshold, --error-threshold and --auto-advance go with set");
    }
    Api api = api();
    String path = "images/" + image + "/rollout";
    String what = action.name().toLowerCase(Locale.ROOT) + " the rollout of " + image;
    JsonNode rollout =
        switch (action) {
          case show -> api.get(api.uri(path), what);
          case set -> api.put(api.uri(path), plan(), what, 200, 201).body();
          case advance -> api.post(api.uri(path + "/advance"), null, what, 200).body();
          case halt -> api.post(api.uri(path + "/halt"), null, what, 200).body();
          case remove -> {
            api.delete(api.uri(path), what, 204, 200);
            ObjectNode removed = Json.object();
            removed.put("image", image);
            removed.put("removed", true);
            yield removed;
          }
        };
    if (action == Action.remove) {
      print(rollout, () -> console().result("removed the rollout plan of " + image));
      return Exit.OK;
    }
    print(rollout, () -> human(rollout));
    return Exit.OK;
  }

  /** The plan body from --plan or from the options; the server checks it strictly. */
  JsonNode plan() {
    ObjectNode plan;
    if (planFile != null) {
      if (!waves.isEmpty()) {
        throw CliException.usage("set: give --plan FILE or --wave options, not both");
      }
      try {
        JsonNode read = Json.parse(Files.readAllBytes(planFile));
        if (!read.isObject()) {
          throw CliException.usage("--plan: " + planFile + " holds no JSON object");
        }
        plan = (ObjectNode) read;
      } catch (NoSuchFileException e) {
        throw CliException.usage("--plan: " + planFile + " does not exist");
      } catch (IOException e) {
        throw CliException.localIo("--plan: cannot read " + planFile + ": " + e.getMessage(), e);
      } catch (IllegalArgumentException e) {
        throw CliException.usage("--plan: " + planFile + ": " + e.getMessage());
      }
    } else {
      if (waves.isEmpty()) {
        throw CliException.usage("set: give the waves (--wave GROUPS, repeated) or --plan FILE");
      }
      plan = Json.object();
      ArrayNode array = plan.putArray("waves");
      for (String wave : waves) {
        ArrayNode groups = array.addArray();
        for (String group : wave.split(",", -1)) {
          if (group.isBlank()) {
            throw CliException.usage("--wave " + wave + ": an empty group name");
          }
          groups.add(group.strip());
        }
      }
    }
    if (successThreshold != null) {
      plan.put("successThreshold", successThreshold);
    }
    if (errorThreshold != null) {
      plan.put("errorThreshold", errorThreshold);
    }
    if (autoAdvance != null) {
      plan.put("autoAdvance", autoAdvance);
    }
    return plan;
  }

  private void human(JsonNode rollout) {
    console()
        .result(
            image
                + ": "
                + Json.text(rollout, "state", "?")
                + ", success threshold "
                + Json.text(rollout, "successThreshold", "?")
                + ", error threshold "
                + Json.text(rollout, "errorThreshold", "?")
                + ", auto-advance "
                + Json.text(rollout, "autoAdvance", "?"));
    Table table =
        new Table("WAVE", "GROUPS", "RELEASED", "TERMINALS", "UP TO DATE", "FAILED", "COMPLETE");
    for (JsonNode wave : rollout.path("waves")) {
      List<String> groups = new ArrayList<>();
      wave.path("groups").forEach(group -> groups.add(group.asText()));
      JsonNode tip = wave.path("releasedTip");
      table.row(
          wave.path("wave").asInt(),
          String.join(",", groups) + (wave.path("implicit").asBoolean() ? " (implicit)" : ""),
          tip.isObject()
              ? "depth " + tip.path("depth").asInt() + " v" + tip.path("version").asLong()
              : null,
          wave.path("terminals").asLong(),
          wave.path("upToDate").asLong(),
          wave.path("failed").asLong(),
          wave.path("complete").asBoolean() ? "yes" : "no");
    }
    table.print(console());
  }
}
