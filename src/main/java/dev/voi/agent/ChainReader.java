package dev.voi.agent;

import dev.voi.chain.Checksum;
import dev.voi.chain.FileNames;
import dev.voi.chain.StampRecord;
import dev.voi.qcow2.Qcow2Editor;
import dev.voi.qcow2.Qcow2FormatException;
import dev.voi.qcow2.Qcow2Header;
import dev.voi.qcow2.Qcow2Stamp;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads which layers of an image a directory holds (docs/design.md §5): from the manifest when
 * there is one, otherwise from the stamps, following backing files from the tip down to the base.
 *
 * <p>Either way the result is only what is usable: a manifest whose file is missing, damaged or
 * does not link to the one below it counts up to the last good file (the rest is re-downloaded); a
 * stamp chain must be consistent all the way down (bare, existing backing names; depth k at
 * position k; a canonical file name that matches the stamp), else nothing is reported and the
 * server answers with a full download. Problems become warnings, never a reason to stop: the answer
 * to a damaged disk is to download it again.
 */
final class ChainReader {

  /** Where the list came from. */
  enum Source {
    MANIFEST,
    STAMPS,
    NOTHING
  }

  /**
   * @param chain the usable chain: the list reported is built from its checksums
   * @param owned every file the agent answers for: the manifest's files and obsolete files, or the
   *     stamp chain's files; the ones not kept by an update are deleted after it
   * @param manifestPresent whether the directory has a manifest
   */
  record Held(
      Manifest chain,
      Source source,
      Set<String> owned,
      boolean manifestPresent,
      List<String> warnings,
      List<String> damage,
      Optional<Manifest> reverified) {
    Held {
      owned = Set.copyOf(owned);
      warnings = List.copyOf(warnings);
      damage = List.copyOf(damage);
    }

    Held(
        Manifest chain,
        Source source,
        Set<String> owned,
        boolean manifestPresent,
        List<String> warnings) {
      this(chain, source, owned, manifestPresent, warnings, List.of(), Optional.empty());
    }

    /** One line: {@code 3 layers (manifest), tip depth 2 version 3 2a967b9a in 2 files}. */
    String summary() {
      if (chain.isEmpty()) {
        return "no layers of " + chain.image() + " held";
      }
      Manifest.Layer tip = chain.layers().get(chain.layers().size() - 1);
      int count = chain.layers().size();
      return count
          + (count == 1 ? " layer" : " layers")
          + " of "
          + chain.image()
          + " held (from the "
          + (source == Source.MANIFEST ? "manifest" : "stamps")
          + "), tip depth "
          + tip.depth()
          + " version "
          + tip.version()
          + " "
          + tip.checksum().shortHex()
          + " in "
          + chain.files().size()
          + (chain.files().size() == 1 ? " file" : " files");
    }
  }

  private final Path directory;
  private final String image;
  private final String bootOverlay;
  private boolean fullVerification;

  /**
   * @param bootOverlay the name of the local overlay, never part of the list (may be null)
   */
  ChainReader(Path directory, String image, String bootOverlay) {
    this(directory, image, bootOverlay, false);
  }

  /**
   * @param fullVerification compute the SHA-256 of every held file on the next {@link #read()}
   *     (afterwards only of files whose identity changed)
   */
  ChainReader(Path directory, String image, String bootOverlay, boolean fullVerification) {
    this.directory = directory;
    this.image = image;
    this.bootOverlay = bootOverlay;
    this.fullVerification = fullVerification;
  }

  /**
   * @throws AgentException {@link Failure#MALFORMED_FILE} for a malformed manifest, {@link
   *     Failure#USAGE} for a manifest of another image, {@link Failure#LOCAL_IO} when the directory
   *     cannot be read
   */
  Held read() {
    try {
      if (!Files.isDirectory(directory)) {
        return new Held(Manifest.empty(image), Source.NOTHING, Set.of(), false, List.of());
      }
      Optional<Manifest> manifest = Manifest.read(directory);
      if (manifest.isPresent()) {
        boolean full = fullVerification;
        fullVerification = false;
        return fromManifest(manifest.get(), full);
      }
      return fromStamps();
    } catch (IOException e) {
      throw AgentException.localIo("cannot read " + directory + ": " + e.getMessage(), e);
    }
  }

