// The tiny victim the contract checks run against: a fixed, seeded, pure-JS encoder on 28×28×1 images (4×4 average
// pooling → dense 49→32 tanh → dense 32→16), with a projection head (16→8) and a 10-class classifier for the
// 'projection' and 'label' APIs. Pure JS so that it shares no tfjs state with the plugin under test (its tensors never
// show up in the plugin's leak count) and answers the same on every backend. Also a seeded synthetic image maker
// (a bright blob on noise; the label is the blob's quadrant, so label-using attacks get a learnable signal).
import type { ImageBatch, ImageSet, Vectors, VictimDeployment } from '../plugin/types.ts';
import { createRng, deriveSeed } from '../util/random.ts';

export const TINY_SHAPE = [28, 28, 1] as const;
const POOLED = 7 * 7;
const HIDDEN = 32;
export const TINY_REPRESENTATION_DIM = 16;
export const TINY_PROJECTION_DIM = 8;
export const TINY_CLASSES = 4;

function seededMatrix(rows: number, cols: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const scale = 1 / Math.sqrt(rows);
  return Float32Array.from({ length: rows * cols }, () => rng.normal() * scale);
}

function dense(x: Float32Array, count: number, inDim: number, w: Float32Array, outDim: number, activation?: (v: number) => number): Float32Array {
  const out = new Float32Array(count * outDim);
  for (let r = 0; r < count; r++) {
    for (let o = 0; o < outDim; o++) {
      let sum = 0;
      for (let i = 0; i < inDim; i++) sum += x[r * inDim + i]! * w[i * outDim + o]!;
      out[r * outDim + o] = activation ? activation(sum) : sum;
    }
  }
  return out;
}

function pool4x4(images: ImageBatch): Float32Array {
  const out = new Float32Array(images.count * POOLED);
  for (let n = 0; n < images.count; n++) {
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) out[n * POOLED + ((y >> 2) * 7 + (x >> 2))]! += images.data[n * 784 + y * 28 + x]! / 16;
    }
  }
  return out;
}

/** A fixed random encoder deployment; the same seed gives the same weights. */
export function createTinyVictim(seed: number): VictimDeployment {
  const w1 = seededMatrix(POOLED, HIDDEN, deriveSeed(seed, 'tiny-w1'));
  const w2 = seededMatrix(HIDDEN, TINY_REPRESENTATION_DIM, deriveSeed(seed, 'tiny-w2'));
  const head = seededMatrix(TINY_REPRESENTATION_DIM, TINY_PROJECTION_DIM, deriveSeed(seed, 'tiny-head'));
  const classifier = seededMatrix(TINY_REPRESENTATION_DIM, TINY_CLASSES, deriveSeed(seed, 'tiny-classifier'));
  const encode = (images: ImageBatch): Vectors => {
    const hidden = dense(pool4x4(images), images.count, POOLED, w1, HIDDEN, Math.tanh);
    return { data: dense(hidden, images.count, HIDDEN, w2, TINY_REPRESENTATION_DIM), count: images.count, dim: TINY_REPRESENTATION_DIM };
  };
  return {
    id: 'testkit-tiny',
    inputShape: TINY_SHAPE,
    representationDim: TINY_REPRESENTATION_DIM,
    projectionDim: TINY_PROJECTION_DIM,
    classCount: TINY_CLASSES,
    async encode(images) {
      return encode(images);
    },
    async project(representations) {
      return { data: dense(representations.data, representations.count, representations.dim, head, TINY_PROJECTION_DIM), count: representations.count, dim: TINY_PROJECTION_DIM };
    },
    async classify(images) {
      const rep = encode(images);
      const scores = dense(rep.data, rep.count, rep.dim, classifier, TINY_CLASSES);
      const labels = new Int32Array(rep.count);
      for (let r = 0; r < rep.count; r++) {
        for (let c = 1; c < TINY_CLASSES; c++) if (scores[r * TINY_CLASSES + c]! > scores[r * TINY_CLASSES + labels[r]!]!) labels[r] = c;
      }
      return { labels, scores: { data: scores, count: rep.count, dim: TINY_CLASSES } };
    },
  };
}

/** `count` seeded 28×28×1 images in [0, 1]: a soft bright blob on a noisy background; label = the blob's quadrant. */
export function tinyImages(count: number, seed: number, name = 'testkit/synthetic'): ImageSet {
  const data = new Float32Array(count * 784);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const rng = createRng(deriveSeed(seed, `image-${n}`));
    const label = rng.int(0, 3);
    labels[n] = label;
    const cx = (label % 2 === 0 ? 7 : 20) + rng.normal() * 2;
    const cy = (label < 2 ? 7 : 20) + rng.normal() * 2;
    const radius = 3 + rng.next() * 3;
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const blob = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * radius * radius));
        data[n * 784 + y * 28 + x] = Math.min(1, Math.max(0, 0.1 + 0.8 * blob + 0.05 * rng.normal()));
      }
    }
  }
  return { name, data, count, height: 28, width: 28, channels: 1, labels, classes: ['top-left', 'top-right', 'bottom-left', 'bottom-right'] };
}
