package dev.voi.agent;

import dev.voi.chain.ChecksumList;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code voi-agent sync …}: bring DIR to the server's chain. */
@Command(
    name = "sync",
    mixinStandardHelpOptions = true,
    description =
        "Reports the chain held in DIR and follows the server's answer: for INCREMENTAL or FULL"
            + " it downloads the layers into DIR/.staging (resuming interrupted downloads), checks"
            + " their SHA-256, stamps and backing files, re-checks that the answer still holds and"
            + " applies them atomically; then reports again and expects STOP. WAIT exits 0. DIR"
            + " stays bootable whatever happens: its chain only changes once the new one is"
            + " verified.")
final class SyncCommand implements Callable<Integer> {

  @ParentCommand VoiAgent parent;

  @Mixin ServerOptions options;

  @Option(
      names = "--flatten",
      description =
          "When up to date, merge the chain into one file with qemu-img commit (recorded in the"
              + " manifest; skipped with a warning when qemu-img is missing)")
  boolean flatten;

  @Option(
      names = "--max-mbps",
      paramLabel = "N",
      description = "Limit downloads to N megabits per second (default: no limit)")
  double maxMbps;

  @Option(
      names = "--boot-overlay",
      paramLabel = "NAME",
      description =
          "(Re)create the writable overlay NAME in DIR on top of the tip (qemu-img create); it"
              + " is never part of the reported list")
  String bootOverlay;

  @Override
  public Integer call() {
    Console console = parent.console(options.verbose);
    if (maxMbps < 0 || Double.isNaN(maxMbps) || Double.isInfinite(maxMbps)) {
      throw AgentException.usage("--max-mbps: expected a positive number, got " + maxMbps);
    }
    if (bootOverlay != null && !LocalNames.isSafe(bootOverlay)) {
      throw AgentException.usage(
          "--boot-overlay: "
              + LocalNames.quote(bootOverlay)
              + " is not a bare file name of the form [A-Za-z0-9._-]+.qcow2");
    }
    String image = options.image();
    ServerClient client = options.client(console);
    QemuImg qemuImg = QemuImg.fromEnvironment(console);
    Sync sync =
        new Sync(
            client,
            new ImageDirectory(options.dir, image, console, qemuImg),
            new ChainReader(options.dir, image, bootOverlay),
            new ChecksumList(new SecureRandom()),
            new Sync.Options(flatten, bootOverlay, Downloader.Settings.defaults(maxMbps)),
            console);
    return sync.run();
  }
}
