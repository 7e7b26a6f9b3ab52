// Legitimate users on the attacker's protocol, and the cache of their figures: a cached result is reused only when its
// whole key matches (checked by planting a marker value in the stored entry: a hit returns the marker, a recomputation
// the true figure), and is recomputed when the defense's options, its hash, the seed or a single answer change.
// The victim is a plain function of the pixels (no tfjs), the task the shipped digits splits.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ImageBatch, Vectors, VictimDeployment } from '../benchmark/plugin/types.ts';
import {
  legitimateBudget,
  legitimateCache,
  planLegitimateUsers,
  scoreLegitimateUsers,
  type LegitimateContext,
  type LegitimateTaskAnswers,
} from '../benchmark/scoring/legitimate-users.ts';

// Counts the probes fitted, to show that answers the defense left unchanged are not fitted twice.
const fits = vi.hoisted(() => ({ count: 0 }));
vi.mock('../benchmark/nn/probe.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../benchmark/nn/probe.ts')>();
  return {
    ...original,
    fitProbeClassifier: (...args: Parameters<typeof original.fitProbeClassifier>) => {
      fits.count++;
      return original.fitProbeClassifier(...args);
    },
  };
});

/** 16 features per image: the mean of each 7×7 block of a 28×28 image. */
function blockMeans(images: ImageBatch): Vectors {
  const dim = 16;
  const data = new Float32Array(images.count * dim);
  for (let i = 0; i < images.count; i++) {
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++)
        data[i * dim + Math.floor(y / 7) * 4 + Math.floor(x / 7)]! += images.data[i * 784 + y * 28 + x]! / 49;
    }
  }
  return { data, count: images.count, dim };
}

const deployment: VictimDeployment = {
  id: 'block-means',
  inputShape: [28, 28, 1],
  representationDim: 16,
  encode: async (images) => blockMeans(images),
};

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'stealbench-legit-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const context = (over: Partial<LegitimateContext> = {}): LegitimateContext => ({
  deployment,
  victimHash: 'victim-hash-1',
  output: 'representation',
  seed: 7,
  defense: { id: 'gaussian-noise', hash: 'defense-hash-1', options: { sigma: 0.1 } },
  cache: root,
  ...over,
});

/** One user, task digits; `answer` turns the clean answers into what the defended API returned. */
async function answers(
  answer: (clean: Vectors, part: 'train' | 'test') => Vectors,
  flags = false,
): Promise<LegitimateTaskAnswers[]> {
  const plans = await planLegitimateUsers(['digits'], 1);
  return plans.map((plan) => ({
    account: plan.account,
    task: plan.task,
    train: answer(blockMeans(plan.train), 'train'),
    test: answer(blockMeans(plan.test), 'test'),
    ...(flags
      ? {
          trainFlagged: Array.from({ length: plan.train.count }, (_, i) => i % 4 === 0),
          testFlagged: Array.from({ length: plan.test.count }, () => false),
        }
      : {}),
  }));
}

