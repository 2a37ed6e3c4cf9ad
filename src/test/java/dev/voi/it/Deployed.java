package dev.voi.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.MalformedURLException;
import java.net.URL;

/** The URL of the deployed WAR, whatever the Payara Micro connector made of its start-up log. */
final class Deployed {

  /** The context path the WAR gets from its file name, {@code target/voi-update.war}. */
  static final String CONTEXT = "/voi-update/";

  private Deployed() {}

  /**
   * {@code injected} with the WAR's context path. The connector reads the server's log every half
   * second and stops as soon as the instance's host and port are in it; when the list of deployed
   * applications was not written yet, it knows no servlet and hands out the bare {@code
   * http://host:port} (seen once in a few hundred deployments here). The port is right, and the
   * context path is this WAR's.
   */
  static URL application(URL injected) {
    assertThat(injected).as("the deployment's URL").isNotNull();
    String path = injected.getPath();
    if (!path.isEmpty() && !path.equals("/")) {
      return injected;
    }
    try {
      return new URL(injected, CONTEXT);
    } catch (MalformedURLException e) {
      throw new IllegalStateException(e);
    }
  }
}
