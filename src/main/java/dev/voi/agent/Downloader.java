package dev.voi.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.voi.chain.Checksum;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads layers into the staging folder with resume: the bytes of an interrupted download stay
 * in {@code NAME.part}, with the ETag they came with in {@code NAME.part.json}; the next attempt
 * (in this run or a later one) asks for the rest with {@code Range: bytes=N-} and {@code If-Range:
 * <etag>}, so a file that changed on the server in between is sent whole (200) instead of being
 * spliced. A finished download is checked against the answer's size and SHA-256 and renamed to
 * {@code NAME}; a mismatch deletes it.
 */
final class Downloader {

  /**
   * @param attempts tries per layer within one run (a broken connection is resumed this often)
   * @param stallTimeout a connection that delivers no byte for this long is dropped and resumed
   * @param retryPause the pause before resuming
   * @param maxMbps the rate limit in megabits per second; 0 for none
   */
  record Settings(int attempts, Duration stallTimeout, Duration retryPause, double maxMbps) {
    static Settings defaults(double maxMbps) {
      return new Settings(4, Duration.ofSeconds(60), Duration.ofSeconds(2), maxMbps);
    }
  }

  /** A transfer that broke off; the partial file is kept and can be resumed. */
  private static final class Interrupted extends Exception {
    private static final long serialVersionUID = 1L;
    private final long retryAfterSeconds;

    Interrupted(String message, Throwable cause, long retryAfterSeconds) {
      super(message, cause);
      this.retryAfterSeconds = retryAfterSeconds;
    }
  }

  private static final int BLOCK = 256 * 1024;
  private static final long MAX_RETRY_AFTER_SECONDS = 60;
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

  private final ServerClient client;
  private final Path staging;
  private final Settings settings;
  private final Console console;

  Downloader(ServerClient client, Path staging, Settings settings, Console console) {
    this.client = Objects.requireNonNull(client, "client");
    this.staging = Objects.requireNonNull(staging, "staging");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.console = Objects.requireNonNull(console, "console");
  }

  static Path partFile(Path staging, String fileName) {
    return staging.resolve(fileName + ".part");
  }

  static Path metaFile(Path staging, String fileName) {
    return staging.resolve(fileName + ".part.json");
  }

