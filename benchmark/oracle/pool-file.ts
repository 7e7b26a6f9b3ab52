// The binary file through which the harness hands an attack its query pool (the attack process may read only its
// private temp dir, so the pool travels as a file there, not through the oracle).
// Layout, little-endian: 8-byte magic "SBPOOL1\0", u32 header length, JSON header, zero padding to a multiple of 4,
// float32 pixels (count × H × W × C), then int32 labels when the header says so.
import { readFileSync, writeFileSync } from 'node:fs';
import type { ImageSet } from '../plugin/types.ts';

const MAGIC = 'SBPOOL1\0';

interface PoolHeader {
  name: string;
  count: number;
  height: number;
  width: number;
  channels: number;
  labels: boolean;
  classes?: readonly string[];
}

export function writePoolFile(path: string, pool: ImageSet): void {
  const header: PoolHeader = {
    name: pool.name,
    count: pool.count,
    height: pool.height,
    width: pool.width,
    channels: pool.channels,
    labels: pool.labels !== null,
  };
  if (pool.classes) header.classes = pool.classes;
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const start = Math.ceil((12 + json.length) / 4) * 4;
  const pixels = pool.count * pool.height * pool.width * pool.channels;
  if (pool.data.length !== pixels)
    throw new Error(`writePoolFile: pool "${pool.name}" has ${pool.data.length} values, expected ${pixels}.`);
  const out = Buffer.alloc(start + pixels * 4 + (pool.labels ? pool.count * 4 : 0));
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(json.length, 8);
  json.copy(out, 12);
  Buffer.from(pool.data.buffer, pool.data.byteOffset, pool.data.byteLength).copy(out, start);
  if (pool.labels)
    Buffer.from(pool.labels.buffer, pool.labels.byteOffset, pool.labels.byteLength).copy(out, start + pixels * 4);
  writeFileSync(path, out, { mode: 0o600 });
}

export function readPoolFile(path: string): ImageSet {
  const bytes = readFileSync(path);
  if (bytes.length < 12 || bytes.toString('latin1', 0, 8) !== MAGIC)
    throw new Error(`${path}: not a stealbench pool file (bad magic).`);
  const headerLength = bytes.readUInt32LE(8);
  const header = JSON.parse(bytes.toString('utf8', 12, 12 + headerLength)) as PoolHeader;
  const start = Math.ceil((12 + headerLength) / 4) * 4;
  const pixels = header.count * header.height * header.width * header.channels;
  const expected = start + pixels * 4 + (header.labels ? header.count * 4 : 0);
  if (bytes.length !== expected)
    throw new Error(`${path}: ${bytes.length} bytes, expected ${expected} for ${header.count} image(s).`);
  // Copy into fresh, aligned arrays (the Buffer may sit at any offset of a shared pool).
  const data = new Float32Array(pixels);
  new Uint8Array(data.buffer).set(bytes.subarray(start, start + pixels * 4));
  let labels: Int32Array | null = null;
  if (header.labels) {
    labels = new Int32Array(header.count);
    new Uint8Array(labels.buffer).set(bytes.subarray(start + pixels * 4, expected));
  }
  const pool: ImageSet = {
    name: header.name,
    count: header.count,
    height: header.height,
    width: header.width,
    channels: header.channels,
    data,
    labels,
  };
  if (header.classes) pool.classes = header.classes;
  return pool;
}
