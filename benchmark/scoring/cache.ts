// The disk cache of what a cell computes but does not depend on the attack: the victim's answers and probe per
// split, and the legitimate users' figures. An entry is found by the sha256 of the canonical JSON of everything the
// value depends on (its key parts), so a change of any input is a miss, never a stale hit. Deleting the cache
// changes no number, only the time.
// Layout: `<root>/<namespace>/<key>.json` ({ key, parts, value }), plus `<key>.bin` for float32 payloads. Every file
// is written under a temporary name and renamed into place, the JSON last (it names the binary's sha256), so a
// reader sees a whole entry or none; an entry that fails to parse, names other parts or whose binary does not match
// its hash is treated as absent and overwritten.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../plugin/registry.ts';
import { canonicalJson, sha256Hex } from '../runner/canonical.ts';
import type { ImageSet, Vectors } from '../plugin/types.ts';

/** Environment variable that moves the cache root (default `<repository>/.cache`). */
export const CACHE_DIR_ENV = 'STEALBENCH_CACHE_DIR';

export function cacheRoot(): string {
  const fromEnv = process.env[CACHE_DIR_ENV];
  return fromEnv && fromEnv.length > 0 ? fromEnv : join(projectRoot, '.cache');
}

/** sha256 of the canonical JSON of the key parts. */
export function cacheKey(parts: unknown): string {
  return sha256Hex(canonicalJson(parts));
}

function writeAtomically(path: string, data: string | Uint8Array): void {
  // A unique name per writer (no seeded stream: it names a file, it chooses nothing a record depends on).
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, data);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

export interface CacheStats {
  hits: number;
  misses: number;
}

export interface JsonCache<T> {
  readonly dir: string;
  readonly stats: CacheStats;
  get(parts: unknown): T | undefined;
  set(parts: unknown, value: T): void;
  /** The cached value for `parts`, else `compute()` stored under them. */
  getOrCompute(parts: unknown, compute: () => Promise<T>): Promise<T>;
}

/**
 * A namespace of JSON entries. `isValue` checks a read value's shape: an entry that fails it is ignored (written by
 * another version, or damaged).
 */
export function jsonCache<T>(
  namespace: string,
  isValue: (value: unknown) => value is T,
  root: string = cacheRoot(),
): JsonCache<T> {
  const dir = join(root, namespace);
  const stats: CacheStats = { hits: 0, misses: 0 };
  const path = (key: string) => join(dir, `${key}.json`);
  const cache: JsonCache<T> = {
    dir,
    stats,
    get(parts) {
      const key = cacheKey(parts);
      const file = path(key);
      if (!existsSync(file)) return undefined;
      try {
        const entry = JSON.parse(readFileSync(file, 'utf8')) as { key?: unknown; parts?: unknown; value?: unknown };
        if (entry.key !== key || canonicalJson(entry.parts) !== canonicalJson(parts) || !isValue(entry.value))
          return undefined;
        return entry.value;
      } catch {
        return undefined;
      }
    },
    set(parts, value) {
      const key = cacheKey(parts);
      mkdirSync(dir, { recursive: true });
      writeAtomically(path(key), `${JSON.stringify({ key, parts, value })}\n`);
    },
    async getOrCompute(parts, compute) {
      const found = cache.get(parts);
      if (found !== undefined) {
        stats.hits++;
        return found;
      }
      stats.misses++;
      const value = await compute();
      cache.set(parts, value);
      return value;
    },
  };
  return cache;
}

/** Vectors (and a label API's labels) as cached: float32 data in `<key>.bin`, the rest in `<key>.json`. */
export interface CachedVectors extends Vectors {
  labels?: Int32Array;
}

interface VectorsMeta {
  count: number;
  dim: number;
  sha256: string;
  labels?: number[];
}

const isVectorsMeta = (v: unknown): v is VectorsMeta => {
  const m = v as VectorsMeta;
  return (
    typeof m === 'object' &&
    m !== null &&
    Number.isInteger(m.count) &&
    Number.isInteger(m.dim) &&
    typeof m.sha256 === 'string' &&
    (m.labels === undefined || (Array.isArray(m.labels) && m.labels.length === m.count))
  );
};

export interface VectorsCache {
  readonly stats: CacheStats;
  getOrCompute(parts: unknown, compute: () => Promise<CachedVectors>): Promise<CachedVectors>;
}

export function vectorsCache(namespace: string, root: string = cacheRoot()): VectorsCache {
  const meta = jsonCache(namespace, isVectorsMeta, root);
  const binPath = (parts: unknown) => join(meta.dir, `${cacheKey(parts)}.bin`);
  const read = (parts: unknown): CachedVectors | undefined => {
    const m = meta.get(parts);
    if (!m) return undefined;
    try {
      const bytes = readFileSync(binPath(parts));
      if (bytes.length !== m.count * m.dim * 4 || sha256Hex(bytes) !== m.sha256) return undefined;
      const data = new Float32Array(m.count * m.dim);
      new Uint8Array(data.buffer).set(bytes);
      return { data, count: m.count, dim: m.dim, ...(m.labels ? { labels: Int32Array.from(m.labels) } : {}) };
    } catch {
      return undefined;
    }
  };
  return {
    stats: meta.stats,
    async getOrCompute(parts, compute) {
      const found = read(parts);
      if (found) {
        meta.stats.hits++;
        return found;
      }
      meta.stats.misses++;
      const value = await compute();
      const bytes = new Uint8Array(value.data.buffer, value.data.byteOffset, value.data.byteLength);
      mkdirSync(meta.dir, { recursive: true });
      writeAtomically(binPath(parts), bytes);
      meta.set(parts, {
        count: value.count,
        dim: value.dim,
        sha256: sha256Hex(bytes),
        ...(value.labels ? { labels: Array.from(value.labels) } : {}),
      });
      return value;
    },
  };
}

const splitHashes = new WeakMap<object, string>();

/** sha256 of a set's shape, pixels and labels: the identity of a split in cache keys, whatever its name says. */
export function imageSetHash(set: ImageSet): string {
  const known = splitHashes.get(set);
  if (known) return known;
  const header = canonicalJson({
    count: set.count,
    height: set.height,
    width: set.width,
    channels: set.channels,
    labels: set.labels !== null,
  });
  const hash = sha256Hex(
    Buffer.concat([
      Buffer.from(header),
      Buffer.from(set.data.buffer, set.data.byteOffset, set.data.byteLength),
      ...(set.labels ? [Buffer.from(set.labels.buffer, set.labels.byteOffset, set.labels.byteLength)] : []),
    ]),
  );
  splitHashes.set(set, hash);
  return hash;
}

/** sha256 over a list of float vectors (and labels / flags), in order: the identity of the answers users received. */
export function answersHash(
  items: readonly { data: Float32Array; labels?: Int32Array; flags?: ArrayLike<boolean>; tag: string }[],
): string {
  const parts: Buffer[] = [];
  for (const item of items) {
    parts.push(Buffer.from(`${item.tag}:${item.data.length}:`));
    parts.push(Buffer.from(item.data.buffer, item.data.byteOffset, item.data.byteLength));
    if (item.labels)
      parts.push(
        Buffer.from('labels:'),
        Buffer.from(item.labels.buffer, item.labels.byteOffset, item.labels.byteLength),
      );
    if (item.flags) parts.push(Buffer.from(`flags:${Array.from(item.flags, (f) => (f ? '1' : '0')).join('')}`));
  }
  return sha256Hex(Buffer.concat(parts));
}
