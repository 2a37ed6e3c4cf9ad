package dev.voi.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class FileNamesTest {

  @Test
  void canonicalNameOfTheSpecExample() {
    assertThat(FileNames.canonical("win10-lab", 1, CheckInfoTest.C1))
        .isEqualTo("win10-lab-0001-3cd7d2fb.qcow2");
    assertThat(FileNames.canonical("win10-lab", 0, CheckInfoTest.C0))
        .isEqualTo("win10-lab-0000-64d1bc0c.qcow2");
  }

  @Test
  void depthsBeyondFourDigitsStayDistinct() {
    assertThat(FileNames.canonical("a", 12345, CheckInfoTest.C2))
        .isEqualTo("a-12345-2a967b9a.qcow2");
  }

  @Test
  void canonicalNamesAreSafe() {
    String longest = FileNames.canonical("a".repeat(128), 9999, CheckInfoTest.C2);

    assertThat(FileNames.isSafe(longest)).isTrue();
  }

  @Test
  void canonicalRefusesBadInput() {
    assertThatThrownBy(() -> FileNames.canonical("../x", 1, CheckInfoTest.C1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FileNames.canonical("x", -1, CheckInfoTest.C1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"win10-lab-0001-3cd7d2fb.qcow2", "a.qcow2", "A_b.c-d.qcow2"})
  void acceptsSafeBareNames(String name) {
    assertThat(FileNames.isSafe(name)).isTrue();
    assertThat(FileNames.requireSafe(name)).isEqualTo(name);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        ".qcow2",
        ".a.qcow2",
        "../a.qcow2",
        "dir/a.qcow2",
        "/a.qcow2",
        "a\\b.qcow2",
        "a.qcow",
        "a.QCOW2",
        "a.qcow2.part",
        "a b.qcow2",
        "a.qcow2\n"
      })
  void refusesAnythingElse(String name) {
    assertThat(FileNames.isSafe(name)).isFalse();
    assertThatThrownBy(() -> FileNames.requireSafe(name))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesNamesLongerThanAFileSystemAllows() {
    assertThat(FileNames.isSafe("a".repeat(249) + ".qcow2")).isTrue();
    assertThat(FileNames.isSafe("a".repeat(250) + ".qcow2")).isFalse();
  }
}
