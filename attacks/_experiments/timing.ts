// Times each attack with its default options on 4,000 queries of 28×28×1 images: the querying phase and 10 optimiser
// steps, and from them the training time at the attack's default `steps` (the defaults in attacks/README.md are what
// the former 5 or 3 epochs cost at 4,000 queries). The victim is simclr-fmnist's architecture with random weights
// (mid-cnn, 2×2 pool, 1,024-d; its recipe's encoder spec), served in-process; the images are the test kit's synthetic
// ones (timing only).
//   npx tsx attacks/_experiments/timing.ts [attack-id ...]
import * as tf from '@tensorflow/tfjs-core';
import { createTinyVictim, experimentCommand, runIfMain, tinyImages } from '../../benchmark/testkit/index.ts';
import { initEngine, createEncoder, type VictimDeployment } from '../../benchmark/index.ts';
import { createOracle, encoderSpecOf, resolveOptions } from '../../benchmark/testkit/index.ts';
import simclrFmnist from '../../victims/simclr-fmnist/index.ts';
/** The attacks timed, each with the options the tables use. */
export const TIMED: readonly (readonly [string, Record<string, unknown>])[] = [
  ['direct-extraction', { loss: 'infonce' }],
  ['direct-extraction', { loss: 'mse' }],
  ['direct-extraction', { loss: 'barlow' }],
  ['label-stealing', {}],
  ['stolen-encoder', {}],
  ['cont-steal', {}],
  ['access-head', {}],
  ['recreate-head', {}],
];

async function time(which: string[]): Promise<void> {
  await initEngine({ backend: 'wasm' });
  const enc = createEncoder(encoderSpecOf(simclrFmnist), 99);
  const dim = (enc.outputs[0]!.shape as number[])[1]!;
  const tiny = createTinyVictim(1);
  const victim: VictimDeployment = {
    ...tiny,
    representationDim: dim,
    projectionDim: dim,
    classCount: 10,
    async encode(images) {
      const out = tf.tidy(
        () => enc.predict(tf.tensor4d(images.data, [images.count, 28, 28, 1]), { batchSize: 256 }) as tf.Tensor2D,
      );
      const data = (await out.data()) as Float32Array;
      out.dispose();
      return { data, count: images.count, dim };
    },
    async project(r) {
      return r;
    },
    async classify(images) {
      const r = await this.encode(images);
      const labels = new Int32Array(images.count).map((_, i) => i % 10);
      return { labels, scores: { data: r.data.slice(0, images.count * 10), count: images.count, dim: 10 } };
    },
  };
  const pool = tinyImages(4000, 5);
  for (const [id, raw] of TIMED) {
    if (which.length && !which.includes(id)) continue;
    const plugin = (await import(`../${id}/index.ts`)).default;
    const output = plugin.meta.needs?.output ?? 'representation';
    const oracle = createOracle({ deployment: victim, output });
    oracle.openAccount('a', 4000, 'attacker');
    let t0 = performance.now();
    let tq = 0;
    const ctx = {
      oracle: oracle.client('a'),
      pool,
      budget: 4000,
      seed: 1,
      deadline: Date.now() + 3600_000,
      progress: (d: number, t: number, m?: string) => {
        if (m?.startsWith('query') && d === t) tq = performance.now() - t0;
      },
      log: () => {},
    };
    const timed = 10;
    const defaults = resolveOptions('attack', plugin, { ...raw }) as { steps: number };
    const options = resolveOptions('attack', plugin, { ...raw, steps: timed });
    t0 = performance.now();
    const model = await plugin.steal(ctx, options);
    const total = performance.now() - t0;
    model.dispose();
    const perStep = (total - tq) / 1000 / timed;
    console.log(
      `${id} ${JSON.stringify(raw)}: queries ${(tq / 1000).toFixed(1)} s, ${perStep.toFixed(2)} s a step, ` +
        (`≈ ${(perStep * defaults.steps).toFixed(0)} s at the default ${defaults.steps} ` +
          `steps, tensors ${tf.memory().numTensors}`),
    );
  }
}

export const command = experimentCommand(
  'timing',
  'Times each attack: its querying phase and 10 optimiser steps, at 4,000 queries.',
)
  .argument('[attack-ids...]', 'only these attacks (default: all)')
  .action((ids: string[]) => time(ids));

runIfMain(import.meta.url, command);
