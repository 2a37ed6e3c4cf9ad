package dev.voi.terminals.entity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TerminalTest {

  @Test
  void acceptsOrdinaryNames() {
    assertThat(Terminal.requireValidName("lab-3-pc-17")).isEqualTo("lab-3-pc-17");
    assertThat(Terminal.requireValidName("Lab 3 / PC 17")).isEqualTo("Lab 3 / PC 17");
    assertThat(Terminal.requireValidName("x".repeat(128))).hasSize(128);
  }

  @Test
  void refusesWhatAnOperatorCouldNotReadBack() {
    assertThatThrownBy(() -> Terminal.requireValidName(null)).hasMessageStartingWith("name:");
    assertThatThrownBy(() -> Terminal.requireValidName(" ")).hasMessageStartingWith("name:");
    assertThatThrownBy(() -> Terminal.requireValidName("x".repeat(129)))
        .hasMessageStartingWith("name: at most 128");
    assertThatThrownBy(() -> Terminal.requireValidName("a\nb"))
        .hasMessageStartingWith("name: control");
    assertThatThrownBy(() -> Terminal.requireValidName(" pc"))
        .hasMessageStartingWith("name: no leading");
  }
}
