package dev.voi.architecture.broken.agent;

/** Breaks "the terminal agent uses no Jakarta API". */
public class UsesJakarta {
  jakarta.json.JsonObject json;
}
