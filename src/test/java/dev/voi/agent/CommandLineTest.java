package dev.voi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: usage errors, exit codes, one clear line per failure, status and sync. */
class CommandLineTest {

  @TempDir(factory = ShmTempDir.class)
  Path root;

  Rig rig;

  @BeforeEach
  void start() throws IOException {
    rig = new Rig(root);
    Files.createDirectories(rig.dir);
  }

  @AfterEach
  void stop() {
    rig.close();
  }

  @Test
  void usageErrorsAreExitCode1WithOneLine() {
    assertThat(rig.cli()).isEqualTo(1);
    assertThat(rig.err()).startsWith("voi-agent: usage: a command is required");

    assertThat(rig.cli("sync", "--server", "http://x")).isEqualTo(1);
    assertThat(rig.err().lines())
        .singleElement()
        .satisfies(l -> assertThat(l).startsWith("voi-agent: usage: Missing required options"));

    assertThat(rig.cli("frobnicate")).isEqualTo(1);
    assertThat(rig.cli("inspect")).isEqualTo(1);
  }

  @Test
  void badOptionValuesAreExitCode1() throws IOException {
    String[] badImage = rig.serverArgs("status");
    badImage[8] = "../etc";
    assertThat(rig.cli(badImage)).isEqualTo(1);
    assertThat(rig.err()).contains("voi-agent: error: --image: image name:");

    assertThat(rig.cli(rig.serverArgs("sync", "--boot-overlay", "/boot/evil.qcow2"))).isEqualTo(1);
    assertThat(rig.err()).contains("--boot-overlay: \"/boot/evil.qcow2\" is not a bare file name");

    assertThat(rig.cli(rig.serverArgs("sync", "--max-mbps", "-3"))).isEqualTo(1);

    Files.writeString(rig.tokenFile, "\n");
    assertThat(rig.cli(rig.serverArgs("status"))).isEqualTo(1);
    assertThat(rig.err()).contains("--token-file:").contains("is empty");
  }

  @Test
  void statusReportsAndPrintsTheStrategyWithoutChangingTheDirectory() {
    Lineage.Layer base = rig.lineage.publishBase(1, "write -P 0x11 0 64k");

    assertThat(rig.cli(rig.serverArgs("status"))).isZero();

    assertThat(rig.out())
        .contains("held: no layers of win10-lab held")
        .contains("server: FULL (NO_LOCAL_CHAIN, policy patent): keep 0 layers, download 1 layer")
        .contains("download depth 0 version 1 " + base.fileName());
    assertThat(rig.dir).isEmptyDirectory();
    assertThat(rig.server.reports).singleElement().satisfies(l -> assertThat(l).isEmpty());
  }

  @Test
  void syncThroughTheCommandLine() {
    Lineage.Layer base = rig.lineage.publishBase(1, "write -P 0x11 0 64k");
    rig.lineage.publishDiff(2, "write -P 0x22 64k 64k");

    assertThat(rig.cli(rig.serverArgs("sync", "--max-mbps", "100", "--boot-overlay", "boot.qcow2")))
        .isZero();

    assertThat(rig.out()).contains("applied FULL").contains("up to date after the update");
    assertThat(rig.manifest().checksums()).hasSize(2).startsWith(base.checksum());
    assertThat(rig.dir.resolve("boot.qcow2")).exists();

    assertThat(rig.cli(rig.serverArgs("status"))).isZero();
    assertThat(rig.out())
        .contains("held: 2 layers of win10-lab held (from the manifest)")
        .contains("server: STOP (UP_TO_DATE");
  }

  @Test
  void aWrongTokenIsExitCode3NamingThe401() throws IOException {
    rig.lineage.publishBase(1, "write -P 0x11 0 64k");
    Files.writeString(rig.tokenFile, "not-the-token");

    assertThat(rig.cli(rig.serverArgs("sync"))).isEqualTo(3);

    assertThat(rig.err().lines().filter(l -> l.startsWith("voi-agent: error")))
        .singleElement()
        .satisfies(
            l ->
                assertThat(l)
                    .isEqualTo(
                        "voi-agent: error: cannot report the chain: server answered 401:"
                            + " Unauthorized: no or a bad token (check --token-file)"));
  }

  @Test
  void anUnreachableServerIsExitCode3() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String[] args = rig.serverArgs("status");
    args[2] = "http://127.0.0.1:" + port;

    assertThat(rig.cli(args)).isEqualTo(3);

    assertThat(rig.err())
        .startsWith("voi-agent: error: cannot report the chain at http://127.0.0.1:" + port);
  }

  @Test
  void anotherTerminalsIdIsExitCode3() {
    rig.lineage.publishBase(1, "write -P 0x11 0 64k");
    String[] args = rig.serverArgs("status");
    args[4] = "t-2";

    assertThat(rig.cli(args)).isEqualTo(3);

    assertThat(rig.err()).contains("server answered 403").contains("is the image assigned");
  }

  @Test
  void verboseShowsDetails() {
    rig.lineage.publishBase(1, "write -P 0x11 0 64k");

    assertThat(rig.cli(rig.serverArgs("status", "--verbose"))).isZero();

    assertThat(rig.err()).contains("[verbose] PUT " + rig.server.uri());
  }

  @Test
  void theHelpNamesTheNumericIdAndEveryExitCode() {
    assertThat(rig.cli("sync", "--help")).isZero();
    assertThat(rig.out().replaceAll("\\s+", " "))
        .contains("--terminal=ID This terminal's numeric id on the server")
        .contains("--init")
        .contains("--verify")
        .contains("--leave-overlay");

    assertThat(rig.cli("--help")).isZero();
    assertThat(rig.out())
        .contains("verify")
        .containsPattern("(?m)^\\s+6\\s+the boot overlay recorded in DIR stays on an old chain")
        .containsPattern("(?m)^\\s+130\\s+interrupted by SIGINT or SIGTERM");
  }
}
