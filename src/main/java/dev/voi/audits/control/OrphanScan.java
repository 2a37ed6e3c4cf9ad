package dev.voi.audits.control;

import dev.voi.audits.entity.Finding;
import dev.voi.audits.entity.FindingKind;
import dev.voi.chain.ImageName;
import dev.voi.storage.LayerStore;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Finds files under {@code <data>/images} that no layer row names (docs/design.md §7 "orphans";
 * rows with no file are the sweep's {@link FindingKind#FILE_MISSING}). Only the two levels the
 * store writes are looked at: {@code images/<image>/<file>}; anything else there (a file directly
 * in {@code images}, a directory inside an image's folder) is an orphan too. Uploads in {@code tmp}
 * are not: they belong to publishes under way, and the start-up repair removes what a crash left.
 *
 * <p>To not mistake a publish for an orphan, the files are listed first, then the publishes under
 * way (intent files), then the rows: a file renamed into place before the listing either still has
 * its intent, or its row committed before the intent went.
 */
public final class OrphanScan {

  private final LayerStore store;

  public OrphanScan(LayerStore store) {
    this.store = store;
  }

  /**
   * @param referenced the files the layer rows name, as paths relative to the images directory
   *     ({@code <image>/<file name>}); asked for after the listing
   */
  public List<Finding> scan(Supplier<Set<Path>> referenced) throws IOException {
    Path images = store.imagesDir();
    if (!Files.isDirectory(images)) {
      return List.of();
    }
    List<Path> candidates = new ArrayList<>();
    try (DirectoryStream<Path> top = Files.newDirectoryStream(images)) {
      for (Path entry : top) {
        if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
          try (DirectoryStream<Path> files = Files.newDirectoryStream(entry)) {
            files.forEach(candidates::add);
          }
        } else {
          candidates.add(entry);
        }
      }
    }
    Set<Path> inProgress = store.placementsInProgress();
    Set<Path> named = referenced.get();
    List<Finding> orphans = new ArrayList<>();
    for (Path candidate : candidates.stream().sorted().toList()) {
      Path relative = images.relativize(candidate);
      if (named.contains(relative) || inProgress.contains(candidate.normalize())) {
        continue;
      }
      orphans.add(orphan(candidate, relative));
    }
    return orphans;
  }

  private Finding orphan(Path file, Path relative) {
    String image = relative.getNameCount() == 2 ? relative.getName(0).toString() : null;
    String what;
    try {
      what =
          Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)
              ? "a directory"
              : "a file of " + Files.size(file) + " bytes";
    } catch (IOException e) {
      what = "an entry (" + e.getMessage() + ")";
    }
    return new Finding(
        FindingKind.ORPHAN_FILE,
        image != null && ImageName.isValid(image) ? image : null,
        null,
        null,
        store.dataDir().relativize(file).toString(),
        what + " that no layer row names",
        false);
  }
}
