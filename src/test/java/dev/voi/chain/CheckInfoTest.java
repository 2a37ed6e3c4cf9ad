package dev.voi.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class CheckInfoTest {

  static final UUID SERVER = UUID.fromString("3f1c6a52-7d0e-4b8e-9a41-2c5d8e9f0a17");
  static final String IMAGE = "win10-lab";
  static final Checksum C0 =
      Checksum.ofHex("64d1bc0c7279ed45b6475ec6a19d81c9059388f5515eefe38d35889629050086");
  static final Checksum C1 =
      Checksum.ofHex("3cd7d2fb4416810bd3db8679b6a8247e6e786ae43f95009cef9313f9745bfd32");
  static final Checksum C2 =
      Checksum.ofHex("2a967b9a2893bf7f6dbf10aee56af53968509af352416c0ae7554114827d8c0a");

  @Test
  void contentDigestsOfTheVectorsAreSha256OfTheirNames() {
    assertThat(Checksum.sha256("base").hex())
        .isEqualTo("cae662172fd450bb0cd710a769079c05bfc5d8e35efa6576edc7d0377afdd4a2");
    assertThat(Checksum.sha256("diff1").hex())
        .isEqualTo("0697c0f434f8672811eb1b52d443d0d4cb616fa58e4d10b25e91471b7f45a665");
    assertThat(Checksum.sha256("diff2").hex())
        .isEqualTo("a9485d17c39b521f9de31b558df98f81dd72a9c7498f57f27b74356ea150fbd9");
  }

  @Test
  void baseVector() {
    CheckInfo info = CheckInfo.base(1, SERVER, IMAGE, Checksum.sha256("base"));

    assertThat(info.text())
        .isEqualTo(
            "VOI1|1|3f1c6a52-7d0e-4b8e-9a41-2c5d8e9f0a17|win10-lab||"
                + "cae662172fd450bb0cd710a769079c05bfc5d8e35efa6576edc7d0377afdd4a2");
    assertThat(info.checksum().hex())
        .isEqualTo("64d1bc0c7279ed45b6475ec6a19d81c9059388f5515eefe38d35889629050086");
    assertThat(info.isBase()).isTrue();
  }

  @Test
  void firstDiffVector() {
    CheckInfo info = new CheckInfo(2, SERVER, IMAGE, C0, Checksum.sha256("diff1"));

    assertThat(info.text())
        .isEqualTo(
            "VOI1|2|3f1c6a52-7d0e-4b8e-9a41-2c5d8e9f0a17|win10-lab|"
                + "64d1bc0c7279ed45b6475ec6a19d81c9059388f5515eefe38d35889629050086|"
                + "0697c0f434f8672811eb1b52d443d0d4cb616fa58e4d10b25e91471b7f45a665");
    assertThat(info.checksum().hex())
        .isEqualTo("3cd7d2fb4416810bd3db8679b6a8247e6e786ae43f95009cef9313f9745bfd32");
  }

  @Test
  void secondDiffVector() {
    CheckInfo info = new CheckInfo(3, SERVER, IMAGE, C1, Checksum.sha256("diff2"));

    assertThat(info.text())
        .isEqualTo(
            "VOI1|3|3f1c6a52-7d0e-4b8e-9a41-2c5d8e9f0a17|win10-lab|"
                + "3cd7d2fb4416810bd3db8679b6a8247e6e786ae43f95009cef9313f9745bfd32|"
                + "a9485d17c39b521f9de31b558df98f81dd72a9c7498f57f27b74356ea150fbd9");
    assertThat(info.checksum()).isEqualTo(C2);
  }

  @Test
  void checksumIsSha256OfTheUtf8Text() {
    CheckInfo info = new CheckInfo(7, SERVER, IMAGE, C2, Checksum.sha256("x"));

    assertThat(info.checksum()).isEqualTo(Checksum.sha256(info.bytes()));
  }

  @Test
  void uuidIsWrittenLowercaseWhateverItWasParsedFrom() {
    UUID upper = UUID.fromString("3F1C6A52-7D0E-4B8E-9A41-2C5D8E9F0A17");

    CheckInfo info = CheckInfo.base(1, upper, IMAGE, Checksum.sha256("base"));

    assertThat(info.text()).contains("|3f1c6a52-7d0e-4b8e-9a41-2c5d8e9f0a17|");
    assertThat(info.checksum()).isEqualTo(C0);
  }

  @Test
  void versionIsDecimalWithoutLeadingZeros() {
    assertThat(CheckInfo.base(0, SERVER, IMAGE, C0).text()).startsWith("VOI1|0|");
    assertThat(CheckInfo.base(Long.MAX_VALUE, SERVER, IMAGE, C0).text())
        .startsWith("VOI1|9223372036854775807|");
  }

  @Test
  void everyInputChangesTheChecksum() {
    Checksum reference = new CheckInfo(2, SERVER, IMAGE, C0, C1).checksum();

    assertThat(new CheckInfo(3, SERVER, IMAGE, C0, C1).checksum()).isNotEqualTo(reference);
    assertThat(new CheckInfo(2, UUID.randomUUID(), IMAGE, C0, C1).checksum())
        .isNotEqualTo(reference);
    assertThat(new CheckInfo(2, SERVER, "win11-lab", C0, C1).checksum()).isNotEqualTo(reference);
    assertThat(new CheckInfo(2, SERVER, IMAGE, C2, C1).checksum()).isNotEqualTo(reference);
    assertThat(new CheckInfo(2, SERVER, IMAGE, null, C1).checksum()).isNotEqualTo(reference);
    assertThat(new CheckInfo(2, SERVER, IMAGE, C0, C2).checksum()).isNotEqualTo(reference);
  }

  @Test
  void refusesBadInput() {
    assertThatThrownBy(() -> CheckInfo.base(-1, SERVER, IMAGE, C0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version");
    assertThatThrownBy(() -> CheckInfo.base(1, SERVER, ".hidden", C0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("image name:");
    assertThatThrownBy(() -> CheckInfo.base(1, SERVER, "a|b", C0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("image name:");
    assertThatThrownBy(() -> CheckInfo.base(1, null, IMAGE, C0))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> CheckInfo.base(1, SERVER, IMAGE, null))
        .isInstanceOf(NullPointerException.class);
  }
}
