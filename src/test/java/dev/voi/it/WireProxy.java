package dev.voi.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback HTTP/1.1 proxy between the agent and the server that sees what goes over the wire:
 * every request (method, path, headers) with the bytes of its response (status, header bytes, body
 * bytes), and on demand it flips one byte of every layer download that passes ({@link #tamper}).
 *
 * <p>It does not frame responses: a client that does not pipeline (Java's HttpClient does not)
 * sends its next request on a connection only after it has read the whole previous response, and
 * the proxy counts response bytes before it forwards them, so every byte from the server belongs to
 * the last request seen on that connection. Requests are framed by {@code Content-Length} (the
 * agent sends no chunked bodies).
 */
final class WireProxy implements AutoCloseable {

  /** One request and what the server sent back for it. */
  static final class Exchange {
    final String method;
    final String path;
    final Map<String, String> requestHeaders;
    volatile int status;
    volatile long headerBytes = -1;
    volatile long responseBytes;
    private final StringBuilder head = new StringBuilder();

    Exchange(String method, String path, Map<String, String> requestHeaders) {
      this.method = method;
      this.path = path;
      this.requestHeaders = requestHeaders;
    }

    long bodyBytes() {
      return headerBytes < 0 ? 0 : responseBytes - headerBytes;
    }

    String requestHeader(String name) {
      return requestHeaders.get(name.toLowerCase(Locale.ROOT));
    }

    boolean isDownload() {
      return "GET".equals(method) && path.endsWith("/content");
    }

    @Override
    public String toString() {
      return method
          + " "
          + path
          + (requestHeader("range") == null ? "" : " [Range " + requestHeader("range") + "]")
          + " -> "
          + status
          + " ("
          + bodyBytes()
          + " body bytes)";
    }
  }

  private final ServerSocket listener;
  private final int targetPort;
  private final List<Exchange> exchanges = Collections.synchronizedList(new ArrayList<>());
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private volatile long tamperAt = -1;
  private volatile int tampered;
  private volatile boolean tamperOnce;

  WireProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "wire-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + listener.getLocalPort();
  }

  /**
   * From now on flips the byte at {@code bodyOffset} of every layer download's body that passes (a
   * negative offset stops it).
   */
  void tamper(long bodyOffset) {
    tamperOnce = false;
    tamperAt = bodyOffset;
  }

  /** Like {@link #tamper}, for the next layer download only. */
  void tamperOnce(long bodyOffset) {
    tamperOnce = true;
    tamperAt = bodyOffset;
  }

  /** How many bytes have been flipped so far. */
  int tampered() {
    return tampered;
  }

  /** The exchanges since the last call, in the order their requests were sent. */
  List<Exchange> drain() {
    synchronized (exchanges) {
      List<Exchange> copy = List.copyOf(exchanges);
      exchanges.clear();
      return copy;
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        sockets.add(client);
        sockets.add(server);
        Connection connection = new Connection(client, server);
        start(connection::upstream, "wire-proxy-up");
        start(connection::downstream, "wire-proxy-down");
      } catch (IOException e) {
        if (!listener.isClosed()) {
          throw new IllegalStateException("the proxy cannot accept", e);
        }
      }
    }
  }

  private static void start(Runnable body, String name) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** One client connection and its connection to the server. */
  private final class Connection {
    private final Socket client;
    private final Socket server;
    private volatile Exchange current;
    private int halfClosed;

    Connection(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    /** Client to server: frames the requests and records them. */
    void upstream() {
      byte[] buffer = new byte[64 * 1024];
      RequestParser parser = new RequestParser();
      try (InputStream in = client.getInputStream()) {
        OutputStream out = server.getOutputStream();
        int read;
        while ((read = in.read(buffer)) >= 0) {
          parser.feed(buffer, read);
          out.write(buffer, 0, read);
          out.flush();
        }
      } catch (IOException e) {
        // a side went away (e.g. the agent was killed): close both below
      } finally {
        done(server);
      }
    }

    /** Server to client: counts (and perhaps alters) the bytes of the current exchange. */
    void downstream() {
      byte[] buffer = new byte[64 * 1024];
      try (InputStream in = server.getInputStream()) {
        OutputStream out = client.getOutputStream();
        int read;
        while ((read = in.read(buffer)) >= 0) {
          Exchange exchange = current;
          if (exchange != null) {
            account(exchange, buffer, read);
          }
          out.write(buffer, 0, read);
          out.flush();
        }
      } catch (IOException e) {
        // as above
      } finally {
        done(client);
      }
    }

    private void account(Exchange exchange, byte[] buffer, int read) {
      long before = exchange.responseBytes;
      if (exchange.headerBytes < 0) {
        int keep = Math.min(read, 16 * 1024);
        exchange.head.append(new String(buffer, 0, keep, StandardCharsets.ISO_8859_1));
        int end = exchange.head.indexOf("\r\n\r\n");
        if (end >= 0) {
          exchange.headerBytes = end + 4L;
          String statusLine = exchange.head.substring(0, exchange.head.indexOf("\r\n"));
          String[] parts = statusLine.split(" ", 3);
          exchange.status = parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
          exchange.head.setLength(0);
        }
      }
      exchange.responseBytes = before + read;
      long offset = tamperAt;
      if (offset >= 0
          && exchange.isDownload()
          && exchange.headerBytes >= 0
          && (exchange.status == 200 || exchange.status == 206)) {
        long at = exchange.headerBytes + offset - before;
        if (at >= 0 && at < read) {
          buffer[(int) at] ^= 0x01;
          tampered++;
          if (tamperOnce) {
            tamperAt = -1;
          }
        }
      }
    }

    private synchronized void done(Socket towards) {
      try {
        towards.shutdownOutput();
      } catch (IOException e) {
        // already gone
      }
      if (++halfClosed == 2) {
        closeQuietly(client);
        closeQuietly(server);
        sockets.remove(client);
        sockets.remove(server);
      }
    }

    /** Frames requests by their header block and Content-Length. */
    private final class RequestParser {
      private final StringBuilder head = new StringBuilder();
      private long bodyLeft;

      void feed(byte[] buffer, int length) {
        int at = 0;
        while (at < length) {
          if (bodyLeft > 0) {
            int skip = (int) Math.min(bodyLeft, length - at);
            bodyLeft -= skip;
            at += skip;
            continue;
          }
          head.append((char) (buffer[at++] & 0xff));
          int size = head.length();
          if (size >= 4 && head.lastIndexOf("\r\n\r\n") == size - 4) {
            request(head.toString());
            head.setLength(0);
          }
        }
      }

      private void request(String block) {
        String[] lines = block.split("\r\n");
        String[] requestLine = lines[0].split(" ");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
          int colon = lines[i].indexOf(':');
          if (colon > 0) {
            headers.put(
                lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                lines[i].substring(colon + 1).trim());
          }
        }
        if (headers.containsKey("transfer-encoding")) {
          throw new IllegalStateException("the proxy cannot frame a chunked request: " + block);
        }
        bodyLeft = Long.parseLong(headers.getOrDefault("content-length", "0"));
        Exchange exchange = new Exchange(requestLine[0], requestLine[1], headers);
        exchanges.add(exchange);
        current = exchange;
      }
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing left to do
    }
  }
}
