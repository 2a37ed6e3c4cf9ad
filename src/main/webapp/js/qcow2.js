// Reads what a qcow2 file names as its backing file, in the browser, before any byte is sent.
// Header (big-endian): magic "QFI\xfb" at 0, backing_file_offset u64 at 8, backing_file_size u32
// at 16.

const MAGIC = 0x514649fb;
const MAX_NAME = 1023;

export async function backingName(file) {
  if (file.size < 72) throw new Error('not a qcow2 file: ' + file.size + ' bytes is too short');
  const header = new DataView(await file.slice(0, 72).arrayBuffer());
  if (header.getUint32(0) !== MAGIC) throw new Error('not a qcow2 file: no QFI\\xfb magic');
  const offset = header.getBigUint64(8);
  const size = header.getUint32(16);
  if (offset === 0n || size === 0) return null;
  if (size > MAX_NAME) throw new Error('backing_file_size ' + size + ' is over ' + MAX_NAME);
  if (offset + BigInt(size) > BigInt(file.size)) {
    throw new Error('backing file name at ' + offset + ' lies past the end of the file');
  }
  const start = Number(offset);
  const bytes = await file.slice(start, start + size).arrayBuffer();
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}
