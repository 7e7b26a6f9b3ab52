// Batched image augmentations as tensor ops (the SimCLR set: Chen et al. 2020, appendix A), for NHWC float32 images
// in [0, 1]. Every op draws its per-image parameters from a seeded Rng on the JS side (so the same seed gives the same
// output on any backend), works on the whole batch at once, and returns a new tensor without disposing its input.
// Only ops that exist in the cpu and wasm backends are used: CropAndResize, Transform, Reverse, DepthwiseConv2dNative,
// MirrorPad, BatchMatMul and elementwise ones.
import * as tf from '@tensorflow/tfjs-core';
import { createRng, type Rng } from '../util/random.ts';

/** A seed or a generator: ops draw from the generator in a fixed order, so a pipeline is one stream. */
export type RngOrSeed = Rng | number;

export function toRng(rngOrSeed: RngOrSeed): Rng {
  return typeof rngOrSeed === 'number' ? createRng(rngOrSeed) : rngOrSeed;
}

/** ITU-R 601 luma weights, as in torchvision's rgb_to_grayscale. */
export const LUMA = [0.299, 0.587, 0.114] as const;

/** A [N,1,1,1] float tensor of 0/1 from per-image booleans; mixing with it is exact for 0 and 1. */
function maskOf(flags: boolean[]): tf.Tensor4D {
  return tf.tensor4d(
    flags.map((f) => (f ? 1 : 0)),
    [flags.length, 1, 1, 1],
  );
}

/** where(mask, a, b) per image, as mask·a + (1−mask)·b (exact for a 0/1 mask). */
function mix(mask: tf.Tensor4D, a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D {
  return tf.add(tf.mul(mask, a), tf.mul(tf.sub(1, mask), b));
}

function draws(count: number, p: number, rng: Rng): boolean[] {
  return Array.from({ length: count }, () => rng.next() < p);
}

const uniform = (rng: Rng, [lo, hi]: readonly [number, number]) => lo + (hi - lo) * rng.next();

// ---------------------------------------------------------------- geometry

export interface CropOptions {
  /** Range of the crop's area as a fraction of the image's (default [0.08, 1], torchvision's). */
  scale?: readonly [number, number];
  /** Range of the crop's aspect ratio width/height, sampled log-uniformly (default [3/4, 4/3]). */
  ratio?: readonly [number, number];
  /** Probability of cropping an image; the others keep the full box (default 1). */
  p?: number;
  /** Output [height, width]; default the input's. */
  size?: readonly [number, number];
}

/** Crop boxes [y1, x1, y2, x2] in cropAndResize's normalised coordinates (pixel = coordinate × (side − 1)). */
export function sampleCropBoxes(
  count: number,
  height: number,
  width: number,
  rng: Rng,
  options: CropOptions = {},
): number[][] {
  const { scale = [0.08, 1], ratio = [3 / 4, 4 / 3], p = 1 } = options;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])] as const;
  const boxes: number[][] = [];
  for (let n = 0; n < count; n++) {
    let box = [0, 0, 1, 1];
    if (rng.next() < p) {
      // torchvision's RandomResizedCrop: up to 10 tries at a random area and aspect ratio, else a central crop.
      let found = false;
      for (let attempt = 0; attempt < 10 && !found; attempt++) {
        const area = height * width * uniform(rng, scale);
        const aspect = Math.exp(uniform(rng, logRatio));
        const w = Math.sqrt(area * aspect);
        const h = Math.sqrt(area / aspect);
        if (w <= width && h <= height && w >= 1 && h >= 1) {
          const top = rng.next() * (height - h);
          const left = rng.next() * (width - w);
          box = toBox(top, left, h, w, height, width);
          found = true;
        }
      }
      if (!found) {
        const aspect = Math.min(Math.max(width / height, ratio[0]), ratio[1]);
        const w = aspect * height <= width ? aspect * height : width;
        const h = aspect * height <= width ? height : width / aspect;
        box = toBox((height - h) / 2, (width - w) / 2, h, w, height, width);
      }
    }
    boxes.push(box);
  }
  return boxes;
}

/** The box whose samples fall on the centres of pixels top … top+h−1 (so the full image is [0, 0, 1, 1]). */
function toBox(top: number, left: number, h: number, w: number, height: number, width: number): number[] {
  return [top / (height - 1), left / (width - 1), (top + h - 1) / (height - 1), (left + w - 1) / (width - 1)];
}

