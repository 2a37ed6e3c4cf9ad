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
        "Checks the layer files held in DIR (size and stamp always, SHA-256 when a file changed"
            + " since its last verification or with --verify; a damaged one counts as not held and"
            + " is reported to the server as FAILED), reports the chain and follows the server's"
            + " answer: for INCREMENTAL or FULL"
            + " it downloads the layers into DIR/.staging (resuming interrupted downloads), checks"
            + " their SHA-256, stamps and backing files (a failed one is fetched again in the next"
            + " round, at most 5), re-checks that the answer still holds and applies them"
            + " atomically; then reports again and expects STOP. WAIT exits 0. SIGINT/SIGTERM"
            + " tell the server and exit 130. DIR"
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
          "Keep the writable overlay NAME in DIR on top of the tip (qemu-img create; recorded in"
              + " the manifest). It is replaced only when the tip changed, never while a QEMU"
              + " process holds it open (exit 5); the replaced one is kept as NAME.prev until the"
              + " next successful sync. Never part of the reported list")
  String bootOverlay;

  @Option(
      names = "--init",
      description =
          "Accept a DIR that does not exist (it is created) or that holds layer files but no"
              + " manifest (they are adopted from their stamps). Without it such a DIR is refused"
              + " (exit 1), so a typo never downloads a whole image elsewhere")
  boolean init;

  @Option(
      names = "--verify",
      description =
          "Compute the SHA-256 of every held layer file before reporting (otherwise only files"
              + " whose size, times or inode changed since their last verification)")
  boolean verify;

  @Option(
      names = "--leave-overlay",
      description =
          "Accept that the boot overlay recorded in the manifest stays on an old chain (without"
              + " it, and without --boot-overlay, that ends with exit 6)")
  boolean leaveOverlay;

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
            new ChainReader(options.dir, image, bootOverlay, verify),
            new ChecksumList(new SecureRandom()),
            new Sync.Options(
                flatten, bootOverlay, Downloader.Settings.defaults(maxMbps), init, leaveOverlay),
            console);
    return sync.run();
  }
}
