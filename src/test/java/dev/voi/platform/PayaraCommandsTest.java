package dev.voi.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The settings a Payara Server domain is given (domain-commands.asadmin, applied by the
 * administrator and by PayaraServerIT) are those Payara Micro boots with (boot-commands.asadmin),
 * on both of the domain's HTTP listeners: a setting added for Micro and forgotten for the domain
 * fails here.
 */
class PayaraCommandsTest {

  private static List<String> commands(String file) throws IOException {
    return Files.readAllLines(Path.of("src/main/payara", file)).stream()
        .map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .toList();
  }

  @Test
  void theDomainGetsEverySettingOfMicroOnBothListeners() throws IOException {
    List<String> micro = commands("boot-commands.asadmin");
    assertThat(micro).isNotEmpty().allMatch(line -> line.contains(".protocol.http-listener."));
    Stream<String> listeners =
        Stream.of("http-listener-1", "http-listener-2")
            .flatMap(
                listener ->
                    micro.stream()
                        .map(
                            line ->
                                line.replace(
                                    ".protocol.http-listener.", ".protocol." + listener + ".")));
    assertThat(commands("domain-commands.asadmin"))
        .containsExactlyElementsOf(
            Stream.concat(listeners, Stream.of("disable-phone-home")).toList());
  }
}
