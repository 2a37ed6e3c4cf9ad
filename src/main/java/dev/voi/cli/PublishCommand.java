package dev.voi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.voi.chain.Checksum;
import dev.voi.chain.StampRecord;
import dev.voi.qcow2.BackingRename;
import dev.voi.qcow2.Qcow2FormatException;
import dev.voi.qcow2.Qcow2Header;
import dev.voi.qcow2.Qcow2Stamp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code voi publish IMAGE FILE}: creates the image from a base, publishes a new base, or publishes
 * a diff on the tip. A diff's parent is checked here before anything is sent: the stamp of FILE's
 * backing file must carry the tip's checksum. FILE is sent with the tip's canonical backing file
 * name written into the header on the way (FILE itself is never written), and with its SHA-256.
 *
 * <p>By default FILE is hashed first and the digest named in the URL ({@code digest=}), which every
 * server, proxy and load balancer passes on. With {@code --digest-after} (plain HTTP only) the
 * SHA-256 is computed while FILE is sent, on a thread of its own that reads FILE (from the page
 * cache) as the kernel sends it, and goes in a {@code Content-Digest} trailer after the chunked
 * body ({@link ChunkedBody}): the client's serial SHA-256 pass runs beside the upload instead of
 * before it. That pays where the client hashes on cores of its own (docs/design.md §4), but a proxy
 * that drops request trailers (nginx does) makes the server refuse the upload once the whole body
 * has arrived, so it is not the default. Either way the server refuses a body that is not what was
 * hashed, before anything is published.
 */
@Command(
    name = "publish",
    description = {
      "Publish FILE: creates IMAGE from a base when IMAGE does not exist, else publishes FILE as a"
          + " diff on the tip (FILE's backing file must be a copy of the tip, under any name), or"
          + " with --new-base as a new base (every layer published so far retires).",
      "FILE is never changed: the backing file name the server expects (the tip's fileName) is"
          + " written into the copy that is sent."
    })
final class PublishCommand extends Base {

  /** The header lives in cluster 0, and clusters are at most 2 MiB. */
  static final int MAX_HEADER_BYTES = 2 << 20;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The image name")
  String image;

  @Parameters(index = "1", paramLabel = "FILE", description = "The qcow2 file to publish")
  Path file;

  @Option(
      names = "--version",
      paramLabel = "V",
      description = "The layer's version (default: the tip's + 1; 1 for a new image)")
  Long version;

  @Option(names = "--note", paramLabel = "TEXT", description = "A changelog line for the lineage")
  String note;

  @Option(
      names = "--new-base",
      description = "FILE is a rebuilt template (no backing file): every published layer retires")
  boolean newBase;

  @Option(
      names = "--digest-after",
      description =
          "Send the SHA-256 in a trailer after the body, hashing FILE while it is sent, instead"
              + " of hashing FILE first and naming the digest in the URL (digest=). Plain HTTP"
              + " only, and only where no proxy between drops request trailers")
  boolean digestAfter;

