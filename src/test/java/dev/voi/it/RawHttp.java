package dev.voi.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reading HTTP/1.1 answers off a raw socket, where the ITs must see exactly what the server sent.
 */
final class RawHttp {

  private RawHttp() {}

  /** The status line and headers of the next answer, or null if the connection ends first. */
  static String readHeadOrNull(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < end.length) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  /** The status line and headers of the next answer; the connection ending first is an error. */
  static String readHead(InputStream in) throws IOException {
    String head = readHeadOrNull(in);
    if (head == null) {
      throw new IOException("the connection closed before the answer's head was complete");
    }
    return head;
  }
}