/** Crops every image to its own box and resizes it back (bilinear). */
export function cropToBoxes(images: tf.Tensor4D, boxes: number[][], size?: readonly [number, number]): tf.Tensor4D {
  const [count, height, width] = images.shape;
  return tf.tidy(() =>
    tf.image.cropAndResize(
      images,
      tf.tensor2d(boxes, [count, 4]),
      tf.tensor1d([...Array(count).keys()], 'int32'),
      [size?.[0] ?? height, size?.[1] ?? width],
      'bilinear',
    ),
  );
}

/** Random resized crop (the main SimCLR augmentation). */
export function randomResizedCrop(images: tf.Tensor4D, rngOrSeed: RngOrSeed, options: CropOptions = {}): tf.Tensor4D {
  const [count, height, width] = images.shape;
  return cropToBoxes(images, sampleCropBoxes(count, height, width, toRng(rngOrSeed), options), options.size);
}

/** Mirrors each image left-right with probability p. */
export function randomFlip(images: tf.Tensor4D, rngOrSeed: RngOrSeed, p = 0.5): tf.Tensor4D {
  const flags = draws(images.shape[0], p, toRng(rngOrSeed));
  // FlipLeftRight rather than Reverse: the wasm Reverse kernel is ~15× slower on a 256×32×32×3 batch.
  return tf.tidy(() => mix(maskOf(flags), tf.image.flipLeftRight(images), images));
}

/**
 * Rotates each image about its centre by its own angle (radians, positive = counter-clockwise as displayed),
 * bilinear, filling with 0 outside. One projective transform per image (tf.image.transform).
 */
export function rotate(images: tf.Tensor4D, angles: readonly number[]): tf.Tensor4D {
  const [count, height, width] = images.shape;
  if (angles.length !== count) throw new RangeError(`rotate: expected ${count} angles, found ${angles.length}`);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  // Output pixel (x, y) reads the input at c + R(−θ)·(p − c) in y-down coordinates.
  const rows = angles.map((theta) => {
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    return [cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy, 0, 0];
  });
  return tf.tidy(() => {
    // tfjs-backend-cpu 4.22's Transform kernel returns after the first image of a batch (the rest stay at the fill
    // value), so on the cpu backend each image is transformed on its own; wasm and native handle whole batches.
    if (tf.getBackend() === 'cpu' && count > 1) {
      const parts = tf
        .split(images, count, 0)
        .map((image, n) =>
          tf.image.transform(image as tf.Tensor4D, tf.tensor2d([rows[n]!], [1, 8]), 'bilinear', 'constant', 0),
        );
      return tf.concat(parts, 0);
    }
    return tf.image.transform(images, tf.tensor2d(rows, [count, 8]), 'bilinear', 'constant', 0);
  });
}

/** Rotates each image by an angle uniform in [−maxDegrees, maxDegrees], with probability p. */
export function randomRotation(images: tf.Tensor4D, rngOrSeed: RngOrSeed, maxDegrees: number, p = 1): tf.Tensor4D {
  const rng = toRng(rngOrSeed);
  const angles = Array.from({ length: images.shape[0] }, () => {
    const angle = ((2 * rng.next() - 1) * maxDegrees * Math.PI) / 180;
    return rng.next() < p ? angle : 0;
  });
  return rotate(images, angles);
}

// ---------------------------------------------------------------- noise

/** Adds N(0, std²) noise per pixel (not clipped: a pipeline clips once at its end). */
export function gaussianNoise(images: tf.Tensor4D, rngOrSeed: RngOrSeed, std: number): tf.Tensor4D {
  const seed = toRng(rngOrSeed).seed();
  return tf.tidy(() => tf.add(images, tf.randomNormal(images.shape, 0, std, 'float32', seed)));
}

// ---------------------------------------------------------------- colour

/** Pixels times a [3, k] matrix, as one plain matmul over all pixels (fast on every backend). */
function mulPixels(images: tf.Tensor4D, matrix: number[][]): tf.Tensor4D {
  const [count, height, width] = images.shape;
  return tf.tidy(() =>
    tf.reshape(tf.matMul(tf.reshape(images, [-1, 3]), tf.tensor2d(matrix)), [count, height, width, matrix[0]!.length]),
  );
}

/** Luma of each pixel, [N,H,W,1]; a 1-channel image is its own luma. */
export function luma(images: tf.Tensor4D): tf.Tensor4D {
  if (images.shape[3] === 1) return tf.clone(images);
  return mulPixels(
    images,
    LUMA.map((w) => [w]),
  );
}

