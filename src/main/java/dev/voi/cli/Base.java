package dev.voi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.voi.chain.ImageName;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** What every command shares: the parent's console and environment, the common options. */
abstract class Base implements Callable<Integer> {

  @ParentCommand Voi voi;

  @Mixin Common common;

  private Api api;

  Console console() {
    return voi.console();
  }

  Api api() {
    if (api == null) {
      api = new Api(common.serverUri(voi.env()), common.token(voi.env()), console());
    }
    return api;
  }

  boolean json() {
    return common.json;
  }

  /** Prints the JSON document with {@code --json}, else runs the human output. */
  void print(JsonNode document, Runnable human) {
    if (common.json) {
      console().result(Json.write(document));
    } else {
      human.run();
    }
  }

  @Override
  public final Integer call() {
    console().verbose(common.verbose);
    return execute().code();
  }

  abstract Exit execute();

  static String image(String name, String what) {
    if (!ImageName.isValid(name)) {
      try {
        ImageName.requireValid(name);
      } catch (IllegalArgumentException e) {
        throw CliException.usage(what + ": " + e.getMessage());
      }
    }
    return name;
  }

  static String shortHash(String hex) {
    return hex == null ? "-" : hex.length() > 12 ? hex.substring(0, 12) : hex;
  }
}
