package dev.voi.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class TextTest {

  @Test
  void lengthCountsCharactersNotUtf16Units() {
    String rockets = "\uD83D\uDE80".repeat(1000);
    assertThat(Text.requireFreeText("note", rockets, 1000)).isEqualTo(rockets);
    assertThatThrownBy(() -> Text.requireFreeText("note", rockets + "x", 1000))
        .isInstanceOf(Refused.class)
        .hasMessage("note is limited to 1000 characters, got 1001");
  }

  @Test
  void controlCharactersAndLoneSurrogatesAreRefusedButTabsAndLineBreaksAreText() {
    assertThat(Text.requireFreeText("detail", "a\tb\r\nc", 100)).isEqualTo("a\tb\r\nc");
    assertThat(Text.requireFreeText("detail", null, 100)).isNull();
    assertThatThrownBy(() -> Text.requireFreeText("detail", "a\u0000b", 100))
        .isInstanceOf(Refused.class)
        .hasMessage("detail holds the control character U+0000 at index 1")
        .extracting(e -> ((Refused) e).type())
        .isEqualTo(ProblemType.BAD_REQUEST);
    assertThatThrownBy(() -> Text.requireFreeText("detail", "\u001b[31m", 100))
        .hasMessageContaining("U+001B");
    assertThatThrownBy(() -> Text.requireFreeText("detail", "x\uD83D", 100))
        .hasMessage("detail holds a lone surrogate at index 1");
    assertThatThrownBy(() -> Text.requireFreeText("detail", "\uDE80x", 100))
        .hasMessage("detail holds a lone surrogate at index 0");
  }

  @Test
  void onlyAUniqueConstraintIsARace() {
    SQLException unique = new SQLException("duplicate key", "23505");
    SQLException badText = new SQLException("invalid byte sequence", "22021");
    assertThat(Text.isUniqueViolation(new RuntimeException(new RuntimeException(unique)))).isTrue();
    assertThat(Text.isUniqueViolation(new RuntimeException(badText))).isFalse();
    assertThat(Text.isUniqueViolation(null)).isFalse();
  }
}
