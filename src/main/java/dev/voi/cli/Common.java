package dev.voi.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options every command takes: where the server is, the admin token, {@code --json} and {@code
 * --verbose}. The server comes from {@code --server}, else {@code VOI_SERVER}, else {@code
 * http://localhost:8080}; the token from {@code --token-file}, else {@code VOI_TOKEN}, else the
 * file {@code VOI_TOKEN_FILE} names.
 */
final class Common {

  static final String DEFAULT_SERVER = "http://localhost:8080";

  @Option(
      names = "--server",
      paramLabel = "URL",
      description = "The VOI server (default: $VOI_SERVER, else " + DEFAULT_SERVER + ")")
  String server;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "File holding the admin token, first line (default: $VOI_TOKEN, else the file"
              + " $VOI_TOKEN_FILE)")
  Path tokenFile;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit")
  boolean help;

  @Option(names = "--json", description = "Print the result as JSON on stdout")
  boolean json;

  @Option(names = "--verbose", description = "Print requests and stack traces on stderr")
  boolean verbose;

  /** The server URL: an http(s) URL without query or fragment. */
  URI serverUri(Map<String, String> env) {
    String text = server != null ? server : env.getOrDefault("VOI_SERVER", "");
    String source = server != null ? "--server" : "VOI_SERVER";
    if (text.isBlank()) {
      text = DEFAULT_SERVER;
    }
    URI uri;
    try {
      uri = new URI(text.strip());
    } catch (URISyntaxException e) {
      throw CliException.usage(source + ": not a URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https"))
        || uri.getHost() == null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw CliException.usage(
          source + ": expected an http or https URL like http://voi-server:8080, got " + text);
    }
    return uri;
  }

  /** The admin token. */
  String token(Map<String, String> env) {
    if (tokenFile != null) {
      return fromFile(tokenFile, "--token-file");
    }
    String token = env.get("VOI_TOKEN");
    if (token != null && !token.isBlank()) {
      return checked(token.strip(), "VOI_TOKEN");
    }
    String file = env.get("VOI_TOKEN_FILE");
    if (file != null && !file.isBlank()) {
      return fromFile(Path.of(file), "VOI_TOKEN_FILE");
    }
    throw CliException.usage(
        "no admin token: give --token-file FILE, or set VOI_TOKEN or VOI_TOKEN_FILE");
  }

  private static String fromFile(Path file, String source) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw CliException.usage(source + ": " + file + " does not exist");
    } catch (IOException e) {
      throw CliException.localIo(source + ": cannot read " + file + ": " + e.getMessage(), e);
    }
    String token = text.lines().findFirst().orElse("").strip();
    if (token.isEmpty()) {
      throw CliException.usage(source + ": " + file + " is empty");
    }
    return checked(token, source);
  }

  private static String checked(String token, String source) {
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        throw CliException.usage(source + ": the token contains a space or control character");
      }
    }
    return token;
  }
}
