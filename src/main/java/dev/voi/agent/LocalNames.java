package dev.voi.agent;

import dev.voi.chain.FileNames;
import java.util.regex.Pattern;

/**
 * The one rule for every file name the agent accepts from the server (a download's {@code
 * fileName}) or from a qcow2 backing field, or writes into its manifest: a bare name matching
 * {@code ^[A-Za-z0-9._-]+\.qcow2$}, not starting with a dot, at most 255 characters. An absolute
 * name, a directory part or a {@code json:} pseudo-protocol would make qemu open arbitrary targets;
 * none of them can match.
 */
final class LocalNames {

  static final Pattern SAFE = Pattern.compile("^[A-Za-z0-9._-]+\\.qcow2$");

  private LocalNames() {}

  static boolean isSafe(String name) {
    return name != null && SAFE.matcher(name).matches() && FileNames.isSafe(name);
  }

  /** A printable form of an untrusted name for error messages (control characters escaped). */
  static String quote(String name) {
    if (name == null) {
      return "nothing";
    }
    StringBuilder quoted = new StringBuilder("\"");
    name.codePoints()
        .limit(300)
        .forEach(
            c -> {
              if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                quoted.append(String.format("\\u%04x", c));
              } else {
                quoted.appendCodePoint(c);
              }
            });
    return quoted.append(name.length() > 300 ? "…\"" : "\"").toString();
  }
}
