package dev.voi.cli;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * An upload over plain HTTP/1.1 that hands the file to the kernel ({@link FileChannel#transferTo},
 * {@code sendfile} on Linux) instead of copying it through the JVM: on a machine where the server
 * runs too, the CPU the client does not spend on copying a 40 GB template is the server's. The
 * request carries {@code Expect: 100-continue}, so a refused upload is answered before its body is
 * sent; a server that says nothing within {@link #CONTINUE_WAIT_MILLIS} gets the body anyway. The
 * body goes with its length declared, or chunked with its SHA-256 in a trailer ({@link
 * ChunkedBody}) when the digest is computed while it is sent.
 */
final class PlainUpload {

  static final int CONTINUE_WAIT_MILLIS = 3000;
  static final int CONNECT_TIMEOUT_MILLIS = 10_000;
  private static final long CHUNK = 8L << 20;
  private static final int MAX_HEAD = 64 * 1024;
  private static final int MAX_BODY = 16 << 20;

  /** A parsed response. */
  record Response(int status, String location, byte[] body) {}

  private PlainUpload() {}

  static Response post(URI uri, String token, UploadSource source, Progress progress)
      throws IOException {
    return post(uri, token, source, progress, null);
  }

  /**
   * @param trailer the body's SHA-256, sent as a trailer after a chunked body; null: the body goes
   *     with a Content-Length
   */
  static Response post(
      URI uri, String token, UploadSource source, Progress progress, ChunkedBody.Digest trailer)
      throws IOException {
    int port = uri.getPort() >= 0 ? uri.getPort() : 80;
    try (SocketChannel socket = SocketChannel.open()) {
      socket.socket().connect(new InetSocketAddress(uri.getHost(), port), CONNECT_TIMEOUT_MILLIS);
      socket.socket().setTcpNoDelay(true);
      InputStream in = socket.socket().getInputStream();
      String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      String head =
          "POST "
              + target
              + " HTTP/1.1\r\nHost: "
              + uri.getHost()
              + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
              + "\r\nAuthorization: Bearer "
              + token
              + "\r\nAccept: application/json, application/problem+json"
              + "\r\nContent-Type: application/octet-stream\r\n"
              + (trailer == null
                  ? "Content-Length: " + source.length() + "\r\n"
                  : ChunkedBody.headers())
              + "Expect: 100-continue\r\nConnection: close\r\n\r\n";
      writeFully(socket, ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
      if (trailer != null) {
        writeFully(socket, ByteBuffer.wrap(ChunkedBody.opening(source)));
      }
      socket.socket().setSoTimeout(CONTINUE_WAIT_MILLIS);
      try {
        Response early = readResponse(in);
        if (early.status() != 100) {
          return early; // refused before the body: nothing of it was sent
        }
      } catch (SocketTimeoutException e) {
        // no interim answer: send the body anyway, as curl does after a second
      }
      socket.socket().setSoTimeout(0);
      try {
        if (trailer == null) {
          sendBody(socket, source, progress);
        } else {
          ChunkedBody.send(socket, source, progress, trailer);
        }
      } catch (IOException e) {
        // The server may have answered and closed early (e.g. 413 while the body streamed):
        // its answer says more than the broken pipe.
        try {
          socket.socket().setSoTimeout(CONTINUE_WAIT_MILLIS);
          return readFinal(in);
        } catch (IOException ignored) {
          e.addSuppressed(ignored);
          throw e;
        }
      }
      return readFinal(in);
    }
  }

  private static Response readFinal(InputStream in) throws IOException {
    Response response = readResponse(in);
    while (response.status() == 100) {
      response = readResponse(in);
    }
    return response;
  }

  private static void sendBody(SocketChannel socket, UploadSource source, Progress progress)
      throws IOException {
    byte[] prefix = source.prefix();
    writeFully(socket, ByteBuffer.wrap(prefix));
    progress.advance(prefix.length);
    try (FileChannel file = FileChannel.open(source.file(), StandardOpenOption.READ)) {
      long position = prefix.length;
      long end = source.length();
      while (position < end) {
        long sent = file.transferTo(position, Math.min(CHUNK, end - position), socket);
        if (sent <= 0) {
          if (file.size() < end) {
            throw new IOException(
                source.file() + " became shorter while it was sent (at byte " + position + ")");
          }
          continue;
        }
        position += sent;
        progress.advance(sent);
      }
    }
  }

  private static void writeFully(SocketChannel socket, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      socket.write(buffer);
    }
  }

  /** One response: status line, headers, body by Content-Length, chunked, or until close. */
  static Response readResponse(InputStream in) throws IOException {
    String statusLine = line(in);
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP response: " + statusLine);
    }
    int status;
    try {
      status = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException("not an HTTP status: " + statusLine, e);
    }
    long contentLength = -1;
    boolean chunked = false;
    String location = null;
    int headBytes = statusLine.length();
    for (String header = line(in); !header.isEmpty(); header = line(in)) {
      headBytes += header.length();
      if (headBytes > MAX_HEAD) {
        throw new IOException("the response's head is longer than " + MAX_HEAD + " bytes");
      }
      int colon = header.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = header.substring(0, colon).strip().toLowerCase(Locale.ROOT);
      String value = header.substring(colon + 1).strip();
      switch (name) {
        case "content-length" -> contentLength = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        case "location" -> location = value;
        default -> {}
      }
    }
    if (status / 100 == 1 || status == 204 || status == 304) {
      return new Response(status, location, new byte[0]);
    }
    byte[] body;
    if (chunked) {
      body = chunked(in);
    } else if (contentLength >= 0) {
      if (contentLength > MAX_BODY) {
        throw new IOException("the response's body is larger than " + MAX_BODY + " bytes");
      }
      body = in.readNBytes((int) contentLength);
      if (body.length < contentLength) {
        throw new EOFException("the response ended after " + body.length + " bytes of its body");
      }
    } else {
      body = in.readNBytes(MAX_BODY);
    }
    return new Response(status, location, body);
  }

  private static byte[] chunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String size = line(in);
      int semicolon = size.indexOf(';');
      long length =
          Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).strip(), 16);
      if (length == 0) {
        while (!line(in).isEmpty()) {
          // trailers, ignored
        }
        return body.toByteArray();
      }
      if (body.size() + length > MAX_BODY) {
        throw new IOException("the response's body is larger than " + MAX_BODY + " bytes");
      }
      byte[] chunk = in.readNBytes((int) length);
      if (chunk.length < length) {
        throw new EOFException("the response ended inside a chunk");
      }
      body.writeBytes(chunk);
      line(in);
    }
  }

  /** A line up to CRLF (or LF), without it; the end of the stream before any byte is an error. */
  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException(
            line.length() == 0 ? "the server closed the connection" : "a truncated response");
      }
      if (b == '\n') {
        int length = line.length();
        if (length > 0 && line.charAt(length - 1) == '\r') {
          line.setLength(length - 1);
        }
        return line.toString();
      }
      if (line.length() >= MAX_HEAD) {
        throw new IOException("a response line longer than " + MAX_HEAD + " bytes");
      }
      line.append((char) b);
    }
  }
}
