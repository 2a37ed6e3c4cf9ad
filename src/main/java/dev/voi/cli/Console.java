package dev.voi.cli;

import java.io.PrintStream;
import java.util.Objects;

/**
 * Where {@code voi} talks: results (tables, or JSON with {@code --json}) on {@code out}; progress,
 * details and the one error line on {@code err}, so that {@code --json} output can be piped.
 */
final class Console {

  private final PrintStream out;
  private final PrintStream err;
  private final boolean terminal;
  private boolean verbose;

  /**
   * @param terminal whether {@code err} is an interactive terminal (a progress bar, not lines)
   */
  Console(PrintStream out, PrintStream err, boolean terminal) {
    this.out = Objects.requireNonNull(out, "out");
    this.err = Objects.requireNonNull(err, "err");
    this.terminal = terminal;
  }

  PrintStream out() {
    return out;
  }

  PrintStream err() {
    return err;
  }

  boolean isTerminal() {
    return terminal;
  }

  void verbose(boolean on) {
    this.verbose = on;
  }

  void result(String line) {
    out.println(line);
    out.flush();
  }

  void info(String line) {
    err.println("voi: " + line);
    err.flush();
  }

  void detail(String line) {
    if (verbose) {
      err.println("voi: [verbose] " + line);
      err.flush();
    }
  }

  boolean isVerbose() {
    return verbose;
  }
}
