package dev.voi.agent;

import dev.voi.chain.ChecksumList;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code voi-agent status …}: report the list, print the answer; changes nothing locally. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description =
        "Reads the chain held in DIR (from its manifest, or from the stamps following backing"
            + " files from the tip down to the base), reports it to the server and prints the"
            + " strategy and reason. Changes nothing in DIR. A DIR that does not exist, or that"
            + " holds files but no manifest, is refused (exit 1) and nothing is reported, so a"
            + " typo never overwrites the server's record of the terminal.")
final class StatusCommand implements Callable<Integer> {

  @ParentCommand VoiAgent parent;

  @Mixin ServerOptions options;

  @Override
  public Integer call() {
    Console console = parent.console(options.verbose);
    String image = options.image();
    ImageDirectory.requireRecognised(options.dir, "status", false);
    ServerClient client = options.client(console);
    ChainReader.Held held = new ChainReader(options.dir, image, null).read();
    held.warnings().forEach(console::warn);
    console.result("held: " + held.summary());
    Answer answer =
        client.report(new ChecksumList(new SecureRandom()).nodesFor(held.chain().checksums()));
    console.result("server: " + answer.summary());
    for (Answer.Download download : answer.downloads()) {
      console.result(
          "  download depth "
              + download.depth()
              + " version "
              + download.version()
              + " "
              + download.fileName()
              + " ("
              + Units.bytes(download.size())
              + ")");
    }
    return Failure.OK;
  }
}
