// Batched augmentations, on the cpu reference backend: values worked out by hand (flip = reversed rows, full crop =
// identity, 90° rotation = np.rot90, luma of a known colour, blur of an impulse = the outer product of the 1-D
// gaussian), statistics of the noise, invariants of the hue rotation, determinism under a seed and no tensor leaks.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  applyColorJitter,
  blurWithSigmas,
  cropToBoxes,
  gaussianBlur,
  gaussianNoise,
  hueRotationMatrix,
  randomFlip,
  randomGrayscale,
  randomResizedCrop,
  rotate,
  sampleCropBoxes,
} from '../benchmark/data/augment.ts';
import { AUGMENTATION_PRESETS, makeAugmentation, parseAugmentationSpec } from '../benchmark/data/augment-pipeline.ts';
import { createRng } from '../benchmark/util/random.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Runs `f`, returns its output's values, and checks that only the output tensor was left (then disposes it). */
function run(f: () => tf.Tensor): Float32Array {
  const before = tf.memory().numTensors;
  const out = f();
  expect(tf.memory().numTensors).toBe(before + 1);
  const values = out.dataSync() as Float32Array;
  out.dispose();
  return values;
}

const closeTo = (values: ArrayLike<number>, expected: number[], digits = 5) =>
  expect(Array.from(values)).toEqual(expected.map((v) => expect.closeTo(v, digits)));

describe('flip', () => {
  it('p = 1 reverses every row, p = 0 keeps the image, p = 0.5 does one or the other per image', () => {
    const image = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
    expect(Array.from(run(() => randomFlip(image, 1, 1)))).toEqual([3, 2, 1, 6, 5, 4]);
    expect(Array.from(run(() => randomFlip(image, 1, 0)))).toEqual([1, 2, 3, 4, 5, 6]);
    const batch = tf.tensor4d(
      Array.from({ length: 16 * 6 }, (_, i) => (i % 6) + 1),
      [16, 2, 3, 1],
    );
    const out = run(() => randomFlip(batch, 3, 0.5));
    const kinds = new Set<string>();
    for (let n = 0; n < 16; n++) kinds.add(Array.from(out.subarray(n * 6, n * 6 + 6)).join(','));
    expect(kinds).toEqual(new Set(['1,2,3,4,5,6', '3,2,1,6,5,4']));
    tf.dispose([image, batch]);
  });
});

