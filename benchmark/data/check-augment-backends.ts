// Checks the augmentations on the wasm backend against the cpu reference and times the presets on both:
//   npx tsx benchmark/data/check-augment-backends.ts
// (The tests run on cpu only, so that they do not depend on the engine work; this is the wasm cross-check.)
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { makeAugmentation } from './augment-pipeline.ts';
import {
  rotate,
  blurWithSigmas,
  randomResizedCrop,
  colorJitter,
  randomGrayscale,
  randomFlip,
  gaussianNoise,
} from './augment.ts';
import { synthetic } from './synthetic.ts';
const set = synthetic({ count: 8, seed: 1, height: 32, width: 32, channels: 3 });
const ops: Record<string, (x: tf.Tensor4D) => tf.Tensor4D> = {
  rotate: (x) => rotate(x, [0.1, 0.5, 1, 1.5, -0.3, 0.2, 3, 0]),
  blur: (x) => blurWithSigmas(x, [0.5, 1, 2, 0, 0.3, 1.5, 0.9, 0.1], 5),
  crop: (x) => randomResizedCrop(x, 3, { scale: [0.2, 1] }),
  jitter: (x) => colorJitter(x, 3, { brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 }),
  gray: (x) => randomGrayscale(x, 3, 0.5),
  flip: (x) => randomFlip(x, 3, 0.5),
  noise: (x) => gaussianNoise(x, 3, 0.1),
  full: (x) =>
    makeAugmentation({
      crop: { scale: [0.3, 1] },
      flip: 0.5,
      rotate: 20,
      colorJitter: { brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1, p: 0.8 },
      grayscale: 0.2,
      blur: { p: 0.5 },
      noise: 0.02,
    })(x, 9),
};
const results: Record<string, Record<string, Float32Array>> = {};
for (const backend of ['cpu', 'wasm']) {
  await tf.setBackend(backend);
  const x = tf.tensor4d(set.data, [8, 32, 32, 3]);
  for (const [name, op] of Object.entries(ops)) {
    const before = tf.memory().numTensors;
    const y = op(x);
    (results[name] ??= {})[backend] = y.dataSync() as Float32Array;
    y.dispose();
    if (tf.memory().numTensors !== before) console.log('LEAK', backend, name);
  }
  // timing on a realistic batch
  const big = tf.tensor4d(
    synthetic({ count: 256, seed: 2, height: 32, width: 32, channels: 3 }).data,
    [256, 32, 32, 3],
  );
  const gray = tf.tensor4d(synthetic({ count: 256, seed: 2 }).data, [256, 28, 28, 1]);
  for (const [label, aug, input] of [
    ['simclrRgb 256x32x32x3', makeAugmentation('simclrRgb'), big],
    ['simclrGray 256x28x28x1', makeAugmentation('simclrGray'), gray],
  ] as const) {
    aug(input, 0).dispose();
    const t = performance.now();
    for (let i = 0; i < 5; i++) aug(input, i).dispose();
    console.log(backend, label, ((performance.now() - t) / 5).toFixed(1), 'ms/batch');
  }
  tf.dispose([x, big, gray]);
}
for (const [name, r] of Object.entries(results)) {
  let max = 0;
  for (let i = 0; i < r.cpu!.length; i++) max = Math.max(max, Math.abs(r.cpu![i]! - r.wasm![i]!));
  console.log(name, 'max |cpu - wasm| =', max.toExponential(2));
}
