package dev.voi.agent;

import java.io.PrintStream;
import java.util.Objects;

/**
 * Where the agent talks: results on {@code out}; progress, warnings, details and the one error line
 * on {@code err}. Details only with {@code --verbose}.
 */
final class Console {

  private final PrintStream out;
  private final PrintStream err;
  private final boolean verbose;
  private final boolean terminal;

  /**
   * @param terminal whether {@code err} is an interactive terminal (progress bar instead of lines)
   */
  Console(PrintStream out, PrintStream err, boolean verbose, boolean terminal) {
    this.out = Objects.requireNonNull(out, "out");
    this.err = Objects.requireNonNull(err, "err");
    this.verbose = verbose;
    this.terminal = terminal;
  }

  PrintStream out() {
    return out;
  }

  PrintStream err() {
    return err;
  }

  boolean isVerbose() {
    return verbose;
  }

  boolean isTerminal() {
    return terminal;
  }

  /** A result line on stdout. */
  void result(String line) {
    out.println(line);
    out.flush();
  }

  /** A progress or status line on stderr. */
  void info(String line) {
    err.println("voi-agent: " + line);
    err.flush();
  }

  void warn(String line) {
    err.println("voi-agent: warning: " + line);
    err.flush();
  }

  /** A detail, shown with {@code --verbose} only. */
  void detail(String line) {
    if (verbose) {
      err.println("voi-agent: [verbose] " + line);
      err.flush();
    }
  }

  /** The stack trace of a failure, with {@code --verbose} only. */
  void detail(Throwable failure) {
    if (verbose && failure != null) {
      failure.printStackTrace(err);
      err.flush();
    }
  }
}
