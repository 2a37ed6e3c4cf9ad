package dev.voi.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.voi.chain.Checksum;
import dev.voi.chain.ChecksumList;
import dev.voi.chain.ImageName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a terminal holds of one image (docs/design.md §5): the ordered checksums of the layers it
 * holds, base first, and which local file covers which layers. After a {@code --flatten} one merged
 * file covers a range of layers; its stamp then no longer describes its content, which is why the
 * manifest, not the stamps, is the source of the reported list.
 *
 * <p>Stored as {@code voi-manifest.json} in the image's directory:
 *
 * <pre>{@code
 * {
 *   "format": 1,
 *   "image": "win10-lab",
 *   "layers": [ {"depth": 0, "version": 1, "checksum": "64d1…"},
 *               {"depth": 1, "version": 2, "checksum": "3cd7…"} ],
 *   "files":  [ {"name": "win10-lab-0000-64d1bc0c.qcow2", "from": 0, "to": 0},
 *               {"name": "win10-lab-0001-3cd7d2fb.qcow2", "from": 1, "to": 1} ],
 *   "obsolete": [ "win10-lab-0001-0697c0f4.qcow2" ]
 * }
 * }</pre>
 *
 * <p>Invariants (checked when read and when built): {@code layers[k].depth == k}; the files, in
 * backing order (each file's backing file is the one before it), cover {@code 0..m} without gaps or
 * overlaps; every name is a safe bare name ({@code [A-Za-z0-9._-]+.qcow2}, no leading dot) and
 * occurs once. {@code obsolete} lists files of an earlier chain the agent still has to delete (kept
 * while something still uses them as a backing file).
 *
 * @param layers the held layers, base first, {@code layers[k].depth == k}
 * @param files the local files, base first, covering {@code layers} exactly
 * @param obsolete files no longer in the chain, to be deleted
 */
public record Manifest(
    String image,
    List<Layer> layers,
    List<LayerFile> files,
    List<String> obsolete,
    String bootOverlay) {

  /** The file name in the image directory. */
  public static final String FILE_NAME = "voi-manifest.json";

  /** The format version written and accepted. */
  public static final int FORMAT = 1;

  /** One held layer. */
  public record Layer(int depth, long version, Checksum checksum) {
    public Layer {
      Objects.requireNonNull(checksum, "checksum");
    }
  }

  /**
   * A local file covering layers {@code from..to} (one layer unless merged), with what it was
   * verified against ({@code null} in a manifest written by an agent before integrity records).
   */
  public record LayerFile(String name, int from, int to, Integrity integrity) {
    public LayerFile {
      Objects.requireNonNull(name, "name");
    }

    public LayerFile(String name, int from, int to) {
      this(name, from, to, null);
    }

    /** The same file with another integrity record. */
    public LayerFile withIntegrity(Integrity record) {
      return new LayerFile(name, from, to, record);
    }

    public boolean isMerged() {
      return to > from;
    }

    public boolean covers(int depth) {
      return from <= depth && depth <= to;
    }
  }

  /**
   * What a layer file must be: its size and SHA-256 (the server's, for a download; computed after a
   * local merge), and the file's identity when its content last matched them. A file whose identity
   * is still the same is only checked cheaply (size, stamp); another identity means someone wrote,
   * truncated or replaced it, and its SHA-256 is computed again.
   */
  public record Integrity(long size, Checksum sha256, FileIdentity verifiedAs) {
    public Integrity {
      Objects.requireNonNull(sha256, "sha256");
      Objects.requireNonNull(verifiedAs, "verifiedAs");
      if (size < 0) {
        throw new IllegalArgumentException("size: negative");
      }
    }
  }

  /**
   * @throws IllegalArgumentException naming the offending field when an invariant does not hold
   */
  public Manifest {
    ImageName.requireValid(image);
    if (bootOverlay != null && !LocalNames.isSafe(bootOverlay)) {
      throw new IllegalArgumentException(
          "bootOverlay: not a safe bare file name of the form [A-Za-z0-9._-]+.qcow2");
    }
    layers = List.copyOf(layers);
    files = List.copyOf(files);
    obsolete = List.copyOf(obsolete);
    requireValid(layers, files, obsolete);
    if (bootOverlay != null
        && (names(files).contains(bootOverlay) || obsolete.contains(bootOverlay))) {
      throw new IllegalArgumentException("bootOverlay: " + bootOverlay + " is a layer file");
    }
  }

  public Manifest(String image, List<Layer> layers, List<LayerFile> files, List<String> obsolete) {
    this(image, layers, files, obsolete, null);
  }

  private static Set<String> names(List<LayerFile> files) {
    Set<String> names = new HashSet<>();
    files.forEach(f -> names.add(f.name()));
    return names;
  }

  /** A terminal that holds nothing of the image. */
  public static Manifest empty(String image) {
    return new Manifest(image, List.of(), List.of(), List.of(), null);
  }

  /** The held checksums c_0..c_m, base first: what the reported list is built from. */
  public List<Checksum> checksums() {
    return layers.stream().map(Layer::checksum).toList();
  }

  public boolean isEmpty() {
    return layers.isEmpty();
  }

  /** The top file, the one a boot overlay sits on. */
  public Optional<LayerFile> tip() {
    return files.isEmpty() ? Optional.empty() : Optional.of(files.get(files.size() - 1));
  }

  /** The file covering layer {@code depth}. */
  public Optional<LayerFile> fileCovering(int depth) {
    return files.stream().filter(f -> f.covers(depth)).findFirst();
  }

  /** The same chain with a different obsolete list. */
  public Manifest withObsolete(List<String> names) {
    return new Manifest(image, layers, files, names, bootOverlay);
  }

  /** The same chain with other files (same layers covered). */
  public Manifest withFiles(List<LayerFile> newFiles) {
    return new Manifest(image, layers, newFiles, obsolete, bootOverlay);
  }

  /** The same chain recording another boot overlay (null: none). */
  public Manifest withBootOverlay(String name) {
    return new Manifest(image, layers, files, obsolete, name);
  }

  /** The names of the files of the chain. */
  public Set<String> fileNames() {
    return names(files);
  }

  /** The path of the manifest in {@code directory}. */
  public static Path path(Path directory) {
    return directory.resolve(FILE_NAME);
  }

  /**
   * Reads the manifest of {@code directory}; empty when there is none.
   *
   * @throws AgentException {@link Failure#MALFORMED_FILE} naming the field when it is not a valid
   *     manifest
   */
  public static Optional<Manifest> read(Path directory) throws IOException {
    Path file = path(directory);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    try {
      return Optional.of(fromJson(Json.parse(bytes)));
    } catch (IllegalArgumentException e) {
      throw AgentException.malformed(
          "malformed manifest "
              + file
              + ": "
              + e.getMessage()
              + " (remove it to rebuild the list"
              + " from the stamps, or remove the directory's files for a full download)",
          e);
    }
  }

  /** Writes the manifest into {@code directory}: temporary file, fsync, rename. */
  public void write(Path directory) throws IOException {
    byte[] bytes = (Json.write(toJson()) + "\n").getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(path(directory), out -> out.write(bytes));
  }

  /** The JSON form shown in the class comment. */
  public ObjectNode toJson() {
    ObjectNode root = Json.object();
    root.put("format", FORMAT);
    root.put("image", image);
    ArrayNode layerArray = root.putArray("layers");
    for (Layer layer : layers) {
      layerArray
          .addObject()
          .put("depth", layer.depth())
          .put("version", layer.version())
          .put("checksum", layer.checksum().hex());
    }
    ArrayNode fileArray = root.putArray("files");
    for (LayerFile file : files) {
      ObjectNode node =
          fileArray
              .addObject()
              .put("name", file.name())
              .put("from", file.from())
              .put("to", file.to());
      Integrity integrity = file.integrity();
      if (integrity != null) {
        node.put("size", integrity.size()).put("sha256", integrity.sha256().hex());
        FileIdentity identity = integrity.verifiedAs();
        node.putObject("verifiedAs")
            .put("size", identity.size())
            .put("mtime", identity.mtimeNanos())
            .put("ctime", identity.ctimeNanos())
            .put("inode", identity.inode());
      }
    }
    ArrayNode obsoleteArray = root.putArray("obsolete");
    obsolete.forEach(obsoleteArray::add);
    if (bootOverlay != null) {
      root.put("bootOverlay", bootOverlay);
    }
    return root;
  }

  /**
   * Parses the JSON form.
   *
   * @throws IllegalArgumentException naming the field
   */
  public static Manifest fromJson(JsonNode root) {
    Json.object(root, "manifest");
    long format = Json.nonNegativeLong(root, "", "format");
    if (format != FORMAT) {
      throw new IllegalArgumentException(
          "format: " + format + " is not supported (this agent reads " + FORMAT + ")");
    }
    String image = Json.string(root, "", "image");
    if (!ImageName.isValid(image)) {
      throw new IllegalArgumentException("image: not a valid image name");
    }
    List<JsonNode> layerNodes = Json.array(root, "", "layers");
    if (layerNodes.size() > ChecksumList.MAX_NODES) {
      throw new IllegalArgumentException(
          "layers: at most " + ChecksumList.MAX_NODES + " entries, got " + layerNodes.size());
    }
    List<Layer> layers = new ArrayList<>();
    for (int k = 0; k < layerNodes.size(); k++) {
      String path = Json.index("", "layers", k);
      JsonNode node = Json.object(layerNodes.get(k), path);
      layers.add(
          new Layer(
              Json.nonNegativeInt(node, path, "depth"),
              Json.nonNegativeLong(node, path, "version"),
              Json.checksum(node, path, "checksum")));
    }
    List<LayerFile> files = new ArrayList<>();
    List<JsonNode> fileNodes = Json.array(root, "", "files");
    for (int i = 0; i < fileNodes.size(); i++) {
      String path = Json.index("", "files", i);
      JsonNode node = Json.object(fileNodes.get(i), path);
      Integrity integrity = null;
      if (node.has("sha256") || node.has("size") || node.has("verifiedAs")) {
        JsonNode identity = Json.object(node.get("verifiedAs"), path + ".verifiedAs");
        String at = path + ".verifiedAs";
        integrity =
            new Integrity(
                Json.nonNegativeLong(node, path, "size"),
                Json.checksum(node, path, "sha256"),
                new FileIdentity(
                    Json.nonNegativeLong(identity, at, "size"),
                    identity.path("mtime").asLong(),
                    identity.path("ctime").asLong(),
                    identity.path("inode").asLong(-1)));
      }
      files.add(
          new LayerFile(
              Json.string(node, path, "name"),
              Json.nonNegativeInt(node, path, "from"),
              Json.nonNegativeInt(node, path, "to"),
              integrity));
    }
    List<String> obsolete = new ArrayList<>();
    JsonNode obsoleteNode = root.get("obsolete");
    if (obsoleteNode != null && !obsoleteNode.isNull()) {
      List<JsonNode> names = Json.array(root, "", "obsolete");
      for (int i = 0; i < names.size(); i++) {
        if (!names.get(i).isTextual()) {
          throw new IllegalArgumentException(Json.index("", "obsolete", i) + ": expected a string");
        }
        obsolete.add(names.get(i).textValue());
      }
    }
    String bootOverlay = null;
    JsonNode overlayNode = root.get("bootOverlay");
    if (overlayNode != null && !overlayNode.isNull()) {
      bootOverlay = Json.string(root, "", "bootOverlay");
    }
    return new Manifest(image, layers, files, obsolete, bootOverlay);
  }

  private static void requireValid(
      List<Layer> layers, List<LayerFile> files, List<String> obsolete) {
    if (layers.size() > ChecksumList.MAX_NODES) {
      throw new IllegalArgumentException(
          "layers: at most " + ChecksumList.MAX_NODES + " entries, got " + layers.size());
    }
    for (int k = 0; k < layers.size(); k++) {
      Layer layer = layers.get(k);
      if (layer == null) {
        throw new IllegalArgumentException("layers[" + k + "]: missing");
      }
      if (layer.depth() != k) {
        throw new IllegalArgumentException(
            "layers[" + k + "].depth: " + layer.depth() + ", expected " + k);
      }
      if (layer.version() < 0) {
        throw new IllegalArgumentException("layers[" + k + "].version: negative");
      }
    }
    Set<String> names = new HashSet<>();
    int next = 0;
    for (int i = 0; i < files.size(); i++) {
      LayerFile file = files.get(i);
      String path = "files[" + i + "]";
      if (file == null) {
        throw new IllegalArgumentException(path + ": missing");
      }
      requireSafeName(path + ".name", file.name());
      if (!names.add(file.name())) {
        throw new IllegalArgumentException(path + ".name: " + file.name() + " occurs twice");
      }
      if (file.from() != next) {
        throw new IllegalArgumentException(
            path + ".from: " + file.from() + ", expected " + next + " (files cover 0..m in order)");
      }
      if (file.to() < file.from()) {
        throw new IllegalArgumentException(path + ".to: " + file.to() + " is below from");
      }
      next = file.to() + 1;
    }
    if (next != layers.size()) {
      throw new IllegalArgumentException(
          "files: cover layers 0.."
              + (next - 1)
              + " but "
              + layers.size()
              + " layers are held (they must cover every held layer)");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < obsolete.size(); i++) {
      String name = obsolete.get(i);
      String path = "obsolete[" + i + "]";
      requireSafeName(path, name);
      if (names.contains(name)) {
        throw new IllegalArgumentException(path + ": " + name + " is also a file of the chain");
      }
      if (!seen.add(name)) {
        throw new IllegalArgumentException(path + ": " + name + " occurs twice");
      }
    }
  }

  private static void requireSafeName(String path, String name) {
    if (!LocalNames.isSafe(name)) {
      throw new IllegalArgumentException(
          path + ": not a safe bare file name of the form [A-Za-z0-9._-]+.qcow2");
    }
  }
}
