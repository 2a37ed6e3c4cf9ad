package dev.voi.agent;

/** Placeholder. */
public final class VoiAgent {
  private VoiAgent() {}

  public static void main(String[] args) {
    System.exit(0);
  }
}
