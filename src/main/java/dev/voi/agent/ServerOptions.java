package dev.voi.agent;

import dev.voi.chain.ImageName;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options {@code status} and {@code sync} share. */
final class ServerOptions {

  @Option(
      names = "--server",
      required = true,
      paramLabel = "URL",
      description = "The VOI server, e.g. http://voi-server:8080")
  String server;

  @Option(
      names = "--terminal",
      required = true,
      paramLabel = "ID",
      description =
          "This terminal's numeric id on the server (as `voi register` or POST /terminals gave"
              + " it, e.g. 17), not its name")
  String terminal;

  @Option(
      names = "--token-file",
      required = true,
      paramLabel = "FILE",
      description = "File holding this terminal's bearer token (only its first line is read)")
  Path tokenFile;

  @Option(
      names = "--image",
      required = true,
      paramLabel = "NAME",
      description = "The image to keep up to date")
  String image;

  @Option(
      names = "--dir",
      required = true,
      paramLabel = "DIR",
      description = "The directory holding this image's layer files and manifest")
  Path dir;

  @Option(names = "--verbose", description = "Print details: requests, decisions, stack traces")
  boolean verbose;

  String image() {
    return requireValidImage(image);
  }

  static String requireValidImage(String image) {
    if (!ImageName.isValid(image)) {
      try {
        ImageName.requireValid(image);
      } catch (IllegalArgumentException e) {
        throw AgentException.usage("--image: " + e.getMessage());
      }
    }
    return image;
  }

  URI serverUri() {
    return ServerClient.parseServer(server);
  }

  /** The token: the first line of the token file, trimmed. */
  String token() {
    String text;
    try {
      text = Files.readString(tokenFile, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw AgentException.usage("--token-file: " + tokenFile + " does not exist");
    } catch (IOException e) {
      throw AgentException.localIo(
          "--token-file: cannot read " + tokenFile + ": " + e.getMessage(), e);
    }
    String token = text.lines().findFirst().orElse("").strip();
    if (token.isEmpty()) {
      throw AgentException.usage("--token-file: " + tokenFile + " is empty");
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        throw AgentException.usage(
            "--token-file: the token in " + tokenFile + " contains a space or control character");
      }
    }
    return token;
  }

  ServerClient client(Console console) {
    return new ServerClient(serverUri(), terminal, image(), token(), console);
  }
}
