package dev.voi.architecture.broken.cli;

/** Breaks "the command line uses no Jakarta API and only chain and qcow2 of the server". */
public class UsesJakarta {
  jakarta.json.JsonObject json;
}
