package dev.voi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code voi register NAME}: a new terminal and its token (shown once). */
@Command(
    name = "register",
    description = {
      "Register a terminal: prints its id and its token. The server keeps only a hash of the"
          + " token, so it is shown this once (or written to --save-token FILE)."
    })
final class RegisterCommand extends Base {

  @Parameters(index = "0", paramLabel = "NAME", description = "The terminal's name")
  String name;

  @Option(names = "--group", paramLabel = "G", description = "Its group (default: default)")
  String group;

  @Option(
      names = "--save-token",
      paramLabel = "FILE",
      description =
          "Write the token to FILE (a new file, readable by its owner only: the agent's"
              + " --token-file) instead of printing it")
  Path saveToken;

  @Override
  Exit execute() {
    if (saveToken != null && Files.exists(saveToken)) {
      throw CliException.usage("--save-token: " + saveToken + " exists; not overwritten");
    }
    ObjectNode body = Json.object();
    body.put("name", name);
    if (group != null) {
      body.put("group", group);
    }
    JsonNode terminal =
        api().post(api().uri("terminals"), body, "register terminal " + name, 201).body();
    String token = Json.text(terminal, "token", null);
    if (token == null) {
      throw CliException.server("the server's answer carries no token");
    }
    ObjectNode shown = terminal.deepCopy();
    if (saveToken != null) {
      save(token);
      shown.remove("token");
      shown.put("tokenFile", saveToken.toString());
    }
    print(
        shown,
        () -> {
          console()
              .result(
                  "registered terminal "
                      + terminal.path("id").asLong()
                      + " "
                      + Json.text(terminal, "name", name)
                      + " (group "
                      + Json.text(terminal, "group", "default")
                      + ")");
          console()
              .result(
                  saveToken != null
                      ? "token written to " + saveToken
                      : "token (shown once): " + token);
        });
    return Exit.OK;
  }

  private void save(String token) {
    try {
      Files.createFile(
          saveToken,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(
          saveToken, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (FileAlreadyExistsException e) {
      throw CliException.localIo(
          "--save-token: "
              + saveToken
              + " appeared meanwhile; the token of the new terminal is lost: rotate it",
          e);
    } catch (IOException | UnsupportedOperationException e) {
      throw CliException.localIo(
          "--save-token: cannot write "
              + saveToken
              + ": "
              + e.getMessage()
              + "; the token of the new terminal is lost: rotate it",
          e);
    }
  }
}
