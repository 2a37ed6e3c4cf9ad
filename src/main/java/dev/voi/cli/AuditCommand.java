package dev.voi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code voi audit}: starts an audit (or joins the running one) and, with --wait, awaits it. */
@Command(
    name = "audit",
    description = {
      "Start an audit now: the integrity sweep of every layer file, orphans, and every terminal's"
          + " answer decided again. When one is running already, that one is reported.",
      "With --wait, waits for it to end and prints its counts: exit 0 when it finished without"
          + " findings, 4 when it found something, 3 when it failed."
    })
final class AuditCommand extends Base {

  @Option(names = "--wait", description = "Wait until the audit has ended")
  boolean await;

  @Option(
      names = "--interval",
      paramLabel = "SECONDS",
      defaultValue = "1",
      description = "With --wait: seconds between looks (default: ${DEFAULT-VALUE})")
  double interval;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "3600",
      description = "With --wait: give up after this long, exit 3 (default: ${DEFAULT-VALUE})")
  double timeout;

  @Override
  Exit execute() {
    if (!(interval > 0) || !(timeout > 0)) {
      throw CliException.usage("--interval and --timeout must be positive");
    }
    Api api = api();
    JsonNode audit;
    URI location;
    boolean joined = false;
    try {
      Api.Answer started = api.post(api.uri("audits"), null, "start an audit", 202);
      audit = started.body();
      location = api.resolve(started.location() != null ? started.location() : url(audit));
    } catch (Api.ServerRefusal e) {
      if (e.status() != 409 || e.location() == null) {
        throw e;
      }
      joined = true;
      location = api.resolve(e.location());
      audit = api.get(location, "show the running audit");
    }
    if (!json()) {
      console()
          .info(
              (joined ? "an audit is running already: " : "audit started: ")
                  + Json.text(audit, "id", "?")
                  + " ("
                  + location
                  + ")");
    }
    long deadline = voi.nanoTime().getAsLong() + (long) (timeout * 1e9);
    while (await && "RUNNING".equals(Json.text(audit, "state", ""))) {
      if (voi.nanoTime().getAsLong() > deadline) {
        throw CliException.server(
            "audit " + Json.text(audit, "id", "?") + " still runs after " + timeout + " s");
      }
      try {
        Thread.sleep((long) (interval * 1000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw CliException.server("interrupted while waiting for the audit", e);
      }
      audit = api.get(location, "show audit " + Json.text(audit, "id", "?"));
    }
    JsonNode result = audit;
    print(result, () -> human(result));
    String state = Json.text(audit, "state", "");
    if (!await) {
      return Exit.OK;
    }
    if ("FAILED".equals(state)) {
      return Exit.SERVER;
    }
    return audit.path("findings").isEmpty() ? Exit.OK : Exit.VERIFICATION;
  }

  private static String url(JsonNode audit) {
    String url = Json.text(audit, "url", null);
    if (url == null) {
      throw CliException.server("the server's answer names no audit URL");
    }
    return url;
  }

  private void human(JsonNode audit) {
    JsonNode sweep = audit.path("sweep");
    JsonNode terminals = audit.path("terminals");
    console()
        .result(
            "audit "
                + Json.text(audit, "id", "?")
                + " "
                + Json.text(audit, "state", "?")
                + " (started "
                + Json.text(audit, "startedAt", "?")
                + (audit.hasNonNull("finishedAt")
                    ? ", finished " + Json.text(audit, "finishedAt", "?")
                    : "")
                + ")");
    if (sweep.isObject()) {
      console()
          .result(
              "sweep: "
                  + sweep.path("layersChecked").asLong()
                  + " layers, "
                  + Progress.bytes(sweep.path("bytesChecked").asLong())
                  + " checked, "
                  + sweep.path("findings").asLong()
                  + " findings, "
                  + sweep.path("quarantined").asLong()
                  + " quarantined");
    }
    if (terminals.isObject()) {
      console()
          .result(
              "terminals: "
                  + terminals.path("decisions").asLong()
                  + " answers decided, "
                  + terminals.path("changed").asLong()
                  + " changed, "
                  + terminals.path("stale").asLong()
                  + " not seen lately");
    }
    for (JsonNode finding : audit.path("findings")) {
      console()
          .result(
              "finding: "
                  + Json.text(finding, "kind", "?")
                  + " "
                  + Json.text(finding, "image", "")
                  + " depth "
                  + Json.text(finding, "depth", "-")
                  + ": "
                  + Json.text(finding, "detail", "")
                  + (finding.path("quarantined").asBoolean() ? " (quarantined)" : ""));
    }
    if (audit.hasNonNull("detail")) {
      console().result("detail: " + Json.text(audit, "detail", ""));
    }
  }
}