describe('legitimate users on the attacker protocol', () => {
  it('plans the whole probe splits of every task for every user', async () => {
    const plans = await planLegitimateUsers(['digits'], 2);
    expect(plans.map((p) => [p.account, p.task, p.train.count, p.test.count])).toEqual([
      ['legitimate-1', 'digits', 2500, 1000],
      ['legitimate-2', 'digits', 2500, 1000],
    ]);
    expect(legitimateBudget(plans, 'legitimate-2')).toBe(3500);
  });

  it('clean answers cost nothing; garbage test answers hit (a) but not (b); flagged answers are counted', async () => {
    fits.count = 0;
    const clean = await scoreLegitimateUsers(await answers((v) => v), context({ cache: false }));
    // Answers equal to the clean ones are the undefended probe's own: one fit, not two.
    expect(fits.count).toBe(1);
    expect(clean.defended.digits).toBe(clean.undefended.digits);
    expect(clean.defendedCleanTest.digits).toBe(clean.undefended.digits);
    expect(clean.drop.digits).toBe(0);
    expect(clean.undefended.digits).toBeGreaterThan(0.5);
    expect(clean.flaggedAnswers).toBeUndefined();

    // Every test answer replaced by zeros: the probe predicts one class for all of them (100 of 1,000 digits per
    // class), while the same probe on the clean test answers keeps the undefended accuracy (its training was clean).
    const spoilt = await scoreLegitimateUsers(
      await answers((v, part) => (part === 'test' ? { ...v, data: new Float32Array(v.data.length) } : v), true),
      context({ cache: false }),
    );
    // Changed answers: the defended probe and the undefended one.
    expect(fits.count).toBe(3);
    expect(spoilt.defended.digits).toBe(0.1);
    expect(spoilt.defendedCleanTest.digits).toBe(clean.undefended.digits);
    expect(spoilt.drop.digits).toBeCloseTo(clean.undefended.digits! - 0.1, 12);
    // Every 4th of 2,500 training answers flagged (625), none of the 1,000 test answers: 625 / 3,500.
    expect(spoilt.flaggedAnswers!.digits).toBeCloseTo(625 / 3500, 12);
  });

  it('rejects answers that do not cover the split', async () => {
    const [one] = await answers((v) => v);
    const short = { ...one!, test: { ...one!.test, count: 10, data: one!.test.data.slice(0, 160) } };
    await expect(scoreLegitimateUsers([short], context())).rejects.toThrow(
      /legitimate-1, task digits, probe-test: expected 1000 answers/,
    );
  });
});

describe('cache of legitimate-user figures', () => {
  const noisy = (v: Vectors) => ({ ...v, data: v.data.map((x, i) => x + 0.05 * Math.sin(i)) });

  /** Replaces the stored defended accuracy by a marker, so that a reuse is visible. */
  function plantMarker(marker: number): void {
    const dir = legitimateCache(root).dir;
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(1);
    const entry = JSON.parse(readFileSync(join(dir, files[0]!), 'utf8'));
    entry.value.defended.digits = marker;
    writeFileSync(join(dir, files[0]!), JSON.stringify(entry));
  }

  it('is reused only when the key matches, and recomputed when the defense options change', async () => {
    const users = await answers(noisy);
    const first = await scoreLegitimateUsers(users, context());
    plantMarker(0.123);
    expect((await scoreLegitimateUsers(users, context())).defended.digits).toBe(0.123);

    const changedOptions = await scoreLegitimateUsers(
      users,
      context({ defense: { id: 'gaussian-noise', hash: 'defense-hash-1', options: { sigma: 0.2 } } }),
    );
    expect(changedOptions.defended.digits).toBe(first.defended.digits);
    const changedHash = await scoreLegitimateUsers(
      users,
      context({ defense: { id: 'gaussian-noise', hash: 'defense-hash-2', options: { sigma: 0.1 } } }),
    );
    expect(changedHash.defended.digits).toBe(first.defended.digits);
    expect((await scoreLegitimateUsers(users, context({ seed: 8 }))).defended.digits).not.toBe(0.123);
    expect((await scoreLegitimateUsers(users, context({ victimHash: 'victim-hash-2' }))).defended.digits).not.toBe(
      0.123,
    );

    // One answer of one image changed: another key, so the figures are those of the new answers.
    const [user] = users;
    const changedData = Float32Array.from(user!.test.data);
    changedData[5]! += 1;
    const changed = await scoreLegitimateUsers([{ ...user!, test: { ...user!.test, data: changedData } }], context());
    expect(changed.defended.digits).not.toBe(0.123);
    // The entry with the marker is still there for the original key.
    expect((await scoreLegitimateUsers(users, context())).defended.digits).toBe(0.123);
  });

  it('ignores a damaged entry and recomputes it', async () => {
    const users = await answers(noisy);
    const first = await scoreLegitimateUsers(users, context());
    const dir = legitimateCache(root).dir;
    for (const file of readdirSync(dir)) writeFileSync(join(dir, file), '{"key": "trunc');
    const cache = legitimateCache(root);
    expect(cache.get({})).toBeUndefined();
    expect(await scoreLegitimateUsers(users, context())).toEqual(first);
  });
});
