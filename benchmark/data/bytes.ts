// Reading a dataset file into bytes: transparently gunzips (by the gzip magic number, not the file name), and turns
// zlib's terse errors into a DataFormatError that names the file.
import { readFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DataFormatError } from './errors.ts';

const GZIP_MAGIC = [0x1f, 0x8b] as const;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/** Decompresses `bytes` when they are a gzip stream, else returns them unchanged. `file` is only for messages. */
export function maybeGunzip(bytes: Uint8Array, file: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    const out = gunzipSync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DataFormatError(file, 'a complete gzip stream', `a corrupt or truncated one (${reason})`);
  }
}

/** Reads a whole dataset file, gunzipped when it is gzip-compressed. */
export async function readDataFile(file: string): Promise<Uint8Array> {
  const raw = await readFile(file);
  return maybeGunzip(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), file);
}

/**
 * Gzip with fixed settings. Node writes mtime 0 and no file name in the header, so the same bytes in give the same
 * bytes out (for a given zlib), which keeps the shipped files' sha256 stable across regenerations.
 */
export function gzipBytes(bytes: Uint8Array): Uint8Array {
  const out = gzipSync(bytes, { level: 9 });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** uint8 pixels → float32 in [0, 1]. */
export function bytesToUnitFloats(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! / 255;
  return out;
}
