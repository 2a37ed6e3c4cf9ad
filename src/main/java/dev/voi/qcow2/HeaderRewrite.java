package dev.voi.qcow2;

import static dev.voi.qcow2.Qcow2FormatException.refused;

import dev.voi.chain.StampRecord;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Computes the new first 3136 bytes of a file: the header with the stamp extension (replaced in
 * place, or added before the end marker), optionally a new backing file name and backing format,
 * the backing file name moved behind the extensions, and the stamp record at byte 3072. Pure: it
 * checks every rule of docs/design.md §3 and returns bytes, the caller writes them.
 */
final class HeaderRewrite {

  private static final int BACKING_FILE_OFFSET = 8;
  private static final int BACKING_FILE_SIZE = 16;
  private static final byte[] QCOW2_FORMAT = "qcow2".getBytes(StandardCharsets.US_ASCII);

  private HeaderRewrite() {}

  /**
   * @param prefix the file from byte 0, at least 3136 bytes
   * @param newBackingFile a bare name that replaces the backing file name, or empty to keep it
   */
  static byte[] build(
      Qcow2Header header, byte[] prefix, Optional<String> newBackingFile, StampRecord record)
      throws Qcow2FormatException {
    checkWritable(header, prefix, newBackingFile);
    byte[] layout = extensionsAndName(header, prefix, newBackingFile, record);
    int newEnd = header.headerLength() + layout.length;
    if (newEnd > StampArea.OFFSET) {
      throw refused(
          "layout_end",
          "header, extensions and backing file name would end at byte " + newEnd + ", past 3072");
    }
    ByteBuffer out = ByteBuffer.wrap(Arrays.copyOf(prefix, StampArea.END));
    out.put(header.headerLength(), layout);
    Arrays.fill(out.array(), newEnd, Math.max(newEnd, header.layoutEnd()), (byte) 0);
    if (header.hasBackingFile()) {
      int nameLength = newBackingFile.map(String::length).orElse(header.backingFileSize());
      out.putLong(BACKING_FILE_OFFSET, newEnd - nameLength);
      out.putInt(BACKING_FILE_SIZE, nameLength);
    }
    out.put(StampArea.OFFSET, record.encode());
    return out.array();
  }

  private static void checkWritable(
      Qcow2Header header, byte[] prefix, Optional<String> newBackingFile)
      throws Qcow2FormatException {
    WriteGuard.check(header);
    if (newBackingFile.isPresent() && !header.hasBackingFile()) {
      throw refused(
          "backing_file_offset",
          "the image has no backing file; giving it one would change what the guest reads");
    }
    if (header.layoutEnd() > StampArea.OFFSET) {
      throw refused(
          "layout_end",
          "the header already ends at byte "
              + header.layoutEnd()
              + ", past 3072 where the stamp goes");
    }
    if (prefix.length < StampArea.END) {
      throw Qcow2FormatException.incomplete(StampArea.FIELD, StampArea.END);
    }
    Optional<HeaderExtension> oldStamp = header.extension(HeaderExtension.VOI_STAMP);
    if (oldStamp.isPresent()) {
      StampArea.decodeExtension(oldStamp.get());
    }
    checkStampArea(StampArea.bytesOf(prefix));
  }

  private static void checkStampArea(byte[] area) throws Qcow2FormatException {
    switch (StampArea.classify(area)) {
      case ZERO -> {}
      case RECORD -> StampArea.decode(area, StampArea.FIELD);
      case FOREIGN ->
          throw refused(
              StampArea.FIELD, "bytes 3072..3135 hold data that is neither zero nor a VOI stamp");
    }
  }

  /** Everything from {@code header_length} on: the extensions, the end marker, the name. */
  private static byte[] extensionsAndName(
      Qcow2Header header, byte[] prefix, Optional<String> newBackingFile, StampRecord record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean stampWritten = false;
    boolean formatWritten = false;
    for (HeaderExtension extension : header.extensions()) {
      if (extension.type() == HeaderExtension.VOI_STAMP) {
        writeExtension(out, HeaderExtension.VOI_STAMP, record.encode());
        stampWritten = true;
      } else if (extension.type() == HeaderExtension.BACKING_FORMAT && newBackingFile.isPresent()) {
        writeExtension(out, HeaderExtension.BACKING_FORMAT, QCOW2_FORMAT);
        formatWritten = true;
      } else {
        out.write(prefix, extension.offset(), extension.paddedSize());
      }
    }
    if (newBackingFile.isPresent() && !formatWritten) {
      writeExtension(out, HeaderExtension.BACKING_FORMAT, QCOW2_FORMAT);
    }
    if (!stampWritten) {
      writeExtension(out, HeaderExtension.VOI_STAMP, record.encode());
    }
    out.writeBytes(new byte[HeaderExtension.HEADER_SIZE]);
    if (newBackingFile.isPresent()) {
      out.writeBytes(newBackingFile.get().getBytes(StandardCharsets.US_ASCII));
    } else if (header.hasBackingFile()) {
      out.write(prefix, (int) header.backingFileOffset(), header.backingFileSize());
    }
    return out.toByteArray();
  }

  private static void writeExtension(ByteArrayOutputStream out, int type, byte[] data) {
    ByteBuffer extension = ByteBuffer.allocate(HeaderExtension.HEADER_SIZE + padTo8(data.length));
    extension.putInt(type).putInt(data.length).put(data);
    out.writeBytes(extension.array());
  }

  private static int padTo8(int length) {
    return HeaderExtension.padTo8(length);
  }
}
