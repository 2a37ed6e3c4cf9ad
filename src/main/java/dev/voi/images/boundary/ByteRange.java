package dev.voi.images.boundary;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One satisfiable byte range of a file (RFC 9110 section 14): {@code first..last}, both inclusive.
 */
public record ByteRange(long first, long last) {

  private static final Pattern SINGLE = Pattern.compile("bytes=(\\d*)-(\\d*)");

  public long length() {
    return last - first + 1;
  }

  public String contentRange(long size) {
    return "bytes " + first + "-" + last + "/" + size;
  }

  /** What a {@code Range} header asks of a file of {@code size} bytes. */
  public sealed interface Request {}

  /** Send the whole file: no header, a header we do not serve (several ranges), or garbage. */
  public record Whole() implements Request {}

  /** Send this part. */
  public record Part(ByteRange range) implements Request {}

  /** The range lies outside the file: 416. */
  public record Unsatisfiable() implements Request {}

  public static Request parse(String header, long size) {
    if (header == null) {
      return new Whole();
    }
    Matcher matcher = SINGLE.matcher(header.trim());
    if (!matcher.matches() || (matcher.group(1).isEmpty() && matcher.group(2).isEmpty())) {
      // Several ranges, other units or a malformed header may be ignored (RFC 9110 14.2).
      return new Whole();
    }
    Optional<Long> first = number(matcher.group(1));
    Optional<Long> last = number(matcher.group(2));
    if (first.isEmpty() && matcher.group(1).isEmpty()) {
      long suffix = last.orElse(Long.MAX_VALUE);
      if (suffix == 0 || size == 0) {
        return new Unsatisfiable();
      }
      return new Part(new ByteRange(Math.max(0, size - suffix), size - 1));
    }
    if (first.isEmpty()) {
      return new Unsatisfiable(); // a first position beyond what a long holds: past every file
    }
    long from = first.get();
    if (from >= size) {
      return new Unsatisfiable();
    }
    long to = last.isPresent() ? Math.min(last.get(), size - 1) : size - 1;
    if (!matcher.group(2).isEmpty() && last.isEmpty()) {
      to = size - 1; // a last position beyond what a long holds: the rest of the file
    }
    if (to < from) {
      return new Whole();
    }
    return new Part(new ByteRange(from, to));
  }

  private static Optional<Long> number(String digits) {
    if (digits.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(digits));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
