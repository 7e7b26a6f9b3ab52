// Times SimCLR training steps of candidate victim encoders on this machine's engine, to plan victim trainings
// (issue 11: measure one epoch on the final engine before choosing data size, width and epochs):
//   npx tsx benchmark/victims/time-epoch.ts [--steps 3] [--batch 256] [--images 30000] [--arch gap,pool2,w2pool2,deep]
// Each candidate runs one warm-up step and then --steps timed steps on real training images with the recipe's
// augmentation; seconds per epoch = seconds per step × floor(images / batch). On a shared machine the figure is
// what the background trainings will see, so run it under the same load and `nice` as they will run.
import { parseArgs } from 'node:util';
import { initEngine } from '../engine/index.ts';
import { makeAugmentation } from '../data/augment-pipeline.ts';
import { loadSplit } from '../data/splits.ts';
import { selectImageSet } from '../data/image-set.ts';
import { createEncoder, trainSsl, type EncoderSpec } from '../nn/index.ts';

/** The candidates of the PyTorch calibrations (calibrate-victim.py, victims/_experiments/calibrate_gpu.py), as EncoderSpecs. */
export const CANDIDATES: Record<string, EncoderSpec> = {
  gap: { arch: 'small-cnn', inputShape: [28, 28, 1] },
  pool2: { arch: 'small-cnn', inputShape: [28, 28, 1], pool: 2 },
  w2pool2: { arch: 'small-cnn', inputShape: [28, 28, 1], width: 2, pool: 2 },
  deep: { arch: 'deep-cnn', inputShape: [28, 28, 1] },
  deeppool2: { arch: 'deep-cnn', inputShape: [28, 28, 1], pool: 2 },
  midpool2: { arch: 'mid-cnn', inputShape: [28, 28, 1], pool: 2 },
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '3' },
      batch: { type: 'string', default: '256' },
      images: { type: 'string', default: '30000' },
      arch: { type: 'string', default: Object.keys(CANDIDATES).join(',') },
      backend: { type: 'string' },
    },
  });
  const steps = Number(values.steps);
  const batch = Number(values.batch);
  const images = Number(values.images);
  const engine = await initEngine(values.backend ? { backend: values.backend as never } : {});
  const all = await loadSplit('fmnist/victim-train-30k');
  const data = selectImageSet(
    all,
    Array.from({ length: batch * (steps + 1) }, (_, i) => i),
    'timing',
  );
  const augment = makeAugmentation({
    crop: { scale: [0.2, 1] },
    flip: 0.5,
    colorJitter: { brightness: 0.4, contrast: 0.4, p: 1 },
  });
  console.log(
    `engine ${engine.backend}; batch ${batch}; ${steps} timed steps after 1 ` +
      `warm-up; epoch = ${Math.floor(images / batch)} steps`,
  );
  for (const name of values.arch!.split(',')) {
    const spec = CANDIDATES[name];
    if (!spec) throw new Error(`--arch ${name}: expected one of ${Object.keys(CANDIDATES).join(', ')}`);
    const encoder = createEncoder(spec, 1);
    const times: number[] = [];
    let last = performance.now();
    const result = await trainSsl({
      encoder,
      method: 'simclr',
      data,
      augment,
      epochs: 1,
      batchSize: batch,
      learningRate: 2e-3,
      seed: 1,
      temperature: 0.2,
      hiddenDim: 256,
      projectionDim: 128,
      onProgress: () => {
        const now = performance.now();
        times.push((now - last) / 1000);
        last = now;
      },
    });
    for (const head of Object.values(result.heads)) head?.dispose();
    encoder.dispose();
    const timed = times.slice(1);
    const perStep = timed.reduce((a, b) => a + b, 0) / timed.length;
    const perEpoch = perStep * Math.floor(images / batch);
    console.log(
      `${name.padEnd(10)} ${perStep.toFixed(2)} s/step (steps ${timed.map((t) => t.toFixed(2)).join(', ')}) ` +
        ` ≈ ${(perEpoch / 60).toFixed(1)} min/epoch of ${images}`,
    );
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