  /**
   * Downloads one layer into the staging folder and checks its size and SHA-256.
   *
   * @return the complete, SHA-checked file {@code staging/fileName}
   * @throws AgentException {@link Failure#SERVER} when the transfer failed (the partial file is
   *     kept for the next run), {@link Failure#VERIFICATION} on a size or SHA-256 mismatch (the
   *     file is deleted), {@link Failure#LOCAL_IO} when the staging folder cannot be written
   */
  Path fetch(Answer.Download download, ProgressMeter meter) {
    String name = download.fileName();
    Path complete = staging.resolve(name);
    Path part = partFile(staging, name);
    Path meta = metaFile(staging, name);
    try {
      Files.createDirectories(staging);
      if (isVerified(complete, download)) {
        console.detail(name + ": already downloaded and verified");
        meter.alreadyComplete(name, download.size());
        return complete;
      }
      Files.deleteIfExists(complete);
      Partial partial = loadPartial(download, part, meta);
      MessageDigest sha256 = sha256();
      hashPrefix(part, partial.have, sha256);
      URI uri = client.resolveDownload(download.url());
      meter.beginFile(name, download.size(), partial.have);
      boolean ok = false;
      try {
        try {
          transferWithRetries(uri, download, part, meta, partial, sha256, meter);
        } catch (AgentException e) {
          if (e.failure() == Failure.VERIFICATION) {
            Files.deleteIfExists(part);
            Files.deleteIfExists(meta);
          }
          throw e;
        }
        Checksum actual = Checksum.ofBytes(sha256.digest());
        if (!actual.equals(download.sha256())) {
          Files.deleteIfExists(part);
          Files.deleteIfExists(meta);
          throw AgentException.verification(
              name
                  + ": SHA-256 mismatch: the answer says "
                  + download.sha256().hex()
                  + ", the downloaded bytes are "
                  + actual.hex()
                  + "; the download was discarded");
        }
        Files.move(part, complete, StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(meta);
        ok = true;
        return complete;
      } finally {
        meter.endFile(ok);
      }
    } catch (IOException e) {
      throw AgentException.localIo(
          "cannot write the download of " + name + " into " + staging + ": " + e.getMessage(), e);
    }
  }

  private static boolean isVerified(Path file, Answer.Download download) throws IOException {
    return Files.isRegularFile(file)
        && Files.size(file) == download.size()
        && Checksum.sha256Of(file).equals(download.sha256());
  }

  /** What is on disk of an earlier attempt. */
  private static final class Partial {
    long have;
    String etag;

    Partial(long have, String etag) {
      this.have = have;
      this.etag = etag;
    }
  }

  private Partial loadPartial(Answer.Download download, Path part, Path meta) throws IOException {
    if (!Files.isRegularFile(part)) {
      Files.deleteIfExists(meta);
      return new Partial(0, null);
    }
    long have = Files.size(part);
    String etag = null;
    String sha = null;
    try {
      JsonNode node = Json.parse(Files.readAllBytes(meta));
      etag = node.path("etag").asText(null);
      sha = node.path("sha256").asText(null);
    } catch (IOException | IllegalArgumentException e) {
      console.detail(part.getFileName() + ": no usable resume record (" + e.getMessage() + ")");
    }
    if (etag == null || !download.sha256().hex().equals(sha) || have > download.size()) {
      console.detail(part.getFileName() + ": partial download is not of this layer; starting over");
      Files.deleteIfExists(part);
      Files.deleteIfExists(meta);
      return new Partial(0, null);
    }
    console.detail(
        part.getFileName() + ": " + have + " bytes from an earlier attempt, ETag " + etag);
    return new Partial(have, etag);
  }

  private static void hashPrefix(Path part, long have, MessageDigest sha256) throws IOException {
    if (have == 0) {
      return;
    }
    try (InputStream in = Files.newInputStream(part)) {
      byte[] buffer = new byte[BLOCK];
      long left = have;
      while (left > 0) {
        int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (read < 0) {
          throw new IOException(part + " is shorter than " + have + " bytes");
        }
        sha256.update(buffer, 0, read);
        left -= read;
      }
    }
  }

  private void transferWithRetries(
      URI uri,
      Answer.Download download,
      Path part,
      Path meta,
      Partial partial,
      MessageDigest sha256,
      ProgressMeter meter)
      throws IOException {
    for (int attempt = 1; ; attempt++) {
      if (partial.have == download.size()) {
        return;
      }
      try {
        transferOnce(uri, download, part, meta, partial, sha256, meter);
        return;
      } catch (Interrupted e) {
        String where =
            download.fileName()
                + " interrupted at "
                + Units.bytes(partial.have)
                + " of "
                + Units.bytes(download.size())
                + ": "
                + e.getMessage();
        if (attempt >= settings.attempts()) {
          throw AgentException.server(
              "download of " + where + " (the partial file is kept: run sync again to resume)",
              e.getCause());
        }
        long pauseMillis =
            e.retryAfterSeconds > 0
                ? e.retryAfterSeconds * 1000
                : settings.retryPause().toMillis() * attempt;
        console.warn("download of " + where + "; resuming in " + pauseMillis / 1000.0 + " s");
        console.detail(e.getCause());
        sleep(pauseMillis);
      }
    }
  }

  private void transferOnce(
      URI uri,
      Answer.Download download,
      Path part,
      Path meta,
      Partial partial,
      MessageDigest sha256,
      ProgressMeter meter)
      throws IOException, Interrupted {
    String name = download.fileName();
    Map<String, String> headers = new LinkedHashMap<>();
    boolean ranged = partial.have > 0 && partial.etag != null;
    if (ranged) {
      headers.put("Range", "bytes=" + partial.have + "-");
      headers.put("If-Range", partial.etag);
      console.detail(
          name + ": GET " + uri + " Range bytes=" + partial.have + "- If-Range " + partial.etag);
    } else {
      console.detail(name + ": GET " + uri);
    }
    HttpResponse<InputStream> response;
    try {
      response = client.download(uri, headers);
    } catch (AgentException e) {
      throw new Interrupted(e.getMessage(), e, 0);
    }
    try (InputStream body = response.body()) {
      int status = response.statusCode();
      console.detail(name + ": -> " + status + " " + response.headers().map());
      switch (status) {
        case 206 -> requireContentRange(response, download, partial.have);
        case 200 -> {
          if (partial.have > 0) {
            console.detail(name + ": the server sent the whole file; starting over");
            restart(part, partial, sha256, meter);
          }
          long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
          if (length >= 0 && length != download.size()) {
            throw AgentException.verification(
                name
                    + ": the server sends "
                    + length
                    + " bytes, the answer announced "
                    + download.size());
          }
          partial.etag = strongEtag(response);
          writeMeta(meta, download, partial.etag);
        }
        case 416 -> {
          restart(part, partial, sha256, meter);
          Files.deleteIfExists(meta);
          throw new Interrupted("the server refused the range (416); starting over", null, 0);
        }
        case 429, 503 ->
            throw new Interrupted(
                "the server is busy (" + status + ")", null, retryAfter(response));
        default ->
            throw AgentException.server(
                ServerClient.describeError("download " + name, status, readSmall(body)));
      }
      copy(body, download, part, partial, sha256, meter);
    }
  }

  private static void requireContentRange(
      HttpResponse<InputStream> response, Answer.Download download, long have) throws Interrupted {
    String range = response.headers().firstValue("Content-Range").orElse("");
    Matcher matcher = CONTENT_RANGE.matcher(range.trim());
    if (!matcher.matches()
        || Long.parseLong(matcher.group(1)) != have
        || Long.parseLong(matcher.group(2)) != download.size() - 1
        || !(matcher.group(3).equals("*") || Long.parseLong(matcher.group(3)) == download.size())) {
      throw AgentException.server(
          "cannot resume "
              + download.fileName()
              + ": the server answered 206 with Content-Range "
              + LocalNames.quote(range)
              + ", expected bytes "
              + have
              + "-"
              + (download.size() - 1)
              + "/"
              + download.size());
    }
  }

  private static void restart(Path part, Partial partial, MessageDigest sha256, ProgressMeter meter)
      throws IOException {
    Files.deleteIfExists(part);
    partial.have = 0;
    partial.etag = null;
    sha256.reset();
    meter.rewind(0);
  }

  private static String strongEtag(HttpResponse<InputStream> response) {
    String etag = response.headers().firstValue("ETag").orElse(null);
    // If-Range needs a strong validator: a weak one would let a changed file be spliced.
    return etag == null || etag.startsWith("W/") ? null : etag;
  }

  private static void writeMeta(Path meta, Answer.Download download, String etag)
      throws IOException {
    ObjectNode node = Json.object();
    node.put("sha256", download.sha256().hex());
    node.put("size", download.size());
    node.put("etag", etag);
    byte[] bytes = Json.write(node).getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(meta, out -> out.write(bytes));
  }

  private static long retryAfter(HttpResponse<InputStream> response) {
    try {
      long seconds = Long.parseLong(response.headers().firstValue("Retry-After").orElse("").trim());
      return Math.max(1, Math.min(MAX_RETRY_AFTER_SECONDS, seconds));
    } catch (NumberFormatException e) {
      return 5;
    }
  }

  private static byte[] readSmall(InputStream body) {
    try {
      return body.readNBytes(64 * 1024);
    } catch (IOException e) {
      return new byte[0];
    }
  }

  private void copy(
      InputStream body,
      Answer.Download download,
      Path part,
      Partial partial,
      MessageDigest sha256,
      ProgressMeter meter)
      throws IOException, Interrupted {
    RateLimiter limiter = RateLimiter.of(settings.maxMbps());
    AtomicLong lastProgress = new AtomicLong(System.nanoTime());
    AtomicBoolean stalled = new AtomicBoolean();
    ScheduledExecutorService watchdog =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "voi-agent-stall-watchdog");
              thread.setDaemon(true);
              return thread;
            });
    long stallNanos = settings.stallTimeout().toNanos();
    ScheduledFuture<?> check =
        watchdog.scheduleAtFixedRate(
            () -> {
              if (System.nanoTime() - lastProgress.get() > stallNanos
                  && stalled.compareAndSet(false, true)) {
                try {
                  body.close();
                } catch (IOException ignored) {
                  // the reader notices the stall through the flag
                }
              }
            },
            1,
            1,
            TimeUnit.SECONDS);
    try (FileChannel channel =
        FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      channel.truncate(partial.have);
      channel.position(partial.have);
      byte[] buffer = new byte[BLOCK];
      try {
        while (true) {
          int read;
          try {
            read = body.read(buffer);
          } catch (IOException e) {
            channel.force(false);
            throw new Interrupted(
                stalled.get()
                    ? "no data for " + settings.stallTimeout().toSeconds() + " s"
                    : "connection lost (" + e.getMessage() + ")",
                e,
                0);
          }
          if (read < 0) {
            break;
          }
          if (partial.have + read > download.size()) {
            throw AgentException.verification(
                download.fileName()
                    + ": the server sends more than the "
                    + download.size()
                    + " bytes the answer announced");
          }
          ByteBuffer block = ByteBuffer.wrap(buffer, 0, read);
          while (block.hasRemaining()) {
            channel.write(block);
          }
          sha256.update(buffer, 0, read);
          partial.have += read;
          lastProgress.set(System.nanoTime());
          meter.advance(read);
          limiter.transferred(read);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw AgentException.server("interrupted while downloading " + download.fileName(), e);
      } finally {
        channel.force(false);
      }
    } finally {
      check.cancel(false);
      watchdog.shutdownNow();
    }
    if (partial.have < download.size()) {
      throw new Interrupted(
          stalled.get()
              ? "no data for " + settings.stallTimeout().toSeconds() + " s"
              : "the connection closed early",
          null,
          0);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw AgentException.server("interrupted while waiting to resume a download", e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
