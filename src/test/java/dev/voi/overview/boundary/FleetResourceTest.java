package dev.voi.overview.boundary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.voi.platform.Refused;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class FleetResourceTest {

  @Test
  void terminalIdsAreCommaSeparatedPositiveNumbersWithoutRepeats() {
    assertThat(FleetResource.ids("3,1,3,2")).containsExactly(3L, 1L, 2L);
  }

  @Test
  void anythingElseIsABadRequest() {
    for (String bad : new String[] {"", "1,,2", "1,x", "0", "-4", "1,", "99999999999999999999"}) {
      assertThatThrownBy(() -> FleetResource.ids(bad)).as(bad).isInstanceOf(Refused.class);
    }
    assertThatThrownBy(() -> FleetResource.ids(null)).isInstanceOf(Refused.class);
    String tooMany = String.join(",", Collections.nCopies(FleetResource.MAX_TERMINALS + 1, "7"));
    assertThatThrownBy(() -> FleetResource.ids(tooMany))
        .isInstanceOf(Refused.class)
        .hasMessageContaining("at most 200");
  }
}
