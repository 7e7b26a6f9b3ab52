// The victim store on a tiny recipe (64 Fashion-MNIST images, 1 epoch, small-cnn ×0.25, no probes): the recipe hash
// is canonical, training is reproducible from the seed, the second load is a cache hit that trains nothing, and the
// training hook's extra loss is optimised with its own variables.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../benchmark/engine/index.ts';
import { weightsHash } from '../benchmark/nn/index.ts';
import type { VictimPlugin, VictimRecipe } from '../benchmark/plugin/types.ts';
import { loadVictim, trainVictim, victimHash } from '../benchmark/victims/index.ts';
import { partialDir, readVictimCheckpoint } from '../benchmark/victims/checkpoint.ts';
import { CACHE_DIR_ENV } from '../benchmark/scoring/cache.ts';
import { defaultCacheDir } from '../benchmark/victims/store.ts';
import { checkPluginShape } from '../benchmark/plugin/shape.ts';

const recipe: VictimRecipe = {
  method: 'simclr',
  encoder: { arch: 'small-cnn', inputShape: [28, 28, 1], width: 0.25 },
  data: 'fmnist/victim-train-30k',
  subset: 64,
  augmentation: 'simclrGray',
  epochs: 1,
  batchSize: 32,
  learningRate: 0.002,
  seed: 11,
  downstream: [],
};
const tinyVictim = (seed = 11): VictimPlugin => ({
  meta: { id: 'tiny-simclr', title: 'tiny' },
  recipe: { ...recipe, seed },
});

let scratch: string;
beforeAll(async () => {
  await initEngine();
  scratch = mkdtempSync(join(tmpdir(), 'victims-store-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('victimHash', () => {
  it('is the sha256 of the canonical recipe: key order does not matter, every value does', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.oneof(fc.integer(), fc.string(), fc.boolean()), {
          maxKeys: 5,
        }),
        (more) => {
          const a = { ...recipe, ...more } as VictimRecipe;
          const b = Object.fromEntries(Object.entries(a).reverse()) as VictimRecipe;
          expect(victimHash(b)).toBe(victimHash(a));
        },
      ),
      { numRuns: 50 },
    );
    expect(victimHash(recipe)).toMatch(/^[0-9a-f]{64}$/);
    expect(victimHash({ ...recipe, learningRate: 0.001 })).not.toBe(victimHash(recipe));
  });

  it('includes extra settings, and treats {} as none', () => {
    expect(victimHash(recipe, {})).toBe(victimHash(recipe));
    expect(victimHash(recipe, { watermark: { triggers: 4 } })).not.toBe(victimHash(recipe));
    expect(() => victimHash({ ...recipe, learningRate: Number.NaN })).toThrow(/plain JSON/);
  });
});

