// Agreement between two probes (fidelity in the paper's sense), on hand-worked inputs, and through scoreDownstream:
// a stolen copy that IS the victim agrees with it on every image; one that answers a fixed permutation of the
// victim's features (a linear probe undoes it) agrees too, while a constant encoder agrees only where the victim's
// probe predicts the class the constant encoder always predicts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agreement } from '../benchmark/scoring/classification.ts';
import { featureMemo, scoreDownstream, victimTaskProbes, VICTIM_PROBE_SEED } from '../benchmark/scoring/downstream.ts';
import { CACHE_DIR_ENV } from '../benchmark/scoring/cache.ts';
import type { ImageBatch, Vectors } from '../benchmark/plugin/types.ts';

describe('agreement', () => {
  it('counts the images on which both predict the same class', () => {
    // Same at positions 0, 1 and 3; different at 2 (1 vs 2) and 4 (0 vs 3): 3 of 5.
    expect(agreement([0, 1, 1, 2, 0], [0, 1, 2, 2, 3])).toBe(0.6);
    expect(agreement(Int32Array.from([4]), Int32Array.from([4]))).toBe(1);
    expect(() => agreement([1, 2], [1])).toThrow(/2 predictions against 1/);
    expect(() => agreement([], [])).toThrow(/no predictions/);
  });
});

/** 8 features: the mean of each 7×14 band of a 28×28 image. */
function bands(images: ImageBatch): Vectors {
  const data = new Float32Array(images.count * 8);
  for (let i = 0; i < images.count; i++) {
    for (let p = 0; p < 784; p++)
      data[i * 8 + Math.floor(p / 28 / 7) * 2 + Math.floor((p % 28) / 14)]! += images.data[i * 784 + p]! / 98;
  }
  return { data, count: images.count, dim: 8 };
}

describe('scoreDownstream', () => {
  let root: string;
  const before = process.env[CACHE_DIR_ENV];
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'stealbench-agree-'));
    process.env[CACHE_DIR_ENV] = root;
  });
  afterAll(() => {
    if (before === undefined) delete process.env[CACHE_DIR_ENV];
    else process.env[CACHE_DIR_ENV] = before;
    rmSync(root, { recursive: true, force: true });
  });

  it(
    'the victim itself agrees on every image; a constant encoder only where ' + 'the victim predicts its class',
    async () => {
      const victim = { hash: 'bands-v1', encoder: bands };
      // The victim's probe seed, so that the two probes are the same fit whatever the recipe.
      const same = await scoreDownstream(featureMemo(bands), victim, ['digits'], VICTIM_PROBE_SEED);
      expect(same.agreement.digits).toBe(1);
      expect(same.stolen.digits).toBe(same.victim.digits);

      const constant = (images: ImageBatch): Vectors => ({
        data: new Float32Array(images.count * 8).fill(0.5),
        count: images.count,
        dim: 8,
      });
      const scores = await scoreDownstream(featureMemo(constant), victim, ['digits'], 3);
      const victimPredictions = (await victimTaskProbes(victim, ['digits'], root)).digits!.testPredictions;
      // A constant input gets the same class for every image: the class with the largest bias, whatever it is.
      const counts = new Map<number, number>();
      for (const p of victimPredictions) counts.set(p, (counts.get(p) ?? 0) + 1);
      const shares = [...counts.values()].map((c) => c / victimPredictions.length);
      expect(shares).toContain(scores.agreement.digits);
      expect(scores.stolen.digits).toBe(0.1);
    },
  );
});