/** Replaces RGB images by their luma (repeated over the 3 channels) with probability p; gray images are unchanged. */
export function randomGrayscale(images: tf.Tensor4D, rngOrSeed: RngOrSeed, p: number): tf.Tensor4D {
  const flags = draws(images.shape[0], p, toRng(rngOrSeed));
  if (images.shape[3] === 1) return tf.clone(images);
  // Luma repeated over 3 channels in one matmul (Tile is slow in wasm).
  return tf.tidy(() =>
    mix(
      maskOf(flags),
      mulPixels(
        images,
        LUMA.map((w) => [w, w, w]),
      ),
      images,
    ),
  );
}

export interface ColorJitterOptions {
  /** Factor range [max(0, 1 − b), 1 + b] multiplying the image. */
  brightness?: number;
  /** Factor c in [max(0, 1 − c), 1 + c]: blend with the image's mean luma. */
  contrast?: number;
  /** Factor s in [max(0, 1 − s), 1 + s]: blend with each pixel's luma (RGB only). */
  saturation?: number;
  /** Hue shift in [−h, h] turns, h ≤ 0.5, as a rotation of the YIQ chroma plane (RGB only). */
  hue?: number;
  /** Probability of jittering an image (default 1; SimCLR uses 0.8). */
  p?: number;
}

export interface JitterFactors {
  brightness: number[];
  contrast: number[];
  saturation: number[];
  /** In turns. */
  hue: number[];
}

const RGB_TO_YIQ = [
  [0.299, 0.587, 0.114],
  [0.596, -0.274, -0.322],
  [0.211, -0.523, 0.312],
];

function matmul3(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
}

function invert3(m: number[][]): number[][] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m as [
    [number, number, number],
    [number, number, number],
    [number, number, number],
  ];
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
  ];
}

const YIQ_TO_RGB = invert3(RGB_TO_YIQ);

/** The RGB→RGB matrix that rotates hue by `turns` (keeps luma, rotates the I/Q chroma plane). */
export function hueRotationMatrix(turns: number): number[][] {
  const t = 2 * Math.PI * turns;
  const rotation = [
    [1, 0, 0],
    [0, Math.cos(t), -Math.sin(t)],
    [0, Math.sin(t), Math.cos(t)],
  ];
  return matmul3(YIQ_TO_RGB, matmul3(rotation, RGB_TO_YIQ));
}

/** Applies given per-image jitter factors in a fixed order: brightness, contrast, saturation, hue; clips after each. */
export function applyColorJitter(images: tf.Tensor4D, factors: JitterFactors): tf.Tensor4D {
  const [count, height, width, channels] = images.shape;
  const perImage = (values: number[]) => tf.tensor4d(values, [count, 1, 1, 1]);
  return tf.tidy(() => {
    let x = tf.clipByValue(tf.mul(images, perImage(factors.brightness)), 0, 1) as tf.Tensor4D;
    const meanLuma = tf.mean(luma(x), [1, 2, 3], true);
    const c = perImage(factors.contrast);
    x = tf.clipByValue(tf.add(tf.mul(c, x), tf.mul(tf.sub(1, c), meanLuma)), 0, 1) as tf.Tensor4D;
    if (channels === 3) {
      const s = perImage(factors.saturation);
      x = tf.clipByValue(tf.add(tf.mul(s, x), tf.mul(tf.sub(1, s), luma(x))), 0, 1) as tf.Tensor4D;
      // Row-vector pixels times Mᵀ, one 3×3 matrix per image, as a batched matmul.
      const matrices = factors.hue.flatMap((h) => {
        const m = hueRotationMatrix(h);
        return [0, 1, 2].flatMap((k) => [m[0]![k]!, m[1]![k]!, m[2]![k]!]);
      });
      const rotated = tf.matMul(tf.reshape(x, [count, height * width, 3]), tf.tensor3d(matrices, [count, 3, 3]));
      x = tf.clipByValue(tf.reshape(rotated, [count, height, width, 3]), 0, 1);
    }
    return x;
  });
}

/** Draws per-image jitter factors; images not selected (probability 1 − p) get neutral factors. */
export function sampleJitterFactors(count: number, rng: Rng, options: ColorJitterOptions): JitterFactors {
  const { brightness = 0, contrast = 0, saturation = 0, hue = 0, p = 1 } = options;
  const factors: JitterFactors = { brightness: [], contrast: [], saturation: [], hue: [] };
  const range = (amount: number) => [Math.max(0, 1 - amount), 1 + amount] as const;
  for (let n = 0; n < count; n++) {
    const b = uniform(rng, range(brightness));
    const c = uniform(rng, range(contrast));
    const s = uniform(rng, range(saturation));
    const h = uniform(rng, [-hue, hue]);
    const on = rng.next() < p;
    factors.brightness.push(on ? b : 1);
    factors.contrast.push(on ? c : 1);
    factors.saturation.push(on ? s : 1);
    factors.hue.push(on ? h : 0);
  }
  return factors;
}

