package dev.voi.qcow2;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Real qemu-img files of every layout the structural check has to accept. */
final class StructureFixtures {

  /** Written by {@link #withData}: 1 MiB at 0, 64 KiB at 5 MiB, 4 KiB at 15 MiB. */
  static final long WRITTEN_BYTES = (1 << 20) + 65536 + 4096;

  private StructureFixtures() {}

  /** A 16 MiB image with data in three places. */
  static Path withData(Path dir, String name, String options) {
    Path file = Qemu.create(dir.resolve(name + ".qcow2"), "16M", options);
    Qemu.io(file, "write -P 0xab 0 1M", "write -P 0xcd 5M 64k", "write -P 0xef 15M 4k").assertOk();
    return file;
  }

  /** {@code overlay.qcow2} on {@code base.qcow2}, both with data. */
  static Path overlay(Path dir) {
    withData(dir, "base", "");
    Path file = Qemu.overlay(dir.resolve("overlay.qcow2"), "base.qcow2", "");
    Qemu.io(file, "write -P 0x11 2M 128k", "write -P 0x12 9M 4k").assertOk();
    return file;
  }

  /** Snapshots {@code s1} and {@code s2}, with data written before, between and after them. */
  static Path snapshots(Path dir) {
    Path file = withData(dir, "snap", "");
    Qemu.img(dir, "snapshot", "-c", "s1", file.getFileName().toString()).assertOk();
    Qemu.io(file, "write -P 0x21 1M 256k").assertOk();
    Qemu.img(dir, "snapshot", "-c", "s2", file.getFileName().toString()).assertOk();
    Qemu.io(file, "write -P 0x22 3M 64k").assertOk();
    return file;
  }

  /** A persistent bitmap {@code b0}, with dirty bits from a write after it was added. */
  static Path bitmap(Path dir) {
    Path file = withData(dir, "bitmap", "");
    Qemu.img(dir, "bitmap", "--add", file.getFileName().toString(), "b0").assertOk();
    Qemu.io(file, "write -P 0x31 4M 1M").assertOk();
    return file;
  }

  /**
   * {@code qemu-img convert -c} of 4 MiB: random bytes (stored uncompressed), zeros (not stored),
   * then text, which compresses so well that the file ends inside a cluster.
   */
  static Path compressed(Path dir) throws IOException {
    byte[] raw = new byte[4 << 20];
    byte[] noise = new byte[1 << 20];
    new Random(13).nextBytes(noise);
    System.arraycopy(noise, 0, raw, 0, noise.length);
    byte[] text =
        "the quick brown fox jumps over the lazy dog\n".getBytes(StandardCharsets.US_ASCII);
    for (int i = 2 << 20; i < raw.length; i++) {
      raw[i] = text[i % text.length];
    }
    Path source = Files.write(dir.resolve("compressible.raw"), raw);
    Path file = dir.resolve("compressed.qcow2");
    Qemu.img(
            dir,
            "convert",
            "-c",
            "-f",
            "raw",
            "-O",
            "qcow2",
            source.getFileName().toString(),
            file.getFileName().toString())
        .assertOk();
    return file;
  }

  /** Data written at the end and discarded again: the file ends in two free clusters. */
  static Path discardedTail(Path dir) {
    Path file = Qemu.create(dir.resolve("discarded.qcow2"), "16M", "");
    Qemu.io(file, "write -P 0x61 0 1M", "write -P 0x62 15M 128k", "discard 15M 128k").assertOk();
    return file;
  }

  /** Compressed writes through qemu-io, which leave the file ending inside a sector. */
  static Path compressedUnpadded(Path dir) {
    Path file = Qemu.create(dir.resolve("iocompressed.qcow2"), "16M", "");
    Qemu.io(
            file,
            "write -P 0x51 1M 64k",
            "write -c -P 0x52 0 64k",
            "write -c -P 0x53 64k 64k",
            "write -c -P 0x54 3M 64k")
        .assertOk();
    return file;
  }

  static final String SECRET = "secret,id=sec0,data=123456";

  /**
   * LUKS-encrypted (secret {@link #SECRET}), with data; the LUKS header follows the L1 table.
   * Creating one times PBKDF2 with getrusage, which on a busy machine fails now and then with
   * "Unable to get accurate CPU usage" (4 of 10 here): it is retried.
   */
  static Path encrypted(Path dir) throws IOException {
    Path file = dir.resolve("luks.qcow2");
    Qemu.Result created = null;
    for (int attempt = 0; attempt < 10 && (created == null || created.exitCode() != 0); attempt++) {
      Files.deleteIfExists(file);
      created =
          Qemu.img(
              dir,
              "create",
              "-q",
              "-f",
              "qcow2",
              "--object",
              SECRET,
              "-o",
              "encrypt.format=luks,encrypt.key-secret=sec0,encrypt.iter-time=100",
              file.getFileName().toString(),
              "16M");
    }
    created.assertOk();
    Qemu.run(
            dir,
            "qemu-io",
            "--object",
            SECRET,
            "--image-opts",
            "-c",
            "write -P 0x61 0 256k",
            imageOpts(file))
        .assertOk();
    return file;
  }

  /** {@code --image-opts} naming the file and the secret of {@link #encrypted}. */
  static String imageOpts(Path file) {
    return "driver=qcow2,encrypt.key-secret=sec0,file.filename=" + file.getFileName();
  }

  /** Extended L2 entries (64 KiB clusters, 2 KiB subclusters), the last cluster partly written. */
  static Path extendedL2(Path dir) {
    Path file = Qemu.create(dir.resolve("extl2.qcow2"), "16M", "extended_l2=on");
    Qemu.io(file, "write -P 0x41 0 1M", "write -P 0x42 6M 2k", "write -P 0x43 10M 4k").assertOk();
    return file;
  }
}
