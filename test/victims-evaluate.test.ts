// `evaluate-victims` on a tiny setup (a 64-image victim probed on digits, in a scratch checkout): the JSON keeps its
// shape (victims[].accuracy, baselines[]), raw pixels and every random init are scored with the leaderboard's probe,
// the random-weight baseline of each architecture is the mean of 5 inits with their sample sd, and a victim being
// retrained (`next`) reports how far its training is.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../benchmark/engine/index.ts';
import { createEncoder, embed, pixelFeatures } from '../benchmark/nn/index.ts';
import { FIDELITY_SPLIT, loadSplit } from '../benchmark/data/splits.ts';
import { linearCka, meanCosineSimilarity } from '../benchmark/scoring/representation-similarity.ts';
import type { VictimPlugin, VictimRecipe } from '../benchmark/plugin/types.ts';
import { probeAccuracies } from '../benchmark/scoring/downstream.ts';
import { archName, evaluateVictims, failuresOf, RANDOM_INITS } from '../benchmark/victims/evaluate.ts';
import { loadVictim, victimHash } from '../benchmark/victims/index.ts';

const recipe: VictimRecipe = {
  method: 'simclr',
  encoder: { arch: 'small-cnn', inputShape: [28, 28, 1], width: 0.25 },
  data: 'fmnist/victim-train-30k',
  subset: 64,
  augmentation: 'simclrGray',
  epochs: 1,
  batchSize: 32,
  learningRate: 0.002,
  seed: 3,
  downstream: ['digits'],
};
const next: VictimRecipe = { ...recipe, encoder: { ...recipe.encoder, pool: 2 }, epochs: 2 };
const plugin: VictimPlugin = { meta: { id: 'tiny-eval', title: 'tiny' }, recipe, next };
const independent: VictimPlugin = {
  meta: { id: 'tiny-eval-independent', title: 'tiny, seed 4' },
  recipe: { ...recipe, seed: 4 },
};

let scratch: string;
beforeAll(async () => {
  await initEngine();
  scratch = mkdtempSync(join(tmpdir(), 'victims-evaluate-'));
  for (const p of [plugin, independent]) {
    mkdirSync(join(scratch, 'repo', 'victims', p.meta.id), { recursive: true });
    writeFileSync(join(scratch, 'repo', 'victims', p.meta.id, 'index.ts'), `export default ${JSON.stringify(p)};\n`);
  }
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('evaluateVictims', () => {
  it(
    'scores the victim and its baselines with the leaderboard probe; random ' + 'weights are a mean ± sd of 5 inits',
    async () => {
      const options = { root: join(scratch, 'repo'), cacheDir: join(scratch, 'cache'), evaluate: false };
      const trained = await loadVictim(plugin, options);
      const other = await loadVictim(independent, options);
      // The next recipe: stopped after its first epoch of two.
      await expect(
        loadVictim(
          { ...plugin, recipe: next },
          {
            ...options,
            checkpoint: true,
            onProgress: (done) => {
              if (done === 3) throw new Error('stopped');
            },
          },
        ),
      ).rejects.toThrow('stopped');

      const e = await evaluateVictims({ root: options.root, cacheDir: options.cacheDir, backend: 'test' });
      expect(e.tasks).toEqual(['digits']);
      const [row] = e.victims;
      expect(row).toMatchObject({
        id: 'tiny-eval',
        method: 'simclr',
        arch: 'small-cnn-w0.25',
        source: 'cache',
        hash: victimHash(recipe),
      });
      expect(row!.accuracy.digits).toBe((await probeAccuracies(trained.encoder, ['digits'], 0)).digits);
      // The independent encoder's similarity to its victim, on the split cells compare stolen copies on.
      const heldOut = await loadSplit(FIDELITY_SPLIT);
      const [mine, theirs] = [await embed(other.encoder, heldOut), await embed(trained.encoder, heldOut)];
      expect(e.victims[1]!.fidelity).toEqual({
        to: 'tiny-eval',
        split: FIDELITY_SPLIT,
        cka: linearCka(mine, theirs),
        cosine: meanCosineSimilarity(mine, theirs),
      });
      expect(row!.fidelity).toBeUndefined();
      for (const v of [trained, other]) {
        v.encoder.dispose();
        v.projectionHead?.dispose();
      }
      expect(row!.next).toMatchObject({
        hash: victimHash(next),
        arch: 'small-cnn-w0.25-pool2',
        status: 'training',
        epoch: 1,
        epochs: 2,
      });

      expect(e.baselines.map((b) => b.id)).toEqual([
        'raw-pixels',
        'random-small-cnn-w0.25-pool2',
        'random-small-cnn-w0.25',
      ]);
      expect(e.baselines[0]!.accuracy.digits).toBe((await probeAccuracies(pixelFeatures, ['digits'], 0)).digits);
      expect(RANDOM_INITS).toBeGreaterThanOrEqual(5);
      for (const b of e.baselines.slice(1)) {
        const values = b.values!.digits!;
        expect(b.inits).toEqual({ digits: RANDOM_INITS });
        expect(values).toHaveLength(RANDOM_INITS);
        expect(new Set(values).size).toBeGreaterThan(1);
        expect(b.accuracy.digits).toBeCloseTo(mean(values), 12);
        const sd = Math.sqrt(values.reduce((s, x) => s + (x - mean(values)) ** 2, 0) / (values.length - 1));
        expect(b.sd!.digits).toBeCloseTo(sd, 12);
      }
      // Each init is the architecture with encoder seed i, scored with the same probe (checked for the first and last).
      const spec = { arch: 'small-cnn', inputShape: [28, 28, 1], width: 0.25 } as const;
      expect(archName({ ...spec, inputShape: [28, 28, 1] })).toBe('small-cnn-w0.25');
      for (const seed of [0, RANDOM_INITS - 1]) {
        const encoder = createEncoder({ ...spec, inputShape: [28, 28, 1] }, seed);
        expect(e.baselines[2]!.values!.digits![seed]).toBe((await probeAccuracies(encoder, ['digits'], 0)).digits);
        encoder.dispose();
      }
      // The margins compare against the random baseline of the victim's own architecture.
      expect(e.victims.map((v) => v.id)).toEqual(['tiny-eval', 'tiny-eval-independent']);
      const margin = e.margins!.find((m) => m.id === 'tiny-eval')!;
      expect(margin.overPixels.digits).toBeCloseTo(row!.accuracy.digits! - e.baselines[0]!.accuracy.digits!, 12);
      expect(margin.overRandom.digits).toBeCloseTo(row!.accuracy.digits! - e.baselines[2]!.accuracy.digits!, 12);
      expect(margin.targets).toEqual([{ what: 'Fashion-MNIST: raw pixels + 3 points', met: false }]);
      // A victim is held against raw pixels and the random weights of its own architecture, not of another one.
      const rows = [{ ...row!, accuracy: { fmnist: 0.8 } }];
      const base = (id: string, fmnist: number, arch?: string) => ({
        id,
        label: id,
        accuracy: { fmnist },
        ...(arch ? { arch } : {}),
      });
      expect(
        failuresOf(rows, [base('raw-pixels', 0.7), base('random-a', 0.9, 'other'), base('random-b', 0.75, row!.arch)]),
      ).toEqual([]);
      expect(failuresOf(rows, [base('raw-pixels', 0.7), base('random-b', 0.85, row!.arch)])).toEqual(['tiny-eval']);
      expect(failuresOf(rows, [base('raw-pixels', 0.81)])).toEqual(['tiny-eval']);
    },
    600_000,
  );
});
