package dev.voi.cli;

/** The exit codes of {@code voi}, those of the terminal agent where they mean the same. */
enum Exit {
  OK(0),
  USAGE(1),
  SERVER(3),
  VERIFICATION(4),
  LOCAL_IO(5),
  INTERNAL(70);

  private final int code;

  Exit(int code) {
    this.code = code;
  }

  int code() {
    return code;
  }
}
