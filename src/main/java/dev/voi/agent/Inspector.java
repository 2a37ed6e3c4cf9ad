package dev.voi.agent;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.voi.chain.StampRecord;
import dev.voi.qcow2.HeaderExtension;
import dev.voi.qcow2.Qcow2Editor;
import dev.voi.qcow2.Qcow2FormatException;
import dev.voi.qcow2.Qcow2Header;
import dev.voi.qcow2.Qcow2Stamp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code voi-agent inspect}: what a qcow2 file's header says (the fields, the backing file, the
 * extensions) and its VOI stamp (the record and extension, and their state), offline. A malformed
 * file gives one line naming the reason ({@code MALFORMED magic: …}) and exit code 2.
 */
final class Inspector {

  /** The result for one file. */
  record Report(Path file, ObjectNode json, List<String> lines, Failure failure, String reason) {}

  private Inspector() {}

  static Report inspect(Path file) {
    ObjectNode json = Json.object();
    json.put("file", file.toString());
    List<String> lines = new ArrayList<>();
    lines.add(file.toString());
    Qcow2Header header;
    long fileSize;
    try {
      fileSize = Files.size(file);
      header = Qcow2Header.read(file);
    } catch (Qcow2FormatException e) {
      return failed(file, json, lines, Failure.MALFORMED_FILE, malformed(e), e);
    } catch (NoSuchFileException e) {
      return failed(file, json, lines, Failure.LOCAL_IO, "cannot read: no such file", e);
    } catch (IOException e) {
      return failed(file, json, lines, Failure.LOCAL_IO, "cannot read: " + e.getMessage(), e);
    }
    describeHeader(header, fileSize, json, lines);
    try {
      Qcow2Stamp stamp = Qcow2Editor.readStamp(file);
      describeStamp(stamp, json, lines);
    } catch (Qcow2FormatException e) {
      return failed(file, json, lines, Failure.MALFORMED_FILE, malformed(e), e);
    } catch (IOException e) {
      return failed(file, json, lines, Failure.LOCAL_IO, "cannot read: " + e.getMessage(), e);
    }
    json.put("ok", true);
    return new Report(file, json, lines, null, null);
  }

  /** {@code MALFORMED magic: qcow2 magic: …}: the kind and field, then the parser's words. */
  static String malformed(Qcow2FormatException e) {
    return e.kind() + " " + e.field() + ": " + e.getMessage();
  }

  private static Report failed(
      Path file,
      ObjectNode json,
      List<String> lines,
      Failure failure,
      String reason,
      Exception cause) {
    json.put("ok", false);
    ObjectNode error = json.putObject("error");
    if (cause instanceof Qcow2FormatException format) {
      error.put("kind", format.kind().name());
      error.put("field", format.field());
    } else {
      error.put("kind", "IO");
    }
    error.put("message", reason);
    lines.add("  error:             " + reason);
    return new Report(file, json, lines, failure, reason);
  }

  private static void describeHeader(
      Qcow2Header header, long fileSize, ObjectNode json, List<String> lines) {
    ObjectNode h = json.putObject("header");
    h.put("version", header.version());
    h.put("virtualSize", header.size());
    h.put("clusterBits", header.clusterBits());
    h.put("clusterSize", header.clusterSize());
    h.put("fileSize", fileSize);
    h.put("headerLength", header.headerLength());
    h.put("incompatibleFeatures", header.incompatibleFeatures());
    h.put("compatibleFeatures", header.compatibleFeatures());
    h.put("autoclearFeatures", header.autoclearFeatures());
    h.put("refcountOrder", header.refcountOrder());
    h.put("l1Size", header.l1Size());
    h.put("snapshots", header.nbSnapshots());
    h.put("backingFile", header.backingFile().orElse(null));
    h.put("backingFormat", header.backingFormat().orElse(null));
    header.backingFile().ifPresent(b -> h.put("backingFileSafe", LocalNames.isSafe(b)));
    ArrayNode extensions = h.putArray("extensions");
    List<String> extensionNames = new ArrayList<>();
    for (HeaderExtension extension : header.extensions()) {
      extensions
          .addObject()
          .put("type", String.format("0x%08x", extension.type()))
          .put("name", HeaderExtension.describe(extension.type()))
          .put("offset", extension.offset())
          .put("length", extension.length());
      extensionNames.add(HeaderExtension.describe(extension.type()));
    }
    lines.add("  qcow2 version:     " + header.version());
    lines.add("  virtual size:      " + header.size() + " (" + Units.bytes(header.size()) + ")");
    lines.add(
        "  cluster size:      "
            + header.clusterSize()
            + " (cluster_bits "
            + header.clusterBits()
            + ")");
    lines.add("  file size:         " + fileSize + " (" + Units.bytes(fileSize) + ")");
    lines.add(
        String.format(
            Locale.ROOT,
            "  features:          incompatible 0x%x, compatible 0x%x, autoclear 0x%x",
            header.incompatibleFeatures(),
            header.compatibleFeatures(),
            header.autoclearFeatures()));
    lines.add(
        "  backing file:      "
            + header
                .backingFile()
                .map(
                    b ->
                        LocalNames.quote(b)
                            + header.backingFormat().map(f -> " (format " + f + ")").orElse("")
                            + (LocalNames.isSafe(b)
                                ? ""
                                : " UNSAFE: not a bare [A-Za-z0-9._-]+.qcow2 name, the agent"
                                    + " refuses it"))
                .orElse("none (a base)"));
    lines.add(
        "  header extensions: "
            + (extensionNames.isEmpty() ? "none" : String.join(", ", extensionNames)));
  }

  private static void describeStamp(Qcow2Stamp stamp, ObjectNode json, List<String> lines) {
    ObjectNode s = json.putObject("stamp");
    s.put("state", stamp.state().name());
    String meaning =
        switch (stamp.state()) {
          case UNSTAMPED -> "no VOI stamp: not published by a VOI server";
          case STAMPED -> "header extension and record at byte 3072 agree";
          case EXTENSION_ONLY ->
              "header extension only: no valid record at byte 3072 (QEMU rewrote the header"
                  + " over it, or the record there is damaged); the header extension's stamp is"
                  + " used";
          case RECORD_ONLY -> "record at byte 3072 only: no header extension";
        };
    s.put(
        "extension",
        stamp.state() == dev.voi.qcow2.StampState.STAMPED
            || stamp.state() == dev.voi.qcow2.StampState.EXTENSION_ONLY);
    s.put(
        "record3072",
        stamp.state() == dev.voi.qcow2.StampState.STAMPED
            || stamp.state() == dev.voi.qcow2.StampState.RECORD_ONLY);
    lines.add("  stamp:             " + stamp.state() + " (" + meaning + ")");
    if (stamp.record().isPresent()) {
      StampRecord record = stamp.record().get();
      s.put("checksum", record.checksum().hex());
      s.put("version", record.version());
      s.put("depth", record.depth());
      lines.add("  checksum:          " + record.checksum().hex());
      lines.add("  version:           " + record.version());
      lines.add("  depth:             " + record.depth());
    }
  }
}