export function colorJitter(images: tf.Tensor4D, rngOrSeed: RngOrSeed, options: ColorJitterOptions): tf.Tensor4D {
  return applyColorJitter(images, sampleJitterFactors(images.shape[0], toRng(rngOrSeed), options));
}

// ---------------------------------------------------------------- blur

export interface BlurOptions {
  /** Range of the gaussian's standard deviation in pixels (default [0.1, 2], SimCLR's). */
  sigma?: readonly [number, number];
  /** Odd kernel size; default the odd number nearest 10% of the smaller side, at least 3. */
  kernelSize?: number;
  /** Probability of blurring an image (default 0.5). */
  p?: number;
}

/** Normalised 1-D gaussian of `size` taps; sigma 0 gives the identity (an impulse). */
export function gaussianKernel1d(size: number, sigma: number): number[] {
  const r = (size - 1) / 2;
  if (sigma <= 0) return Array.from({ length: size }, (_, i) => (i === r ? 1 : 0));
  const taps = Array.from({ length: size }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = taps.reduce((a, b) => a + b, 0);
  return taps.map((t) => t / sum);
}

export function defaultBlurKernelSize(height: number, width: number): number {
  const size = Math.round(0.1 * Math.min(height, width));
  return Math.max(3, size % 2 === 1 ? size : size + 1);
}

/**
 * Separable gaussian blur with one sigma per image (0 = unchanged), reflect padding. The batch is folded into the
 * channels ([N,H,W,C] → [1,H,W,N·C]) so that one depthwise convolution applies every image's own kernel.
 */
export function blurWithSigmas(images: tf.Tensor4D, sigmas: readonly number[], kernelSize: number): tf.Tensor4D {
  const [count, height, width, channels] = images.shape;
  if (sigmas.length !== count) throw new RangeError(`blurWithSigmas: expected ${count} sigmas, found ${sigmas.length}`);
  if (!Number.isInteger(kernelSize) || kernelSize < 1 || kernelSize % 2 === 0)
    throw new RangeError(`blur: kernelSize must be a positive odd integer, got ${kernelSize}`);
  const r = (kernelSize - 1) / 2;
  if (r >= height || r >= width)
    throw new RangeError(`blur: kernelSize ${kernelSize} is too large for ${height}×${width} ` + `images`);
  const taps: number[][] = sigmas.map((s) => gaussianKernel1d(kernelSize, s));
  // Filter values laid out [k, N·C] (channel index n·C + c uses image n's kernel).
  const filterValues = new Float32Array(kernelSize * count * channels);
  for (let t = 0; t < kernelSize; t++) {
    for (let n = 0; n < count; n++)
      for (let c = 0; c < channels; c++) filterValues[t * count * channels + n * channels + c] = taps[n]![t]!;
  }
  return tf.tidy(() => {
    const folded = tf.reshape(tf.transpose(images, [1, 2, 0, 3]), [1, height, width, count * channels]);
    const padded = tf.mirrorPad(
      folded,
      [
        [0, 0],
        [r, r],
        [r, r],
        [0, 0],
      ],
      'reflect',
    ) as tf.Tensor4D;
    const horizontal = tf.tensor4d(filterValues, [1, kernelSize, count * channels, 1]);
    const vertical = tf.tensor4d(filterValues, [kernelSize, 1, count * channels, 1]);
    const blurred = tf.depthwiseConv2d(tf.depthwiseConv2d(padded, horizontal, 1, 'valid'), vertical, 1, 'valid');
    return tf.transpose(tf.reshape(blurred, [height, width, count, channels]), [2, 0, 1, 3]);
  });
}

export function gaussianBlur(images: tf.Tensor4D, rngOrSeed: RngOrSeed, options: BlurOptions = {}): tf.Tensor4D {
  const [count, height, width] = images.shape;
  const { sigma = [0.1, 2], p = 0.5, kernelSize = defaultBlurKernelSize(height, width) } = options;
  const rng = toRng(rngOrSeed);
  const sigmas = Array.from({ length: count }, () => {
    const s = uniform(rng, sigma);
    return rng.next() < p ? s : 0;
  });
  return blurWithSigmas(images, sigmas, kernelSize);
}
