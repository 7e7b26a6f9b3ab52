// A deterministic synthetic image generator: shapes and stripe patterns on a background, for fast tests and as a
// far-out-of-distribution query pool. The class of an image is its shape or pattern (orientation of stripes counts),
// while position, size, stripe period and phase, intensities/colours and pixel noise vary within a class.
// Each image draws from its own seeded stream and labels are balanced block by block, so the first k images of a
// larger set equal a set of k images with the same seed (prefix-stable, like the real datasets' splits).
// Shapes are drawn from signed distances with a one-pixel soft edge (a cheap anti-aliasing).
import type { ImageSet } from '../plugin/types.ts';
import { createRng, deriveSeed, type Rng } from '../util/random.ts';

export const SYNTHETIC_CLASSES = [
  'disc',
  'ring',
  'square',
  'square-outline',
  'triangle',
  'plus',
  'horizontal-stripes',
  'vertical-stripes',
  'diagonal-stripes',
  'checkerboard',
] as const;

export interface SyntheticOptions {
  count: number;
  /** Number of classes, 2..10: the first `classes` entries of SYNTHETIC_CLASSES. */
  classes?: number;
  height?: number;
  width?: number;
  /** 1 (gray) or 3 (RGB: random foreground and background colours). */
  channels?: 1 | 3;
  seed: number;
  name?: string;
  /** Standard deviation of the per-pixel gaussian noise (default 0.03). */
  noise?: number;
}

type Shape = (dx: number, dy: number, r: number) => number;

const rect = (dx: number, dy: number, w: number, h: number) => Math.max(Math.abs(dx) - w, Math.abs(dy) - h);
const SIN30 = 0.5;
const COS30 = Math.sqrt(3) / 2;

/** Signed distance (pixels, negative inside) of each closed shape centred at the origin with "radius" r (y down). */
const SHAPES: Record<string, Shape> = {
  disc: (dx, dy, r) => Math.hypot(dx, dy) - r,
  ring: (dx, dy, r) => Math.abs(Math.hypot(dx, dy) - 0.75 * r) - Math.max(1, 0.2 * r),
  square: (dx, dy, r) => rect(dx, dy, 0.8 * r, 0.8 * r),
  'square-outline': (dx, dy, r) => Math.abs(rect(dx, dy, 0.8 * r, 0.8 * r) + 0.1 * r) - Math.max(1, 0.15 * r),
  // Equilateral triangle pointing up, inscribed in the circle of radius r: three half-planes at distance r/2.
  triangle: (dx, dy, r) => Math.max(dy - r / 2, COS30 * dx - SIN30 * dy - r / 2, -COS30 * dx - SIN30 * dy - r / 2),
  plus: (dx, dy, r) => Math.min(rect(dx, dy, r, 0.25 * r), rect(dx, dy, 0.25 * r, r)),
};

/** Stripe patterns: a value in [0, 1] at (dx, dy) for a period and phase; they fill a square window of half-side r. */
const PATTERNS: Record<string, (dx: number, dy: number, period: number, phase: number) => number> = {
  'horizontal-stripes': (_dx, dy, p, ph) => stripe(dy, p, ph),
  'vertical-stripes': (dx, _dy, p, ph) => stripe(dx, p, ph),
  'diagonal-stripes': (dx, dy, p, ph) => stripe((dx + dy) / Math.SQRT2, p, ph),
  checkerboard: (dx, dy, p, ph) =>
    Math.cos((2 * Math.PI * dx) / p + ph) * Math.cos((2 * Math.PI * dy) / p) > 0 ? 1 : 0,
};

function stripe(t: number, period: number, phase: number): number {
  return clamp01(0.5 + 1.5 * Math.cos((2 * Math.PI * t) / period + phase));
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

function colour(rng: Rng, channels: number, low: number, high: number): number[] {
  if (channels === 1) return [low + (high - low) * rng.next()];
  return Array.from({ length: channels }, () => low + (high - low) * rng.next());
}

/** Label of image i: balanced within each block of `classes` images, the order inside a block seeded. */
function labelOf(i: number, classes: number, seed: number, cache: Map<number, number[]>): number {
  const block = Math.floor(i / classes);
  let perm = cache.get(block);
  if (!perm) {
    perm = createRng(deriveSeed(seed, `synthetic-block-${block}`)).shuffle([...Array(classes).keys()]);
    cache.set(block, perm);
  }
  return perm[i % classes]!;
}

/** Seeded synthetic images of ten shape classes (same seed, same images; prefix-stable): a far-out-of-distribution
 * pool. */
export function synthetic(options: SyntheticOptions): ImageSet {
  const { count, seed, classes = 10, height = 28, width = 28, channels = 1, noise = 0.03 } = options;
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`synthetic: count must be a non-negative integer, got ${count}`);
  if (!Number.isInteger(classes) || classes < 2 || classes > SYNTHETIC_CLASSES.length) {
    throw new RangeError(`synthetic: classes must be an integer in 2..${SYNTHETIC_CLASSES.length}, got ${classes}`);
  }
  if (channels !== 1 && channels !== 3) throw new RangeError(`synthetic: channels must be 1 or 3, got ${channels}`);
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 8 || width < 8) {
    throw new RangeError(`synthetic: height and width must be integers ≥ 8, got ${height}×${width}`);
  }
  const size = height * width * channels;
  const data = new Float32Array(count * size);
  const labels = new Int32Array(count);
  const blocks = new Map<number, number[]>();
  const side = Math.min(height, width);
  for (let i = 0; i < count; i++) {
    const label = labelOf(i, classes, seed, blocks);
    labels[i] = label;
    const kind = SYNTHETIC_CLASSES[label]!;
    const rng = createRng(deriveSeed(seed, `synthetic-image-${i}`));
    const r = side * (0.22 + 0.14 * rng.next());
    const cx = (width - 1) / 2 + (rng.next() - 0.5) * Math.max(0, width - 2 * r - 2);
    const cy = (height - 1) / 2 + (rng.next() - 0.5) * Math.max(0, height - 2 * r - 2);
    const period = 3 + 4 * rng.next();
    const phase = 2 * Math.PI * rng.next();
    const background = colour(rng, channels, 0, 0.35);
    const foreground = colour(rng, channels, 0.6, 1);
    const shape = SHAPES[kind];
    const pattern = PATTERNS[kind];
    const base = i * size;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const dx = x - cx;
        const dy = y - cy;
        let alpha: number;
        if (shape) alpha = clamp01(0.5 - shape(dx, dy, r));
        else alpha = clamp01(0.5 - rect(dx, dy, r, r)) * pattern!(dx, dy, period, phase);
        for (let c = 0; c < channels; c++) {
          const v = background[c]! + alpha * (foreground[c]! - background[c]!) + noise * rng.normal();
          data[base + (y * width + x) * channels + c] = clamp01(v);
        }
      }
    }
  }
  return {
    name: options.name ?? `synthetic/${height}x${width}x${channels}`,
    data,
    count,
    height,
    width,
    channels,
    labels,
    classes: SYNTHETIC_CLASSES.slice(0, classes),
  };
}
