// Times each attack with its default options on 4,000 queries of 28×28×1 images: the querying phase and one training
// epoch (the default epoch counts in attacks/README.md are chosen from these). The victim is a random 128-d small-cnn
// (the shape of simclr-fmnist) served in-process; the images are the test kit's synthetic ones (timing only).
//   npx tsx attacks/_experiments/timing.ts [attack-id ...]
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../benchmark/engine/index.ts';
import { createEncoder } from '../../benchmark/nn/encoders.ts';
import { createOracle } from '../../benchmark/oracle/oracle.ts';
import { resolveOptions } from '../../benchmark/plugin/options.ts';
import type { VictimDeployment } from '../../benchmark/plugin/types.ts';
import { tinyImages, createTinyVictim } from '../../benchmark/testkit/index.ts';
await initEngine({ backend: 'wasm' });
const enc = createEncoder({ arch: 'small-cnn', inputShape: [28, 28, 1] }, 99);
const tiny = createTinyVictim(1);
const victim: VictimDeployment = {
  ...tiny, representationDim: 128, projectionDim: 128, classCount: 10,
  async encode(images) {
    const out = tf.tidy(() => enc.predict(tf.tensor4d(images.data, [images.count, 28, 28, 1]), { batchSize: 256 }) as tf.Tensor2D);
    const data = (await out.data()) as Float32Array; out.dispose();
    return { data, count: images.count, dim: 128 };
  },
  async project(r) { return r; },
  async classify(images) { const r = await this.encode(images); const labels = new Int32Array(images.count).map((_, i) => i % 10); return { labels, scores: { data: r.data.slice(0, images.count * 10), count: images.count, dim: 10 } }; },
};
const pool = tinyImages(4000, 5);
const which = process.argv.slice(2);
for (const [id, raw] of [
  ['direct-extraction', { loss: 'infonce' }], ['direct-extraction', { loss: 'mse' }], ['direct-extraction', { loss: 'barlow' }],
  ['label-stealing', {}], ['stolen-encoder', {}], ['cont-steal', {}], ['access-head', {}], ['recreate-head', {}],
] as const) {
  if (which.length && !which.includes(id)) continue;
  const plugin = (await import(`../${id}/index.ts`)).default;
  const output = plugin.meta.needs?.output ?? 'representation';
  const oracle = createOracle({ deployment: victim, output });
  oracle.openAccount('a', 4000, 'attacker');
  let qDone = 0; let t0 = performance.now(); let tq = 0;
  const ctx = { oracle: oracle.client('a'), pool, budget: 4000, seed: 1, deadline: Date.now() + 3600_000,
    progress: (d: number, t: number, m?: string) => { if (m?.startsWith('query') && d === t) tq = performance.now() - t0; },
    log: () => {} };
  const options = resolveOptions('attack', plugin, { ...raw, epochs: 1 });
  t0 = performance.now();
  const model = await plugin.steal(ctx, options);
  const total = performance.now() - t0;
  model.dispose();
  console.log(`${id} ${JSON.stringify(raw)}: queries ${(tq / 1000).toFixed(1)} s, one epoch ${((total - tq) / 1000).toFixed(1)} s, tensors ${tf.memory().numTensors}`);
}
