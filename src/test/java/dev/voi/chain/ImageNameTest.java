package dev.voi.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageNameTest {

  @ParameterizedTest
  @ValueSource(strings = {"win10-lab", "a", "A.b_c-9", "x.", "0", "_x", "-x"})
  void acceptsNamesOfTheAllowedCharacters(String name) {
    assertThat(ImageName.isValid(name)).isTrue();
    assertThat(ImageName.of(name).value()).isEqualTo(name);
    assertThat(ImageName.of(name)).hasToString(name);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {".hidden", "..", "a/b", "a b", "a|b", "ä", "a\\b", "a:b", "a\n"})
  void refusesOtherNames(String name) {
    assertThat(ImageName.isValid(name)).isFalse();
    assertThatThrownBy(() -> ImageName.of(name))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("image name:");
  }

  @Test
  void allowsAtMost128Characters() {
    assertThat(ImageName.isValid("a".repeat(128))).isTrue();
    assertThatThrownBy(() -> ImageName.requireValid("a".repeat(129)))
        .hasMessage("image name: must be 1 to 128 characters, got 129");
  }

  @Test
  void namesTheFirstBadCharacter() {
    assertThatThrownBy(() -> ImageName.requireValid("ab/c"))
        .hasMessage("image name: character at index 2 is not one of A-Z a-z 0-9 . _ -");
    assertThatThrownBy(() -> ImageName.requireValid(".a"))
        .hasMessage("image name: must not start with '.'");
  }
}
