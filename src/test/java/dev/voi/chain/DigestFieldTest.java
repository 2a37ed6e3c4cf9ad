package dev.voi.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code sha-256} member of RFC 9530's digest fields, written and read. */
class DigestFieldTest {

  /** Its base64 has '+' and '/', which base64url spells otherwise. */
  static final Checksum DIGEST = Checksum.ofBytes(filled((byte) 0xfb));

  static final String BASE64 = Base64.getEncoder().encodeToString(DIGEST.bytes());

  @Test
  void whatIsWrittenIsRead() {
    assertThat(DigestField.of(DIGEST)).isEqualTo("sha-256=:" + BASE64 + ":");
    assertThat(DigestField.sha256(DigestField.of(DIGEST))).isEqualTo(DIGEST);
  }

  @Test
  void otherAlgorithmsAndParametersAreSkipped() {
    String sha512 = Base64.getEncoder().encodeToString(new byte[64]);
    assertThat(DigestField.sha256("sha-512=:" + sha512 + ":, sha-256=:" + BASE64 + ":;x=1 "))
        .isEqualTo(DIGEST);
    assertThat(DigestField.sha256("  sha-256=:" + BASE64 + ":\t")).isEqualTo(DIGEST);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''| a list of algorithm=:base64: members",
        "sha-256| must be a byte sequence",
        "SHA-256=:AAAA:| does not start an algorithm name",
        "sha-256=abcd| must be a byte sequence",
        "sha-256=:not base64!:| not standard base64",
        "sha-256=:AAAA:| is 32 bytes, this one is 3",
        "sha-512=:AAAA:| carries no sha-256",
        "md5=:AAAA:,| a list of algorithm=:base64: members",
        "sha-256=:AAAA:;;;x| does not start an algorithm name",
        "sha-256=:AAAA: sha-512=:AAAA:| a list of algorithm=:base64: members",
        "md5=\"open| a list of algorithm=:base64: members",
        "md5=?2, sha-256=:AAAA:| a list of algorithm=:base64: members",
      })
  void malformedValuesAreRefusedInWords(String value, String expected) {
    assertThatThrownBy(() -> DigestField.sha256(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(expected.strip());
  }

  @Test
  void membersAreParsedAsAStructuredFieldDictionary() {
    String member = "sha-256=:" + BASE64 + ":";
    // a parameter whose string holds a comma is one member, not two
    assertThat(DigestField.sha256(member + ";n=\"a,b\";q=0.5")).isEqualTo(DIGEST);
    // other algorithms with any bare item, or none (a boolean), are skipped
    assertThat(DigestField.sha256("sha-512, " + member)).isEqualTo(DIGEST);
    assertThat(DigestField.sha256("md5=garbage,unixsum=42,x=?0,y=\"s\";p, " + member))
        .isEqualTo(DIGEST);
    assertThat(DigestField.sha256("id-sha-256=:AAAA:,\t" + member)).isEqualTo(DIGEST);
  }

  @Test
  void onlySpacesAndTabsSeparateMembers() {
    assertThatThrownBy(() -> DigestField.sha256("\u00a0sha-256=:" + BASE64 + ":"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not start an algorithm name");
  }

  @Test
  void aLongWrongKeyIsQuotedShort() {
    String key = "X".repeat(5_000) + "=:AAAA:";
    assertThatThrownBy(() -> DigestField.sha256(key))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(120).contains("XXXX…"));
  }

  @Test
  void sha256NamedTwiceIsRefused() {
    assertThatThrownBy(
            () -> DigestField.sha256("sha-256=:" + BASE64 + ":,sha-256=:" + BASE64 + ":"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("twice");
  }

  @Test
  void base64UrlIsNotStandardBase64() {
    String url = Base64.getUrlEncoder().encodeToString(DIGEST.bytes());
    assertThat(url).isNotEqualTo(BASE64);
    assertThatThrownBy(() -> DigestField.sha256("sha-256=:" + url + ":"))
        .hasMessageContaining("not standard base64");
  }

  private static byte[] filled(byte value) {
    byte[] bytes = new byte[32];
    java.util.Arrays.fill(bytes, value);
    return bytes;
  }
}