describe('random resized crop', () => {
  const values = Array.from({ length: 16 }, (_, i) => i / 16);
  const image = () => tf.tensor4d(values, [1, 4, 4, 1]);

  it('the full box is the identity, and scale [1, 1] with ratio [1, 1] picks the full box', () => {
    const x = image();
    closeTo(
      run(() => cropToBoxes(x, [[0, 0, 1, 1]])),
      values,
      6,
    );
    closeTo(
      run(() => randomResizedCrop(x, 5, { scale: [1, 1], ratio: [1, 1] })),
      values,
      6,
    );
    x.dispose();
  });

  it('a box over the top-left 2×2 pixels, resized to 2×2, returns exactly those pixels', () => {
    const x = image();
    closeTo(
      run(() => cropToBoxes(x, [[0, 0, 1 / 3, 1 / 3]], [2, 2])),
      [0, 1, 4, 5].map((i) => values[i]!),
      6,
    );
    x.dispose();
  });

  it('sampled boxes lie inside the image with an area in the scale range and an aspect in the ratio range', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        (seed, low) => {
          const scale = [low, Math.min(1, low + 0.3)] as const;
          const [box] = sampleCropBoxes(1, 28, 28, createRng(seed), { scale, ratio: [0.75, 4 / 3] });
          const [y1, x1, y2, x2] = box!;
          const h = (y2! - y1!) * 27 + 1;
          const w = (x2! - x1!) * 27 + 1;
          const area = (h * w) / (28 * 28);
          const ok = y1! >= -1e-9 && x1! >= -1e-9 && y2! <= 1 + 1e-9 && x2! <= 1 + 1e-9;
          // The fallback (central crop) may be taken when 10 tries fail; it is the whole image for a square.
          const fallback = Math.abs(h - 28) < 1e-9 && Math.abs(w - 28) < 1e-9;
          const inRange =
            area >= scale[0] - 1e-9 && area <= scale[1] + 1e-9 && w / h >= 0.75 - 1e-9 && w / h <= 4 / 3 + 1e-9;
          return ok && (inRange || fallback);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('rotation', () => {
  it('90° counter-clockwise of a 3×3 image is np.rot90', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    closeTo(
      run(() => rotate(x, [Math.PI / 2])),
      [3, 6, 9, 2, 5, 8, 1, 4, 7],
    );
    x.dispose();
  });

  it('per-image angles: 0°, 90° and 180° of a 4×4 image, 0 fill never needed', () => {
    const values = Array.from({ length: 16 }, (_, i) => i + 1);
    const x = tf.tensor4d([...values, ...values, ...values], [3, 4, 4, 1]);
    const out = run(() => rotate(x, [0, Math.PI / 2, Math.PI]));
    const at = (y: number, c: number) => values[y * 4 + c]!;
    const rot90 = Array.from({ length: 16 }, (_, i) => at(Math.floor(i % 4), 3 - Math.floor(i / 4)));
    const rot180 = [...values].reverse();
    closeTo(out.subarray(0, 16), values);
    closeTo(out.subarray(16, 32), rot90);
    closeTo(out.subarray(32, 48), rot180);
    x.dispose();
  });
});

describe('noise', () => {
  it('has the requested mean and standard deviation, and the same seed gives the same noise', () => {
    const x = tf.fill([1, 100, 100, 1], 0.5) as tf.Tensor4D;
    const out = run(() => gaussianNoise(x, 11, 0.05));
    const mean = out.reduce((s, v) => s + v, 0) / out.length;
    const std = Math.sqrt(out.reduce((s, v) => s + (v - mean) ** 2, 0) / out.length);
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.002); // 4 standard errors (0.05 / 100)
    expect(Math.abs(std - 0.05)).toBeLessThan(0.0015);
    expect(run(() => gaussianNoise(x, 11, 0.05))).toEqual(out);
    expect(run(() => gaussianNoise(x, 12, 0.05))).not.toEqual(out);
    x.dispose();
  });
});

describe('colour', () => {
  it('grayscale of (1, 0.5, 0.25) is 0.299 + 0.2935 + 0.0285 = 0.621 in every channel', () => {
    const x = tf.tensor4d([1, 0.5, 0.25], [1, 1, 1, 3]);
    closeTo(
      run(() => randomGrayscale(x, 1, 1)),
      [0.621, 0.621, 0.621],
      6,
    );
    closeTo(
      run(() => randomGrayscale(x, 1, 0)),
      [1, 0.5, 0.25],
      6,
    );
    x.dispose();
  });

  it('brightness scales and clips, contrast 0 gives the mean luma, saturation 0 gives each pixel its luma', () => {
    const x = tf.tensor4d([0.2, 0.4, 0.6, 0.8, 0.6, 0.4], [1, 1, 2, 3]);
    const neutral = { brightness: [1], contrast: [1], saturation: [1], hue: [0] };
    closeTo(
      run(() => applyColorJitter(x, { ...neutral, brightness: [1.5] })),
      [0.3, 0.6, 0.9, 1, 0.9, 0.6],
      6,
    );
    const l1 = 0.299 * 0.2 + 0.587 * 0.4 + 0.114 * 0.6;
    const l2 = 0.299 * 0.8 + 0.587 * 0.6 + 0.114 * 0.4;
    const m = (l1 + l2) / 2;
    closeTo(
      run(() => applyColorJitter(x, { ...neutral, contrast: [0] })),
      [m, m, m, m, m, m],
      6,
    );
    closeTo(
      run(() => applyColorJitter(x, { ...neutral, saturation: [0] })),
      [l1, l1, l1, l2, l2, l2],
      6,
    );
    closeTo(
      run(() => applyColorJitter(x, neutral)),
      [0.2, 0.4, 0.6, 0.8, 0.6, 0.4],
      6,
    );
    x.dispose();
  });

  it('the hue rotation keeps luma and grays, and h then −h is the identity', () => {
    fc.assert(
      fc.property(fc.double({ min: -0.5, max: 0.5, noNaN: true }), (h) => {
        const m = hueRotationMatrix(h);
        const back = hueRotationMatrix(-h);
        const apply = (mat: number[][], v: number[]) => mat.map((row) => row.reduce((s, a, k) => s + a * v[k]!, 0));
        const v = [0.9, 0.3, 0.5];
        const luma = (u: number[]) => 0.299 * u[0]! + 0.587 * u[1]! + 0.114 * u[2]!;
        const gray = apply(m, [0.5, 0.5, 0.5]);
        const round = apply(back, apply(m, v));
        return (
          Math.abs(luma(apply(m, v)) - luma(v)) < 1e-6 &&
          gray.every((g) => Math.abs(g - 0.5) < 1e-6) &&
          round.every((r, i) => Math.abs(r - v[i]!) < 1e-6)
        );
      }),
    );
    // And it does change a colour: red turned by a third of a turn is no longer red-dominant.
    const red = hueRotationMatrix(1 / 3).map((row) => row[0]!);
    expect(red[0]).toBeLessThan(Math.max(red[1]!, red[2]!));
  });
});

describe('blur', () => {
  const k = (sigma: number) => {
    const taps = [-2, -1, 0, 1, 2].map((t) => Math.exp(-(t * t) / (2 * sigma * sigma)));
    const sum = taps.reduce((a, b) => a + b, 0);
    return taps.map((t) => t / sum);
  };

  it('blurring an impulse gives the 2-D gaussian kernel; sigma 0 leaves the image unchanged', () => {
    const impulse = new Array(81).fill(0);
    impulse[40] = 1; // (4, 4) of 9×9
    const x = tf.tensor4d([...impulse, ...impulse], [2, 9, 9, 1]);
    const out = run(() => blurWithSigmas(x, [1, 0], 5));
    const taps = k(1);
    const expected = Array.from({ length: 81 }, (_, i) => {
      const dy = Math.floor(i / 9) - 4;
      const dx = (i % 9) - 4;
      return Math.abs(dy) <= 2 && Math.abs(dx) <= 2 ? taps[dy + 2]! * taps[dx + 2]! : 0;
    });
    closeTo(out.subarray(0, 81), expected, 6);
    closeTo(out.subarray(81), impulse, 6);
    x.dispose();
  });

  it('keeps a constant RGB image constant (reflect padding) and is seeded', () => {
    const x = tf.fill([3, 8, 8, 3], 0.7) as tf.Tensor4D;
    const out = run(() => gaussianBlur(x, 4, { sigma: [0.5, 2], kernelSize: 5, p: 1 }));
    expect(out.every((v) => Math.abs(v - 0.7) < 1e-6)).toBe(true);
    const ramp = tf.tensor4d(
      Array.from({ length: 2 * 64 }, (_, i) => (i % 8) / 8),
      [2, 8, 8, 1],
    );
    expect(run(() => gaussianBlur(ramp, 4, { p: 1, kernelSize: 3 }))).toEqual(
      run(() => gaussianBlur(ramp, 4, { p: 1, kernelSize: 3 })),
    );
    tf.dispose([x, ramp]);
  });
});

describe('pipeline', () => {
  const batch = (seed: number, shape: [number, number, number, number]) => {
    const rng = createRng(seed);
    return tf.tensor4d(
      Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.next()),
      shape,
    );
  };

  it.each([
    ['simclrGray', [4, 28, 28, 1]],
    ['simclrRgb', [4, 32, 32, 3]],
  ] as const)('%s: same seed same output, other seed other output, values in [0, 1], no leaks', (preset, shape) => {
    const x = batch(1, [...shape]);
    const augment = makeAugmentation(preset);
    const a = run(() => augment(x, 7));
    expect(run(() => augment(x, 7))).toEqual(a);
    expect(run(() => augment(x, 8))).not.toEqual(a);
    expect(a.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(a.length).toBe(x.size);
    x.dispose();
  });

  it('runs every stage of a full spec, and an empty spec returns a copy', () => {
    const x = batch(2, [3, 32, 32, 3]);
    const full = makeAugmentation({
      crop: { scale: [0.5, 1] },
      flip: 0.5,
      rotate: { degrees: 15, p: 0.5 },
      noise: 0.05,
      colorJitter: { brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1, p: 0.8 },
      grayscale: 0.2,
      blur: { sigma: [0.1, 2], p: 0.5 },
    });
    expect(run(() => full(x, 1)).length).toBe(x.size);
    expect(run(() => makeAugmentation({})(x, 1))).toEqual(x.dataSync());
    x.dispose();
  });

  it('rejects a bad spec with the path and the allowed keys', () => {
    expect(() => parseAugmentationSpec({ flipp: 0.5 })).toThrow(
      /\/flipp: unknown key; allowed: crop, flip, rotate, colorJitter, grayscale, blur, noise/,
    );
    expect(() => parseAugmentationSpec({ crop: { scale: [0.9, 0.2] } })).toThrow(
      '/crop/scale: expected [min, max] with min ≤ max, found [0.9, 0.2]',
    );
    expect(() => parseAugmentationSpec({ flip: 2 })).toThrow('/flip: must be <= 1');
    expect(() => parseAugmentationSpec({ blur: { kernelSize: 4 } })).toThrow(
      '/blur/kernelSize: expected an odd integer, found 4',
    );
    expect(() => parseAugmentationSpec('simclrGrey')).toThrow(
      'unknown augmentation preset "simclrGrey" (known: simclrGray, simclrRgb)',
    );
    for (const preset of Object.values(AUGMENTATION_PRESETS)) expect(() => parseAugmentationSpec(preset)).not.toThrow();
  });
});
