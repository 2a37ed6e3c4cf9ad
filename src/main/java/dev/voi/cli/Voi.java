package dev.voi.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.LongSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code voi}: the administrator's command line (docs/voi.md). Publishes images and diffs (with the
 * parent checked locally through the backing file's stamp), and shows and changes images,
 * terminals, audits and rollouts through the server's HTTP API.
 */
@Command(
    name = "voi",
    mixinStandardHelpOptions = true,
    versionProvider = Voi.Version.class,
    description =
        "The VOI administrator's command line: publish images, manage terminals and rollouts.",
    subcommands = {
      PublishCommand.class,
      ImagesCommand.class,
      LineageCommand.class,
      TerminalsCommand.class,
      RegisterCommand.class,
      AssignCommand.class,
      AuditCommand.class,
      RolloutCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeOnInvalidInput = 1,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:usage: a bad option or argument, no token",
      "3:the server refused or could not be reached (its problem title and detail are shown)",
      "4:verification: FILE is not built on the tip (nothing was sent), the file is not a"
          + " qcow2 file voi can publish, or an awaited audit found problems",
      "5:local I/O: FILE or its backing file cannot be read",
      "70:internal error (a bug: please report it with --verbose output)"
    })
public final class Voi implements Runnable {

  private final Console console;
  private final Map<String, String> env;
  private final LongSupplier nanoTime;

  Voi(Console console, Map<String, String> env, LongSupplier nanoTime) {
    this.console = Objects.requireNonNull(console, "console");
    this.env = Map.copyOf(env);
    this.nanoTime = nanoTime;
  }

  Console console() {
    return console;
  }

  Map<String, String> env() {
    return env;
  }

  LongSupplier nanoTime() {
    return nanoTime;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        new CommandLine(this),
        "a command is required: publish, images, lineage, terminals, register, assign, audit or"
            + " rollout");
  }

  public static void main(String[] args) {
    System.exit(
        run(
            args,
            System.out,
            System.err,
            System.console() != null,
            System.getenv(),
            System::nanoTime));
  }

  /** Runs {@code voi} with the given streams and environment; returns the exit code. */
  static int run(
      String[] args,
      PrintStream out,
      PrintStream err,
      boolean terminal,
      Map<String, String> env,
      LongSupplier nanoTime) {
    Voi voi = new Voi(new Console(out, err, terminal), env, nanoTime);
    CommandLine commandLine = new CommandLine(voi);
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    commandLine.setParameterExceptionHandler(
        (e, arguments) -> {
          err.println(
              "voi: usage: "
                  + e.getMessage()
                  + " (see: voi "
                  + subcommandName(e.getCommandLine())
                  + "--help)");
          err.flush();
          return Exit.USAGE.code();
        });
    commandLine.setExecutionExceptionHandler(
        (e, cl, parseResult) -> {
          if (e instanceof CliException failure) {
            err.println("voi: error: " + e.getMessage());
            if (voi.console.isVerbose()) {
              (e.getCause() == null ? e : e.getCause()).printStackTrace(err);
            }
            err.flush();
            return failure.exit().code();
          }
          err.println("voi: internal error: " + e);
          if (voi.console.isVerbose()) {
            e.printStackTrace(err);
          }
          err.flush();
          return Exit.INTERNAL.code();
        });
    return commandLine.execute(args);
  }

  private static String subcommandName(CommandLine commandLine) {
    String name = commandLine.getCommandName();
    return "voi".equals(name) ? "" : name + " ";
  }

  /** The version from the build. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties properties = new Properties();
      try (InputStream in = Voi.class.getResourceAsStream("/voi-build.properties")) {
        if (in != null) {
          properties.load(in);
        }
      }
      return new String[] {"voi " + properties.getProperty("version", "(unknown version)")};
    }
  }
}
