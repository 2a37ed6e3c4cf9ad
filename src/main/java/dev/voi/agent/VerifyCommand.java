package dev.voi.agent;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code voi-agent verify --image NAME --dir DIR}: the SHA-256 of every held file, offline. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description =
        "Checks every layer file the manifest in DIR lists: size, stamp, backing file and the"
            + " SHA-256 recorded when it was downloaded (or merged). Works offline and changes no"
            + " layer file; it renews the manifest's record of each file found intact. Exit code 4"
            + " when a file is damaged: run sync, which reports the chain only up to the layer"
            + " below the damage, so the server's answer downloads it again.")
final class VerifyCommand implements Callable<Integer> {

  @ParentCommand VoiAgent parent;

  @Option(
      names = "--image",
      required = true,
      paramLabel = "NAME",
      description = "The image whose layers DIR holds")
  String image;

  @Option(
      names = "--dir",
      required = true,
      paramLabel = "DIR",
      description = "The image directory (it must hold a manifest)")
  Path dir;

  @Option(names = "--verbose", description = "Print details and stack traces")
  boolean verbose;

  @Override
  public Integer call() {
    Console console = parent.console(verbose);
    ServerOptions.requireValidImage(image);
    if (ImageDirectory.requireRecognised(dir, "verify", false) != ImageDirectory.Kind.MANAGED) {
      throw AgentException.usage(
          "--dir: " + dir + " holds no " + Manifest.FILE_NAME + " yet: nothing to verify");
    }
    try (FileChannel channel =
        FileChannel.open(
            dir.resolve(Sync.LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw AgentException.localIo(
            "another voi-agent is working in " + dir + "; try later", null);
      }
      try {
        return verify(console);
      } finally {
        lock.release();
      }
    } catch (IOException e) {
      throw AgentException.localIo("cannot verify " + dir + ": " + e.getMessage(), e);
    }
  }

  private int verify(Console console) throws IOException {
    ChainReader.Held held = new ChainReader(dir, image, null, true).read();
    if (held.reverified().isPresent()) {
      held.reverified().get().write(dir);
    }
    for (Manifest.LayerFile file : held.chain().files()) {
      console.result(
          "ok       "
              + file.name()
              + " (layers "
              + file.from()
              + ".."
              + file.to()
              + ", SHA-256 "
              + file.integrity().sha256().shortHex()
              + "…)");
    }
    if (held.damage().isEmpty()) {
      console.result("verified: " + held.chain().files().size() + " files, " + held.summary());
      return Failure.OK;
    }
    held.damage().forEach(d -> console.result("DAMAGED  " + d));
    throw AgentException.verification(
        held.damage().size()
            + (held.damage().size() == 1 ? " layer file is" : " layer files are")
            + " damaged or unusable ("
            + held.damage().get(0)
            + "); sync downloads "
            + (held.damage().size() == 1 ? "it" : "them")
            + " again");
  }
}