  private Held fromManifest(Manifest manifest, boolean full) {
    if (!manifest.image().equals(image)) {
      throw AgentException.usage(
          "the manifest in "
              + directory
              + " is for image "
              + manifest.image()
              + ", not "
              + image
              + " (one directory per image)");
    }
    List<String> warnings = new ArrayList<>();
    Set<String> owned = new LinkedHashSet<>(manifest.fileNames());
    owned.addAll(manifest.obsolete());
    List<String> damage = new ArrayList<>();
    List<Manifest.LayerFile> checked = new ArrayList<>(manifest.files());
    boolean changed = false;
    int usableFiles = 0;
    String below = null;
    for (int i = 0; i < manifest.files().size(); i++) {
      Manifest.LayerFile file = manifest.files().get(i);
      String problem = problemWith(file, below, manifest);
      if (problem == null) {
        Verification verification = verify(directory.resolve(file.name()), file, full);
        problem = verification.problem();
        if (problem == null && !verification.file().equals(file)) {
          checked.set(i, verification.file());
          changed = true;
        }
      }
      if (problem != null) {
        damage.add(file.name() + ": " + problem);
        warnings.add(
            file.name()
                + ": "
                + problem
                + "; layers from depth "
                + file.from()
                + " up are not reported and will be downloaded again");
        break;
      }
      usableFiles++;
      below = file.name();
    }
    Manifest refreshed = changed ? manifest.withFiles(checked) : manifest;
    Manifest usable = refreshed;
    if (usableFiles < manifest.files().size()) {
      int layers = usableFiles == 0 ? 0 : manifest.files().get(usableFiles - 1).to() + 1;
      usable = truncate(refreshed, layers);
    }
    return new Held(
        usable,
        Source.MANIFEST,
        owned,
        true,
        warnings,
        damage,
        changed ? Optional.of(refreshed) : Optional.empty());
  }

  /**
   * The chain with an integrity record for each file from its current content (a chain adopted from
   * the stamps: there is nothing earlier to compare with).
   */
  static Manifest withIntegrity(Path directory, Manifest chain) {
    List<Manifest.LayerFile> files = new ArrayList<>();
    for (Manifest.LayerFile file : chain.files()) {
      Verification verification = verify(directory.resolve(file.name()), file, true);
      if (verification.problem() != null) {
        throw AgentException.localIo(file.name() + ": " + verification.problem(), null);
      }
      files.add(verification.file());
    }
    return chain.withFiles(files);
  }

  /**
   * The outcome of checking one file against its integrity record.
   *
   * @param file the file with its (possibly renewed) record
   * @param problem why it is damaged, or null
   */
  record Verification(Manifest.LayerFile file, String problem) {}

  /**
   * Checks a held file against its integrity record: its size always (cheap), its SHA-256 when
   * {@code full} or when the file's identity changed since it was last verified. A file without a
   * record (a manifest of an older agent) gets one: its current content is taken as the verified
   * one.
   */
  static Verification verify(Path path, Manifest.LayerFile file, boolean full) {
    try {
      FileIdentity now = FileIdentity.of(path);
      Manifest.Integrity integrity = file.integrity();
      if (integrity == null) {
        Checksum sha256 = Checksum.sha256Of(path);
        FileIdentity after = FileIdentity.of(path);
        return new Verification(
            file.withIntegrity(new Manifest.Integrity(after.size(), sha256, after)), null);
      }
      if (now.size() != integrity.size()) {
        return new Verification(
            file,
            "damaged: its size is "
                + now.size()
                + " bytes, "
                + integrity.size()
                + " were verified (truncated or extended)");
      }
      if (!full && now.equals(integrity.verifiedAs())) {
        return new Verification(file, null);
      }
      Checksum actual = Checksum.sha256Of(path);
      if (!actual.equals(integrity.sha256())) {
        return new Verification(
            file,
            "damaged: its SHA-256 is "
                + actual.shortHex()
                + "…, the layer's is "
                + integrity.sha256().shortHex()
                + "… (its content changed after it was verified)");
      }
      FileIdentity after = FileIdentity.of(path);
      return new Verification(
          file.withIntegrity(new Manifest.Integrity(integrity.size(), integrity.sha256(), after)),
          null);
    } catch (IOException e) {
      return new Verification(file, "cannot be read: " + e.getMessage());
    }
  }

