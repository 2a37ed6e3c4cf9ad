package dev.voi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LocalNamesTest {

  @Test
  void acceptsBareQcow2Names() {
    assertThat(LocalNames.isSafe("win10-lab-0001-3cd7d2fb.qcow2")).isTrue();
    assertThat(LocalNames.isSafe("boot_overlay.v2.qcow2")).isTrue();
    assertThat(LocalNames.isSafe("a".repeat(249) + ".qcow2")).isTrue();
  }

  @Test
  void refusesEverythingThatCouldPointElsewhere() {
    for (String bad :
        new String[] {
          null,
          "",
          ".qcow2",
          ".hidden.qcow2",
          "..qcow2",
          "/etc/passwd.qcow2",
          "../x.qcow2",
          "dir/x.qcow2",
          "json:{\"file.filename\":\"/dev/sda\"}.qcow2",
          "nbd://host/x.qcow2",
          "x.qcow2\n",
          "x.qcow2 ",
          "x y.qcow2",
          "x.QCOW2",
          "x.raw",
          "x.qcow2/",
          "a".repeat(250) + ".qcow2"
        }) {
      assertThat(LocalNames.isSafe(bad)).as(String.valueOf(bad)).isFalse();
    }
  }

  @Test
  void quotesUntrustedNamesForMessages() {
    assertThat(LocalNames.quote("a\nb")).isEqualTo("\"a\\u000ab\"");
    assertThat(LocalNames.quote(null)).isEqualTo("nothing");
  }
}
