package dev.voi.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code voi-agent}: the terminal side of the VOI update protocol. It reads the checksum list of
 * the image layers a terminal holds, reports it to the server, and downloads, verifies and applies
 * what the server's answer says.
 */
@Command(
    name = "voi-agent",
    mixinStandardHelpOptions = true,
    versionProvider = VoiAgent.Version.class,
    description =
        "Keeps the qcow2 layers of a VOI image on this terminal up to date with the VOI server, by"
            + " the checksum chain (STOP / INCREMENTAL / FULL / WAIT).",
    subcommands = {
      InspectCommand.class,
      StatusCommand.class,
      SyncCommand.class,
      VerifyCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeOnInvalidInput = 1,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success; status and sync also when the server answers STOP or WAIT",
      "1:usage: a bad option or token file; a DIR that is missing, not recognised (no manifest)"
          + " or of another image",
      "2:a malformed qcow2 file (inspect) or a malformed manifest",
      "3:server or HTTP error, or an answer that is not valid",
      "4:verification failed: a download in every round, or a held layer (verify)",
      "5:local I/O: disk, qemu-img, another voi-agent in DIR, a boot overlay held by QEMU",
      "6:the boot overlay recorded in DIR stays on an old chain (see --leave-overlay)",
      "130:interrupted by SIGINT or SIGTERM (the server is told when it answers within 2 s)",
      "70:internal error (a bug: please report it with --verbose output)"
    })
public final class VoiAgent implements Runnable {

  /** The exit code of an unexpected failure (sysexits' EX_SOFTWARE). */
  public static final int INTERNAL_ERROR = 70;

  private final Console console;

  VoiAgent(Console console) {
    this.console = console;
  }

  Console console() {
    return console;
  }

  /** A console for a subcommand, with its {@code --verbose}. */
  Console console(boolean verbose) {
    return new Console(console.out(), console.err(), verbose, console.isTerminal());
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        new CommandLine(this), "a command is required: inspect, status, sync or verify");
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, System.console() != null));
  }

  /** Runs the agent with the given streams; returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err, boolean terminal) {
    VoiAgent agent = new VoiAgent(new Console(out, err, false, terminal));
    CommandLine commandLine = new CommandLine(agent);
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    commandLine.setParameterExceptionHandler(
        (e, arguments) -> {
          err.println(
              "voi-agent: usage: "
                  + e.getMessage()
                  + " (see: voi-agent "
                  + subcommandName(e.getCommandLine())
                  + "--help)");
          err.flush();
          return Failure.USAGE.exitCode();
        });
    commandLine.setExecutionExceptionHandler(
        (e, cl, parseResult) -> {
          boolean verbose =
              parseResult.subcommand() != null
                  && parseResult.subcommand().hasMatchedOption("--verbose");
          if (e instanceof AgentException agentException) {
            err.println("voi-agent: error: " + e.getMessage());
            if (verbose) {
              Throwable cause = e.getCause() == null ? e : e.getCause();
              cause.printStackTrace(err);
            }
            err.flush();
            return agentException.exitCode();
          }
          err.println("voi-agent: internal error: " + e);
          if (verbose) {
            e.printStackTrace(err);
          }
          err.flush();
          return INTERNAL_ERROR;
        });
    return commandLine.execute(args);
  }

  private static String subcommandName(CommandLine commandLine) {
    String name = commandLine.getCommandName();
    return "voi-agent".equals(name) ? "" : name + " ";
  }

  /** The version from the build. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties properties = new Properties();
      try (InputStream in = VoiAgent.class.getResourceAsStream("/voi-build.properties")) {
        if (in != null) {
          properties.load(in);
        }
      }
      return new String[] {"voi-agent " + properties.getProperty("version", "(unknown version)")};
    }
  }
}
