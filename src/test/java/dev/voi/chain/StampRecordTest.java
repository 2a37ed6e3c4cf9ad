package dev.voi.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StampRecordTest {

  /** docs/design.md §3: the record for c1 (version 2, depth 1), in field order. */
  static final String VECTOR =
      "564f4943484b3031"
          + "3cd7d2fb4416810bd3db8679b6a8247e6e786ae43f95009cef9313f9745bfd32"
          + "0000000000000002"
          + "00000001"
          + "0000000000000000"
          + "78070468";

  static final StampRecord C1_RECORD = new StampRecord(CheckInfoTest.C1, 2, 1);

  @Test
  void encodesTheSpecVector() {
    byte[] encoded = C1_RECORD.encode();

    assertThat(encoded).hasSize(64);
    assertThat(HexFormat.of().formatHex(encoded)).isEqualTo(VECTOR);
  }

  @Test
  void decodesTheSpecVector() {
    byte[] vector = HexFormat.of().parseHex(VECTOR);

    assertThat(StampRecord.looksLikeRecord(vector)).isTrue();
    assertThat(StampRecord.decode(vector)).isEqualTo(C1_RECORD);
  }

  @Test
  void roundTrips() {
    StampRecord record = new StampRecord(Checksum.sha256("any"), Long.MAX_VALUE, Integer.MAX_VALUE);

    assertThat(StampRecord.decode(record.encode())).isEqualTo(record);
  }

  @ParameterizedTest
  @ValueSource(ints = {8, 39, 40, 47, 48, 51, 60, 63})
  void aFlippedBitOutsideTheMagicFailsTheCrc(int byteIndex) {
    byte[] bytes = C1_RECORD.encode();
    bytes[byteIndex] ^= 0x10;

    assertThat(StampRecord.looksLikeRecord(bytes)).isFalse();
    assertThatThrownBy(() -> StampRecord.decode(bytes))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("stamp record: CRC-32 mismatch");
  }

  @Test
  void refusesABadMagic() {
    byte[] bytes = C1_RECORD.encode();
    bytes[7] = '2';
    fixCrc(bytes);

    assertThat(StampRecord.looksLikeRecord(bytes)).isFalse();
    assertThatThrownBy(() -> StampRecord.decode(bytes)).hasMessage("stamp record: bad magic");
  }

  @Test
  void refusesNonzeroReservedBytesEvenWithAValidCrc() {
    byte[] bytes = C1_RECORD.encode();
    bytes[55] = 1;
    fixCrc(bytes);

    assertThat(StampRecord.looksLikeRecord(bytes)).isTrue();
    assertThatThrownBy(() -> StampRecord.decode(bytes))
        .hasMessage("stamp record: reserved bytes are not zero");
  }

  @Test
  void refusesWrongLengths() {
    assertThat(StampRecord.looksLikeRecord(new byte[63])).isFalse();
    assertThat(StampRecord.looksLikeRecord(null)).isFalse();
    assertThatThrownBy(() -> StampRecord.decode(new byte[65]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(StampRecord.looksLikeRecord(new byte[64])).isFalse();
  }

  private static void fixCrc(byte[] bytes) {
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, 60);
    ByteBuffer.wrap(bytes).putInt(60, (int) crc.getValue());
  }
}
