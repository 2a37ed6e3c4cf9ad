package dev.voi.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/hostile-inputs.md counts the catalogue the ITs run: the table cannot drift from it. */
class HostileInputsTableTest {

  private static final Pattern ROW =
      Pattern.compile("^\\| ([^|]+?) \\| (\\d+) \\|", Pattern.MULTILINE);

  @Test
  void theTableCountsTheCatalogue() throws Exception {
    HostileInputs catalogue =
        new HostileInputs(
            "/api/v1",
            "Bearer admin",
            new HostileInputs.Fixture(
                "lab", "a".repeat(64), "lab-0000.qcow2", 1, "voit_x", 2, new byte[4096]));
    String table = Files.readString(Path.of("docs/hostile-inputs.md"));
    Map<String, Integer> documented = new LinkedHashMap<>();
    int start = table.indexOf("| kind | cases |");
    assertThat(start).as("the summary table").isNotNegative();
    int end = table.indexOf("\n\n", start);
    Matcher row = ROW.matcher(table.substring(start, end < 0 ? table.length() : end));
    while (row.find()) {
      documented.put(row.group(1).trim(), Integer.parseInt(row.group(2)));
    }
    Map<String, Integer> counts = new LinkedHashMap<>(catalogue.counts());
    counts.put("all", catalogue.cases().size());
    assertThat(documented).isEqualTo(counts);
    for (HostileInputs.Case c : catalogue.cases()) {
      assertThat(table).as("the table names every case").contains(c.what());
    }
  }
}