  /** The prefix of {@code manifest} holding {@code layerCount} layers (on a file boundary). */
  static Manifest truncate(Manifest manifest, int layerCount) {
    List<Manifest.LayerFile> files =
        manifest.files().stream().filter(f -> f.to() < layerCount).toList();
    int covered = files.isEmpty() ? 0 : files.get(files.size() - 1).to() + 1;
    if (covered != layerCount) {
      throw new IllegalArgumentException(
          "cannot keep " + layerCount + " layers: a merged file covers layer " + covered);
    }
    return new Manifest(
        manifest.image(),
        manifest.layers().subList(0, layerCount),
        files,
        manifest.obsolete(),
        manifest.bootOverlay());
  }

  /** Why a manifest file is not usable, or null. */
  private String problemWith(Manifest.LayerFile file, String below, Manifest manifest) {
    Path path = directory.resolve(file.name());
    try {
      if (!Files.isRegularFile(path)) {
        return "missing";
      }
      Qcow2Header header = Qcow2Header.read(path);
      Optional<String> backing = header.backingFile();
      if (below == null && backing.isPresent()) {
        return "the base has a backing file " + LocalNames.quote(backing.get());
      }
      if (below != null && !backing.equals(Optional.of(below))) {
        return "its backing file is "
            + backing.map(LocalNames::quote).orElse("none")
            + ", expected "
            + below;
      }
      Qcow2Stamp stamp = Qcow2Editor.readStamp(path);
      Manifest.Layer first = manifest.layers().get(file.from());
      StampRecord expected = new StampRecord(first.checksum(), first.version(), first.depth());
      if (!stamp.record().equals(Optional.of(expected))) {
        return "its stamp "
            + stamp.record().map(ChainReader::describe).orElse("(none)")
            + " is not the manifest's layer "
            + describe(expected);
      }
      return null;
    } catch (Qcow2FormatException e) {
      return "not a usable qcow2 file: " + e.getMessage();
    } catch (IOException e) {
      return "cannot be read: " + e.getMessage();
    }
  }

  static String describe(StampRecord record) {
    return "depth "
        + record.depth()
        + " version "
        + record.version()
        + " "
        + record.checksum().shortHex();
  }

  /** A stamped layer file found in the directory. */
  private record Candidate(String name, StampRecord stamp, Optional<String> backing) {}

