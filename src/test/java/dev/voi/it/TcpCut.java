package dev.voi.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback TCP relay to a service (PostgreSQL) that a test can cut and restore: {@link #cut()}
 * closes every relayed connection and stops listening, so that connections in use break and new
 * ones are refused, as when the database server stops; {@link #restore()} listens again on the same
 * port.
 */
final class TcpCut implements AutoCloseable {

  private final InetAddress loopback = InetAddress.getLoopbackAddress();
  private final int target;
  private final int port;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          task -> {
            Thread thread = new Thread(task, "tcp-cut");
            thread.setDaemon(true);
            return thread;
          });
  private volatile ServerSocket listening;

  TcpCut(int target) throws IOException {
    this.target = target;
    this.listening = listen(0);
    this.port = listening.getLocalPort();
    accept(listening);
  }

  int port() {
    return port;
  }

  /** Breaks every relayed connection and refuses new ones. */
  synchronized void cut() throws IOException {
    listening.close();
    for (Socket socket : open) {
      socket.close();
    }
    open.clear();
  }

  /** Accepts and relays again, on the same port. */
  synchronized void restore() throws IOException {
    if (listening.isClosed()) {
      listening = listen(port);
      accept(listening);
    }
  }

  @Override
  public void close() throws IOException {
    cut();
    threads.shutdownNow();
  }

  private ServerSocket listen(int onPort) throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress(loopback, onPort), 200);
    return socket;
  }

  private void accept(ServerSocket server) {
    threads.execute(
        () -> {
          while (!server.isClosed()) {
            Socket client;
            try {
              client = server.accept();
            } catch (IOException closed) {
              return;
            }
            try {
              Socket upstream = new Socket(loopback, target);
              open.add(client);
              open.add(upstream);
              threads.execute(() -> pump(client, upstream));
              threads.execute(() -> pump(upstream, client));
            } catch (IOException e) {
              closeQuietly(client);
            }
          }
        });
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = from.getInputStream()) {
      OutputStream out = to.getOutputStream();
      int read;
      while ((read = in.read(buffer)) >= 0) {
        out.write(buffer, 0, read);
        out.flush();
      }
    } catch (IOException broken) {
      // one side closed or was cut: close both
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      open.remove(from);
      open.remove(to);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
