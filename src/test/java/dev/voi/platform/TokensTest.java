package dev.voi.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class TokensTest {

  @Test
  void tokensCarry256RandomBitsAfterTheirPrefix() {
    SecureRandom random = new SecureRandom();
    String a = Tokens.generate("voia_", random);
    String b = Tokens.generate("voia_", random);
    assertThat(a).startsWith("voia_").hasSize(5 + 43).matches("voia_[A-Za-z0-9_-]{43}");
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void hashesAreLowercaseHexSha256() {
    // SHA-256("abc"), FIPS 180-2 test vector
    assertThat(Tokens.hash("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void hashComparisonNeedsBothHashesEqual() {
    String hash = Tokens.hash("token");
    assertThat(Tokens.sameHash(hash, Tokens.hash("token"))).isTrue();
    assertThat(Tokens.sameHash(hash, Tokens.hash("other"))).isFalse();
    assertThat(Tokens.sameHash(hash, null)).isFalse();
    assertThat(Tokens.sameHash(null, null)).isFalse();
  }
}