  @Override
  Exit execute() {
    image(image, "IMAGE");
    if (version != null && version < 0) {
      throw CliException.usage("--version: must not be negative");
    }
    Local local = Local.read(file);
    long started = voi.nanoTime().getAsLong();
    boolean trailer = digestAfter;
    if (trailer && !"http".equalsIgnoreCase(serverScheme())) {
      throw CliException.usage(
          "--digest-after: needs a plain http:// server (the HTTPS client sends no trailers)");
    }
    // A base is sent as it is, whatever the server answers: its hash starts at once and runs while
    // the server is asked about the image (and while the HTTP and JSON code loads).
    Hashing early =
        local.header().hasBackingFile()
            ? null
            : new Hashing(new UploadSource(file, local.size(), new byte[0]), trailer);
    Api api;
    Plan plan;
    try {
      api = api();
      Optional<JsonNode> current = lineage(api);
      plan = plan(local, current);
    } catch (RuntimeException e) {
      if (early != null) {
        early.cancel();
      }
      throw e;
    }
    Hashing hashing =
        early != null
            ? early
            : new Hashing(new UploadSource(file, local.size(), plan.prefix()), trailer);
    String digest = trailer ? null : hashing.await();
    long uploadStarted = voi.nanoTime().getAsLong();
    JsonNode layer;
    try {
      layer = upload(api, plan, hashing.source, digest, trailer ? hashing::checksum : null);
    } finally {
      hashing.cancel(); // done already, unless the upload failed
    }
    long published = voi.nanoTime().getAsLong();
    digest = hashing.await();
    String sent = Json.text(layer, "contentDigest", null);
    if (sent != null && !sent.equals(digest)) {
      throw CliException.verification(
          "the server received content with SHA-256 " + sent + ", voi sent " + digest);
    }
    ObjectNode result = Json.object();
    result.put("image", image);
    result.put("kind", plan.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    result.put("file", file.toString());
    result.put("sentBackingFile", plan.backingName());
    result.put("digest", "sha256:" + digest);
    result.put("digestSent", trailer ? "trailer" : "query");
    result.set("layer", layer);
    ObjectNode seconds = result.putObject("seconds");
    seconds.put("hash", rounded(hashing.nanos()));
    seconds.put("upload", rounded(published - uploadStarted));
    seconds.put("total", rounded(published - started));
    print(
        result,
        () ->
            console()
                .result(
                    String.format(
                        Locale.ROOT,
                        "published %s %s: depth %d, version %d, %s (%s), checksum %s"
                            + " (hashed in %.1f s%s, sent and published in %.1f s)",
                        image,
                        plan.kind().label,
                        layer.path("depth").asInt(),
                        layer.path("version").asLong(),
                        Json.text(layer, "fileName", "?"),
                        Progress.bytes(layer.path("size").asLong()),
                        Json.text(layer, "checksum", "?"),
                        hashing.nanos() / 1e9,
                        trailer ? " while it was sent" : "",
                        (published - uploadStarted) / 1e9)));
    return Exit.OK;
  }

  private static double rounded(long nanos) {
    return Math.round(nanos / 1e6) / 1e3;
  }

  /** The scheme of the server's URL, known before the HTTP client is built. */
  private String serverScheme() {
    return common.serverUri(voi.env()).getScheme();
  }

  /** The image as the server has it, or empty when it does not exist. */
  private Optional<JsonNode> lineage(Api api) {
    try {
      return Optional.of(api.get(api.uri("images/" + image), "look up image " + image));
    } catch (Api.ServerRefusal e) {
      if (e.status() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  enum Kind {
    NEW_IMAGE("(a new image)"),
    NEW_BASE("(a new base)"),
    DIFF("(a diff)");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  /** What to send where: the kind, the parent checksum, the header prefix to send instead. */
  record Plan(Kind kind, String parent, String backingName, byte[] prefix) {}

  private Plan plan(Local local, Optional<JsonNode> current) {
    Optional<String> backing = local.header().backingFile();
    if (current.isEmpty()) {
      if (backing.isPresent()) {
        throw CliException.usage(
            "image "
                + image
                + " does not exist on the server, and "
                + file
                + " is an overlay (backing file "
                + backing.get()
                + "): publish the image's base first");
      }
      return new Plan(Kind.NEW_IMAGE, null, null, new byte[0]);
    }
    if (newBase) {
      if (backing.isPresent()) {
        throw CliException.usage(
            "--new-base: " + file + " has the backing file " + backing.get() + "; a base has none");
      }
      return new Plan(Kind.NEW_BASE, null, null, new byte[0]);
    }
    if (backing.isEmpty()) {
      throw CliException.usage(
          file
              + " has no backing file: it is a base. Image "
              + image
              + " exists: add --new-base to publish it as a new base (every layer published so"
              + " far retires)");
    }
    JsonNode tip = current.get().path("tip");
    String tipChecksum = Json.text(tip, "checksum", null);
    if (tipChecksum == null) {
      throw CliException.server("image " + image + " has no tip on the server");
    }
    JsonNode tipLayer = layer(current.get(), tipChecksum);
    String tipFileName = Json.text(tipLayer, "fileName", null);
    if (tipFileName == null) {
      throw CliException.server("the server's lineage of " + image + " lacks the tip's fileName");
    }
    checkParent(local, backing.get(), current.get(), tip, tipFileName);
    byte[] prefix;
    String name = backing.get();
    if (name.substring(name.lastIndexOf('/') + 1).equals(tipFileName)) {
      prefix = new byte[0];
    } else {
      try {
        prefix = BackingRename.rewrite(local.firstBytes(), local.size(), tipFileName);
      } catch (Qcow2FormatException | IllegalArgumentException e) {
        throw CliException.verification(
            file
                + ": cannot send it with the backing file name "
                + tipFileName
                + ": "
                + e.getMessage(),
            e);
      }
    }
    console()
        .detail(
            "backing file "
                + name
                + " carries the tip's checksum; sent as "
                + tipFileName
                + (prefix.length == 0 ? " (unchanged)" : " (header rewritten on the way)"));
    return new Plan(Kind.DIFF, tipChecksum, tipFileName, prefix);
  }

  /**
   * The local parent check: the stamp of FILE's backing file (its header extension or byte 3072)
   * must carry the tip's checksum.
   */
  private void checkParent(
      Local local, String backingName, JsonNode lineage, JsonNode tip, String tipFileName) {
    Path backing = resolveBacking(backingName);
    StampRecord stamp;
    try {
      Local parent = Local.read(backing);
      Qcow2Stamp found = Qcow2Stamp.of(parent.header(), parent.firstBytes());
      if (!found.isStamped()) {
        throw CliException.verification(
            file
                + " is built on "
                + backing
                + ", which carries no VOI stamp (it is not a layer downloaded from the server);"
                + " build the diff on a copy of the tip of "
                + image
                + ", "
                + tipFileName
                + " (depth "
                + tip.path("depth").asInt()
                + ", version "
                + tip.path("version").asLong()
                + "); nothing was sent");
      }
      stamp = found.record().orElseThrow();
    } catch (Qcow2FormatException e) {
      throw CliException.verification(
          "the backing file " + backing + " of " + file + ": " + e.getMessage(), e);
    }
    String tipChecksum = Json.text(tip, "checksum", "");
    if (!stamp.checksum().hex().equals(tipChecksum)) {
      JsonNode known = layer(lineage, stamp.checksum().hex());
      String which =
          known == null
              ? "a layer this server never published"
              : "depth " + known.path("depth").asInt() + " " + Json.text(known, "state", "");
      throw CliException.verification(
          String.format(
              Locale.ROOT,
              "%s is not built on the tip of %s: its backing file %s is depth %d version %d,"
                  + " checksum %s (%s); the tip is depth %d version %d, checksum %s (%s);"
                  + " nothing was sent",
              file,
              image,
              backing,
              stamp.depth(),
              stamp.version(),
              stamp.checksum().hex(),
              which,
              tip.path("depth").asInt(),
              tip.path("version").asLong(),
              tipChecksum,
              tipFileName));
    }
  }

  /** A relative backing file name is relative to the overlay's directory, as QEMU reads it. */
  private Path resolveBacking(String name) {
    if (name.contains(":") && !name.startsWith("/")) {
      throw CliException.verification(
          file + ": the backing file " + name + " is not a plain file name (a protocol?)");
    }
    Path path = Path.of(name);
    if (path.isAbsolute()) {
      return path;
    }
    Path directory = file.toAbsolutePath().getParent();
    return directory.resolve(path).normalize();
  }

  private static JsonNode layer(JsonNode lineage, String checksum) {
    for (JsonNode layer : lineage.path("layers")) {
      if (checksum.equals(Json.text(layer, "checksum", null))) {
        return layer;
      }
    }
    return null;
  }

  /**
   * The SHA-256 of what is sent, on a thread of its own: from the start for a base (it is sent as
   * it is), from the plan for a diff (whose first bytes may be rewritten).
   */
  private final class Hashing {
    final UploadSource source;
    private final CompletableFuture<String> digest = new CompletableFuture<>();
    private volatile boolean cancelled;
    private volatile long nanos;

    /**
     * @param quiet no progress of its own: it runs beside the upload, whose progress is shown
     */
    Hashing(UploadSource source, boolean quiet) {
      this.source = source;
      Thread thread =
          new Thread(
              () -> {
                long start = voi.nanoTime().getAsLong();
                try {
                  String hex = hash(source, () -> cancelled, quiet);
                  nanos = voi.nanoTime().getAsLong() - start;
                  digest.complete(hex);
                } catch (RuntimeException e) {
                  nanos = voi.nanoTime().getAsLong() - start;
                  digest.completeExceptionally(e);
                }
              },
              "voi-hash");
      thread.setDaemon(true);
      thread.start();
    }

    /** Stops the hash unless it is done, and waits for its thread to stop (within one chunk). */
    void cancel() {
      cancelled = true;
      digest.handle((value, failure) -> value).join();
    }

    /** How long the hash took (valid once it is done). */
    long nanos() {
      return nanos;
    }

    String await() {
      try {
        return digest.join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof RuntimeException cause) {
          throw cause;
        }
        throw e;
      }
    }

    /** For the trailer: waits for the hash, as the sender does after the body's last byte. */
    Checksum checksum() {
      return Checksum.ofHex(await());
    }
  }

  private String hash(UploadSource source, BooleanSupplier cancelled, boolean quiet) {
    Progress progress =
        new Progress(console(), voi.nanoTime(), "hashing", source.length(), quiet || json());
    String digest;
    try {
      digest = source.sha256(progress, cancelled);
    } catch (IOException e) {
      throw CliException.localIo("cannot read " + file + ": " + e.getMessage(), e);
    } finally {
      progress.finish();
    }
    console()
        .detail(String.format(Locale.ROOT, "SHA-256 %s in %.2f s", digest, progress.seconds()));
    return digest;
  }

  /**
   * @param digest the SHA-256 named in the URL, or null when it goes in the trailer
   * @param trailer the SHA-256 for the trailer, waited for after the body; null with {@code digest}
   */
  private JsonNode upload(
      Api api, Plan plan, UploadSource source, String digest, ChunkedBody.Digest trailer) {
    String named = digest == null ? null : "sha256:" + digest;
    URI uri =
        switch (plan.kind()) {
          case NEW_IMAGE ->
              api.uri(
                  "images",
                  Api.query("name", image, "version", version, "digest", named, "note", note));
          case NEW_BASE ->
              api.uri(
                  "images/" + image + "/base",
                  Api.query("version", version, "digest", named, "note", note));
          case DIFF ->
              api.uri(
                  "images/" + image + "/layers",
                  Api.query(
                      "version", version, "parent", plan.parent(), "digest", named, "note", note));
        };
    Progress progress =
        new Progress(console(), voi.nanoTime(), "uploading", source.length(), json());
    Api.Answer answer;
    try {
      answer = api.upload(uri, source, progress, trailer, "publish " + file, 201);
    } catch (UncheckedIOException e) {
      throw CliException.localIo("cannot read " + file + ": " + e.getCause().getMessage(), e);
    } finally {
      progress.finish();
    }
    JsonNode body = answer.body();
    if (body == null) {
      throw CliException.server("the server answered 201 without a body");
    }
    if (plan.kind() == Kind.NEW_IMAGE) {
      JsonNode layers = body.path("layers");
      if (!layers.isArray() || layers.isEmpty()) {
        throw CliException.server("the new image's answer has no layers");
      }
      return layers.get(layers.size() - 1);
    }
    return body;
  }

  /** A local qcow2 file: its size, cluster 0 (or all of it when shorter) and the parsed header. */
  record Local(Path path, long size, byte[] firstBytes, Qcow2Header header) {

    static Local read(Path path) {
      try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
        long size = channel.size();
        ByteBuffer bytes = ByteBuffer.allocate((int) Math.min(size, MAX_HEADER_BYTES));
        while (bytes.hasRemaining()) {
          if (channel.read(bytes, bytes.position()) < 0) {
            break;
          }
        }
        byte[] first = Arrays.copyOf(bytes.array(), bytes.position());
        Qcow2Header header;
        try {
          header = Qcow2Header.parse(first, size);
        } catch (Qcow2FormatException e) {
          throw CliException.verification(path + ": " + e.getMessage(), e);
        }
        return new Local(path, size, first, header);
      } catch (NoSuchFileException e) {
        throw CliException.localIo(path + ": no such file", e);
      } catch (IOException e) {
        throw CliException.localIo("cannot read " + path + ": " + e.getMessage(), e);
      }
    }
  }
}
