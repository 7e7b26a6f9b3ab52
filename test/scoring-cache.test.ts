// The disk cache (benchmark/scoring/cache.ts): STEALBENCH_CACHE_DIR moves its root; a float32 entry round-trips bit
// for bit and is computed once; an entry whose binary was damaged or cut short is recomputed, never returned; keys
// are the canonical JSON of their parts (key order does not matter, any value does).
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CACHE_DIR_ENV, cacheKey, cacheRoot, imageSetHash, vectorsCache } from '../benchmark/scoring/cache.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'stealbench-cache-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('disk cache', () => {
  it('takes its root from STEALBENCH_CACHE_DIR', () => {
    const before = process.env[CACHE_DIR_ENV];
    process.env[CACHE_DIR_ENV] = root;
    try {
      expect(cacheRoot()).toBe(root);
    } finally {
      if (before === undefined) delete process.env[CACHE_DIR_ENV];
      else process.env[CACHE_DIR_ENV] = before;
    }
  });

  it('keys on the canonical JSON of the parts', () => {
    expect(cacheKey({ a: 1, b: [2, 3] })).toBe(cacheKey({ b: [2, 3], a: 1 }));
    expect(cacheKey({ a: 1, b: [2, 3] })).not.toBe(cacheKey({ a: 1, b: [3, 2] }));
  });

  it('stores vectors bit for bit, computes once, and recomputes a damaged binary', async () => {
    const data = Float32Array.from([0.1, -2.5, 3e-8, Math.PI]);
    let computed = 0;
    const compute = async () => {
      computed++;
      return { data: Float32Array.from(data), count: 2, dim: 2, labels: Int32Array.from([4, 7]) };
    };
    const parts = { victim: 'v', images: 'h' };
    const first = await vectorsCache('ns', root).getOrCompute(parts, compute);
    const second = await vectorsCache('ns', root).getOrCompute(parts, compute);
    expect(computed).toBe(1);
    expect(Array.from(second.data)).toEqual(Array.from(data));
    expect(Array.from(second.labels!)).toEqual([4, 7]);
    expect(second).toEqual(first);

    // Same length, other bytes: the recorded sha256 no longer matches.
    const bin = readdirSync(join(root, 'ns')).find((f) => f.endsWith('.bin'))!;
    writeFileSync(join(root, 'ns', bin), Buffer.alloc(16, 1));
    expect(Array.from((await vectorsCache('ns', root).getOrCompute(parts, compute)).data)).toEqual(Array.from(data));
    expect(computed).toBe(2);
    // Cut short, as a killed writer without the rename would leave it.
    writeFileSync(join(root, 'ns', bin), Buffer.alloc(7));
    await vectorsCache('ns', root).getOrCompute(parts, compute);
    expect(computed).toBe(3);
  });

  it('identifies an image set by its content, not its name', () => {
    const set = {
      name: 'a',
      data: Float32Array.from([0, 1, 0.5, 0.25]),
      count: 1,
      height: 2,
      width: 2,
      channels: 1,
      labels: Int32Array.from([3]),
    };
    expect(imageSetHash({ ...set, name: 'b' })).toBe(imageSetHash(set));
    expect(imageSetHash({ ...set, labels: Int32Array.from([2]) })).not.toBe(imageSetHash(set));
    expect(imageSetHash({ ...set, data: Float32Array.from([0, 1, 0.5, 0.5]) })).not.toBe(imageSetHash(set));
  });
});