  private Held fromStamps() throws IOException {
    Pattern canonical = Pattern.compile(Pattern.quote(image) + "-[0-9]{4,}-[0-9a-f]{8}\\.qcow2");
    Map<String, Candidate> candidates = new HashMap<>();
    List<String> warnings = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (name.equals(bootOverlay)
            || !canonical.matcher(name).matches()
            || !Files.isRegularFile(entry)) {
          continue;
        }
        try {
          Qcow2Stamp stamp = Qcow2Editor.readStamp(entry);
          if (stamp.record().isEmpty()) {
            warnings.add(name + ": not stamped; ignored");
            continue;
          }
          Qcow2Header header = Qcow2Header.read(entry);
          candidates.put(name, new Candidate(name, stamp.record().get(), header.backingFile()));
        } catch (Qcow2FormatException e) {
          warnings.add(name + ": not a usable qcow2 file (" + e.getMessage() + "); ignored");
        } catch (NoSuchFileException e) {
          // removed while we looked
        }
      }
    }
    if (candidates.isEmpty()) {
      return new Held(Manifest.empty(image), Source.NOTHING, Set.of(), false, warnings);
    }
    Set<String> referenced = new HashSet<>();
    candidates.values().forEach(c -> c.backing().ifPresent(referenced::add));
    List<List<Candidate>> chains = new ArrayList<>();
    for (Candidate tip : candidates.values()) {
      if (referenced.contains(tip.name())) {
        continue;
      }
      List<Candidate> chain = new ArrayList<>();
      String problem = follow(tip, candidates, chain);
      if (problem != null) {
        warnings.add("the chain below " + tip.name() + " is not usable: " + problem);
      } else {
        chains.add(chain);
      }
    }
    if (chains.isEmpty()) {
      return new Held(Manifest.empty(image), Source.NOTHING, Set.of(), false, warnings);
    }
    chains.sort(Comparator.comparingInt((List<Candidate> c) -> c.size()).reversed());
    if (chains.size() > 1 && chains.get(0).size() == chains.get(1).size()) {
      warnings.add(
          "two chains of the same length end in "
              + chains.get(0).get(chains.get(0).size() - 1).name()
              + " and "
              + chains.get(1).get(chains.get(1).size() - 1).name()
              + "; reporting none (the server will answer with a full download)");
      return new Held(Manifest.empty(image), Source.NOTHING, Set.of(), false, warnings);
    }
    List<Candidate> chosen = chains.get(0);
    List<Manifest.Layer> layers = new ArrayList<>();
    List<Manifest.LayerFile> files = new ArrayList<>();
    Set<String> owned = new HashSet<>();
    for (Candidate candidate : chosen) {
      StampRecord stamp = candidate.stamp();
      layers.add(new Manifest.Layer(stamp.depth(), stamp.version(), stamp.checksum()));
      files.add(new Manifest.LayerFile(candidate.name(), stamp.depth(), stamp.depth()));
      owned.add(candidate.name());
    }
    return new Held(
        new Manifest(image, layers, files, List.of()), Source.STAMPS, owned, false, warnings);
  }

  /**
   * Follows backing files from {@code tip} down to the base, filling {@code chain} base first.
   *
   * @return why the chain is not usable, or null
   */
  private String follow(Candidate tip, Map<String, Candidate> candidates, List<Candidate> chain) {
    List<Candidate> downward = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    Candidate current = tip;
    while (true) {
      if (!seen.add(current.name())) {
        return "the backing files form a loop at " + current.name();
      }
      downward.add(current);
      if (current.backing().isEmpty()) {
        break;
      }
      String backing = current.backing().get();
      if (!LocalNames.isSafe(backing)) {
        return current.name()
            + " has the backing file "
            + LocalNames.quote(backing)
            + ", which is not a bare name [A-Za-z0-9._-]+.qcow2 (refused: qemu would open it"
            + " wherever it points)";
      }
      Candidate next = candidates.get(backing);
      if (next == null) {
        return current.name()
            + " needs "
            + backing
            + ", which is not a stamped layer of "
            + image
            + " in "
            + directory;
      }
      current = next;
    }
    for (int k = downward.size() - 1; k >= 0; k--) {
      chain.add(downward.get(k));
    }
    for (int depth = 0; depth < chain.size(); depth++) {
      Candidate candidate = chain.get(depth);
      StampRecord stamp = candidate.stamp();
      if (stamp.depth() != depth) {
        return candidate.name() + " is stamped " + describe(stamp) + " but is at depth " + depth;
      }
      String expected = FileNames.canonical(image, depth, stamp.checksum());
      if (!candidate.name().equals(expected)) {
        return candidate.name()
            + " is stamped "
            + describe(stamp)
            + ", whose file name would be "
            + expected
            + " (a merged or renamed file: only a manifest can describe it)";
      }
    }
    return null;
  }
}
