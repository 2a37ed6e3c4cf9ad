package dev.voi.agent;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code voi-agent inspect FILE… [--json]}. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description =
        "Shows the qcow2 header (fields, backing file, extensions) and the VOI stamp (record at"
            + " byte 3072 and header extension, and their state) of each file. Works offline. Exit"
            + " code 2, with one line naming the reason, when a file is malformed.")
final class InspectCommand implements Callable<Integer> {

  @ParentCommand VoiAgent parent;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "qcow2 files")
  List<Path> files;

  @Option(names = "--json", description = "Print a JSON array, one object per file")
  boolean json;

  @Option(names = "--verbose", description = "Print stack traces of failures")
  boolean verbose;

  @Override
  public Integer call() {
    Console console = parent.console(verbose);
    ArrayNode array = Json.array();
    int exitCode = Failure.OK;
    boolean first = true;
    for (Path file : files) {
      Inspector.Report report = Inspector.inspect(file);
      if (json) {
        array.add(report.json());
      } else {
        if (!first) {
          console.out().println();
        }
        report.lines().forEach(console.out()::println);
      }
      first = false;
      if (report.failure() != null) {
        console.err().println("voi-agent: error: " + file + ": " + report.reason());
        exitCode = Math.max(exitCode, report.failure().exitCode());
      }
    }
    if (json) {
      console.out().println(Json.write(array));
    }
    console.out().flush();
    console.err().flush();
    return exitCode;
  }
}