describe('trainVictim', () => {
  it('gives identical weights for the same seed and different weights for another seed', async () => {
    const a = await trainVictim(tinyVictim(), { evaluate: false });
    const b = await trainVictim(tinyVictim(), { evaluate: false });
    const c = await trainVictim(tinyVictim(12), { evaluate: false });
    try {
      expect(a.metrics.steps).toBe(2);
      expect(weightsHash(b.encoder)).toBe(weightsHash(a.encoder));
      expect(b.metrics.encoderWeightsHash).toBe(a.metrics.encoderWeightsHash);
      expect(weightsHash(c.encoder)).not.toBe(weightsHash(a.encoder));
      expect(a.projectionHead).toBeDefined();
      expect(a.metrics.hash).toBe(victimHash(tinyVictim().recipe));
    } finally {
      for (const v of [a, b, c]) {
        v.encoder.dispose();
        v.projectionHead?.dispose();
      }
    }
  }, 120_000);

  it('probes during training when asked (probeEvery), without changing the trained weights', async () => {
    // Two epochs on the digits task (its probe splits are the smallest shipped: 2,500 + 1,000 images).
    const twoEpochs: VictimPlugin = {
      meta: { id: 'tiny-simclr', title: 'tiny' },
      recipe: { ...recipe, epochs: 2, downstream: ['digits'] },
    };
    const plain = await trainVictim(twoEpochs, { evaluate: false });
    const probed = await trainVictim(twoEpochs, { evaluate: false, probeEvery: 1 });
    try {
      expect(weightsHash(probed.encoder)).toBe(weightsHash(plain.encoder));
      const curve = probed.metrics.probeCurve!;
      expect(curve.task).toBe('digits');
      expect(curve.points.map((p) => p.epoch)).toEqual([1, 2]);
      expect(curve.points.map((p) => p.loss)).toEqual(probed.metrics.epochLosses);
      for (const point of curve.points) expect(point.accuracy).toBeGreaterThan(0.1); // ten classes: above chance
      expect(plain.metrics.probeCurve).toBeUndefined();
    } finally {
      for (const v of [plain, probed]) {
        v.encoder.dispose();
        v.projectionHead?.dispose();
      }
    }
    await expect(trainVictim(twoEpochs, { evaluate: false, probeEvery: 0 })).rejects.toThrow(
      /probeEvery: expected a positive integer/,
    );
    await expect(trainVictim(tinyVictim(), { evaluate: false, probeEvery: 1 })).rejects.toThrow(
      /needs a downstream task/,
    );
  }, 180_000);

  it('rejects a recipe whose fields do not fit, naming the victim and the field', async () => {
    const bad = (r: Partial<VictimRecipe>): VictimPlugin => ({
      meta: { id: 'bad', title: 'bad' },
      recipe: { ...recipe, ...r } as VictimRecipe,
    });
    await expect(trainVictim(bad({ encoder: { arch: 'vgg', inputShape: [28, 28, 1] } }))).rejects.toThrow(
      /victim 'bad': recipe.encoder.arch: expected one of small-cnn/,
    );
    await expect(trainVictim(bad({ encoder: { arch: 'small-cnn', inputShape: [32, 32, 3] } }))).rejects.toThrow(
      /28×28×1 images, but recipe.encoder.inputShape is 32×32×3/,
    );
    await expect(trainVictim(bad({ subset: 1 }))).rejects.toThrow(/recipe.subset: expected an integer from 2/);
    await expect(trainVictim(bad({ augmentation: 'nope' }))).rejects.toThrow(
      /recipe.augmentation: unknown augmentation preset "nope"/,
    );
    await expect(trainVictim(bad({ data: 'fmnist/nothing' }))).rejects.toThrow(
      /recipe.data 'fmnist\/nothing': unknown split/,
    );
  });

  it('optimises a training hook: its loss is added and its variables are trained', async () => {
    // A hook pulling the mean representation towards a trainable target vector: both the encoder and the target move.
    const target = tf.variable(tf.zeros([32]), true, 'hook-target');
    let calls = 0;
    const hook = {
      variables: [target],
      loss: (reps: tf.Tensor2D, images: tf.Tensor4D, seed: number) => {
        calls++;
        expect(images.shape).toEqual([32, 28, 28, 1]);
        expect(Number.isInteger(seed)).toBe(true);
        return tf.mean(tf.square(tf.sub(tf.mean(reps, 0), tf.add(target, 1)))) as tf.Scalar;
      },
    };
    const plain = await trainVictim(tinyVictim(), { evaluate: false });
    const hooked = await trainVictim(tinyVictim(), {
      evaluate: false,
      trainHook: hook,
      extra: { hook: 'mean-target' },
    });
    try {
      expect(calls).toBe(2);
      expect(Array.from(target.dataSync()).some((v) => v !== 0)).toBe(true);
      expect(weightsHash(hooked.encoder)).not.toBe(weightsHash(plain.encoder));
      expect(hooked.hash).toBe(victimHash(recipe, { hook: 'mean-target' }));
      expect(hooked.metrics.extra).toEqual({ hook: 'mean-target' });
    } finally {
      for (const v of [plain, hooked]) {
        v.encoder.dispose();
        v.projectionHead?.dispose();
      }
      target.dispose();
    }
  }, 120_000);
});

