package dev.voi.images.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ByteRangeTest {

  static final long SIZE = 1000;

  static ByteRange part(String header) {
    return ((ByteRange.Part) ByteRange.parse(header, SIZE)).range();
  }

  @Test
  void noHeaderMeansTheWholeFile() {
    assertThat(ByteRange.parse(null, SIZE)).isInstanceOf(ByteRange.Whole.class);
  }

  @Test
  void singleRangesOfEveryForm() {
    assertThat(part("bytes=0-99")).isEqualTo(new ByteRange(0, 99));
    assertThat(part("bytes=900-")).isEqualTo(new ByteRange(900, 999));
    assertThat(part("bytes=-100")).isEqualTo(new ByteRange(900, 999));
    assertThat(part("bytes=-5000")).isEqualTo(new ByteRange(0, 999));
    assertThat(part("bytes=990-5000")).isEqualTo(new ByteRange(990, 999));
    assertThat(part("bytes=0-99999999999999999999")).isEqualTo(new ByteRange(0, 999));
    assertThat(part("bytes=10-19").length()).isEqualTo(10);
    assertThat(part("bytes=10-19").contentRange(SIZE)).isEqualTo("bytes 10-19/1000");
  }

  @Test
  void rangesOutsideTheFileAreUnsatisfiable() {
    assertThat(ByteRange.parse("bytes=1000-", SIZE)).isInstanceOf(ByteRange.Unsatisfiable.class);
    assertThat(ByteRange.parse("bytes=-0", SIZE)).isInstanceOf(ByteRange.Unsatisfiable.class);
    assertThat(ByteRange.parse("bytes=0-", 0)).isInstanceOf(ByteRange.Unsatisfiable.class);
    assertThat(ByteRange.parse("bytes=99999999999999999999-", SIZE))
        .isInstanceOf(ByteRange.Unsatisfiable.class);
    assertThat(ByteRange.parse("bytes=99999999999999999999-99999999999999999999", SIZE))
        .isInstanceOf(ByteRange.Unsatisfiable.class);
  }

  @Test
  void headersWeDoNotServeAreIgnored() {
    assertThat(ByteRange.parse("bytes=0-1,5-6", SIZE)).isInstanceOf(ByteRange.Whole.class);
    assertThat(ByteRange.parse("items=0-1", SIZE)).isInstanceOf(ByteRange.Whole.class);
    assertThat(ByteRange.parse("bytes=5-1", SIZE)).isInstanceOf(ByteRange.Whole.class);
    assertThat(ByteRange.parse("bytes=-", SIZE)).isInstanceOf(ByteRange.Whole.class);
    assertThat(ByteRange.parse("garbage", SIZE)).isInstanceOf(ByteRange.Whole.class);
  }
}
