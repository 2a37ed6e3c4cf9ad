package dev.voi.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TerminalIdTest {

  @Test
  void parsesAPositiveNumberAndPrintsIt() {
    assertThat(TerminalId.parse("42")).isEqualTo(new TerminalId(42));
    assertThat(TerminalId.parse("42")).hasToString("42");
  }

  @Test
  void refusesWhatIsNoPositiveNumber() {
    for (String text : new String[] {"0", "-3", "abc", "", "9223372036854775808", "4 2"}) {
      assertThatThrownBy(() -> TerminalId.parse(text))
          .as(text)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("a terminal id is a positive number, got ");
    }
    assertThatThrownBy(() -> TerminalId.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