describe('loadVictim', () => {
  it(
    'trains once, then hits the cache without training (and shipped-weights ' + 'lookup uses the checkout root)',
    async () => {
      const options = { cacheDir: join(scratch, 'cache'), root: join(scratch, 'repo'), evaluate: false };
      let steps = 0;
      const first = await loadVictim(tinyVictim(), { ...options, onProgress: () => void steps++ });
      expect(first.source).toBe('trained');
      expect(steps).toBe(2);
      const firstHash = weightsHash(first.encoder);
      first.encoder.dispose();
      first.projectionHead?.dispose();

      let again = 0;
      const second = await loadVictim(tinyVictim(), { ...options, onProgress: () => void again++ });
      try {
        expect(second.source).toBe('cache');
        expect(again).toBe(0);
        expect(second.dir).toBe(join(options.cacheDir, victimHash(recipe)));
        expect(weightsHash(second.encoder)).toBe(firstHash);
        expect(second.metrics?.epochLosses.length).toBe(1);
        expect(second.projectionHead).toBeDefined();
      } finally {
        second.encoder.dispose();
        second.projectionHead?.dispose();
      }
      // Other extra settings are another victim: trained again.
      let third = 0;
      const other = await loadVictim(tinyVictim(), { ...options, extra: { mark: 1 }, onProgress: () => void third++ });
      expect(other.source).toBe('trained');
      expect(third).toBe(2);
      other.encoder.dispose();
      other.projectionHead?.dispose();
    },
    120_000,
  );

  it(
    'a training stopped after epoch 1 (or inside epoch 2) and resumed gives ' +
      'the weights of one never stopped, bit for bit',
    async () => {
      const twoEpochs = (): VictimPlugin => ({
        meta: { id: 'tiny-resume', title: 'tiny' },
        recipe: { ...recipe, epochs: 2, seed: 12 },
      });
      const hash = victimHash(twoEpochs().recipe);
      const base = { root: join(scratch, 'repo'), evaluate: false };
      const straight = await loadVictim(twoEpochs(), { ...base, cacheDir: join(scratch, 'straight') });

      // The first process checkpoints every epoch and dies during epoch 2 (2 steps an epoch).
      const cacheDir = join(scratch, 'stopped');
      const partial = partialDir(cacheDir, hash);
      await expect(
        loadVictim(twoEpochs(), {
          ...base,
          cacheDir,
          checkpoint: true,
          onProgress: (done) => {
            if (done === 3) throw new Error('session ended');
          },
        }),
      ).rejects.toThrow('session ended');
      expect(readdirSync(partial).sort()).toEqual(['step-0000002.bin', 'step-0000002.json']);
      expect((await readVictimCheckpoint(partial))!.checkpoint.epoch).toBe(1);
      expect(existsSync(join(cacheDir, hash))).toBe(false);
      // Without --resume (or --force) the checkpoint is not silently thrown away.
      await expect(loadVictim(twoEpochs(), { ...base, cacheDir, checkpoint: true })).rejects.toThrow(
        /a stopped training of this recipe is in .*partial.* \(after epoch 1 of 2\): --resume continues it, --force starts over/,
      );

      let steps = 0;
      const resumed = await loadVictim(twoEpochs(), {
        ...base,
        cacheDir,
        checkpoint: true,
        resume: true,
        onProgress: () => void steps++,
      });
      try {
        expect(steps).toBe(2);
        expect(resumed.source).toBe('trained');
        expect(weightsHash(resumed.encoder)).toBe(weightsHash(straight.encoder));
        expect(weightsHash(resumed.projectionHead!)).toBe(weightsHash(straight.projectionHead!));
        expect(resumed.metrics!.epochLosses).toEqual(straight.metrics!.epochLosses);
        expect(resumed.metrics!.steps).toBe(4);
        // Finished: the victim is in the cache by hash, the partial run is gone.
        expect(resumed.dir).toBe(join(cacheDir, hash));
        expect(existsSync(partial)).toBe(false);
      } finally {
        for (const v of [resumed]) {
          v.encoder.dispose();
          v.projectionHead?.dispose();
        }
      }

      // Checkpoints every step (checkpointSeconds 0): stopped inside epoch 2, after its first batch, and resumed there.
      const midCache = join(scratch, 'mid');
      await expect(
        loadVictim(twoEpochs(), {
          ...base,
          cacheDir: midCache,
          checkpoint: true,
          checkpointSeconds: 0,
          onProgress: (done) => {
            if (done === 4) throw new Error('session ended');
          },
        }),
      ).rejects.toThrow('session ended');
      const mid = (await readVictimCheckpoint(partialDir(midCache, hash)))!.checkpoint;
      expect([mid.epoch, mid.batch, mid.steps]).toEqual([1, 1, 3]);
      const fromMid = await loadVictim(twoEpochs(), { ...base, cacheDir: midCache, checkpoint: true, resume: true });
      try {
        expect(weightsHash(fromMid.encoder)).toBe(weightsHash(straight.encoder));
        expect(fromMid.metrics!.epochLosses).toEqual(straight.metrics!.epochLosses);
      } finally {
        for (const v of [straight, fromMid]) {
          v.encoder.dispose();
          v.projectionHead?.dispose();
        }
      }
    },
    180_000,
  );

  it('the victims cache is under $STEALBENCH_CACHE_DIR when set, else under .cache in the checkout', () => {
    const saved = process.env[CACHE_DIR_ENV];
    try {
      process.env[CACHE_DIR_ENV] = '/somewhere/else';
      expect(defaultCacheDir()).toBe('/somewhere/else/victims');
      delete process.env[CACHE_DIR_ENV];
      expect(defaultCacheDir()).toMatch(/\/\.cache\/victims$/);
    } finally {
      if (saved === undefined) delete process.env[CACHE_DIR_ENV];
      else process.env[CACHE_DIR_ENV] = saved;
    }
  });

  it("a victim's next recipe is checked like its recipe, naming the field", () => {
    const plugin = { meta: { id: 'tiny', title: 'tiny' }, recipe, next: { ...recipe, epochs: 0 } };
    expect(checkPluginShape('victim', plugin)).toEqual([expect.stringMatching(/^next\/epochs: /)]);
    expect(checkPluginShape('victim', { ...plugin, next: 'later' })).toEqual([
      expect.stringMatching(/^next: must be a recipe object/),
    ]);
    expect(checkPluginShape('victim', { ...plugin, next: recipe })).toEqual([]);
  });

  it('names the folder when a victim id is unknown', async () => {
    await expect(loadVictim('no-such-victim', { root: join(scratch, 'repo') })).rejects.toThrow(
      /unknown victim 'no-such-victim'; registered victims: .*\(no folder .*victims\/no-such-victim\)/,
    );
  });
});
