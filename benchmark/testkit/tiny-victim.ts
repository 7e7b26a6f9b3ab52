// The tiny victim the contract checks run against: a fixed, seeded, pure-JS encoder on 28×28×1 images (4×4 average
// pooling → dense 49→32 tanh → dense 32→16), with a projection head (16→8) and a 10-class classifier for the
// 'projection' and 'label' APIs. Pure JS so that it shares no tfjs state with the plugin under test (its tensors never
// show up in the plugin's leak count) and answers the same on every backend. Also a seeded synthetic image maker
// (a bright blob on noise; the label is the blob's quadrant, so label-using attacks get a learnable signal).
import type { ImageBatch, ImageSet, Vectors, VictimDeployment } from '../plugin/types.ts';
import { createRng, deriveSeed } from '../util/random.ts';

/** The default tiny victim's input shape (28×28×1, like Fashion-MNIST). */
export const TINY_SHAPE = [28, 28, 1] as const;
const POOLED = 7 * 7;
const HIDDEN = 32;
/** The default tiny victim's representation length. */
export const TINY_REPRESENTATION_DIM = 16;
export const TINY_PROJECTION_DIM = 8;
export const TINY_CLASSES = 4;

function seededMatrix(rows: number, cols: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const scale = 1 / Math.sqrt(rows);
  return Float32Array.from({ length: rows * cols }, () => rng.normal() * scale);
}

function dense(
  x: Float32Array,
  count: number,
  inDim: number,
  w: Float32Array,
  outDim: number,
  activation?: (v: number) => number,
): Float32Array {
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
      for (let x = 0; x < 28; x++)
        out[n * POOLED + ((y >> 2) * 7 + (x >> 2))]! += images.data[n * 784 + y * 28 + x]! / 16;
    }
  }
  return out;
}

/**
 * What can be changed about the tiny victim. With no spec it is the kit's default (the pooled 28×28×1 encoder above,
 * its head and classifier). Any other input shape, or explicit weights, gives a *linear* tiny victim: one fixed map
 * from
 * the flattened image to the representation (then `activation`), for tests whose expected numbers are worked out by
 * hand.
 */
export interface TinyVictimSpec {
  /** The deployment's id, as error messages name it (default 'testkit-tiny' / 'testkit-tiny-linear'). */
  id?: string;
  /** [height, width, channels]; default 28×28×1. */
  inputShape?: readonly [number, number, number];
  /** Representation length of a linear tiny victim (default 4). */
  representationDim?: number;
  /** Projection-head length; `null` for a victim without a head (default: 8, or none for a linear victim). */
  projectionDim?: number | null;
  /** Classes of the label API; `null` for none (default: 4, or none for a linear victim). */
  classes?: number | null;
  /** Applied to a linear victim's representation (default 'none'). */
  activation?: 'none' | 'tanh';
  /** Row-major [inputSize × representationDim]; default: seeded N(0, 1/inputSize). */
  encoderWeights?: Float32Array;
  /** Row-major [representationDim × projectionDim]. */
  headWeights?: Float32Array;
  /** Row-major [representationDim × classes]. */
  classifierWeights?: Float32Array;
}

/** The tiny victim, with counts of the calls made to it (tests check what the oracle asked for). */
export type TinyVictim = VictimDeployment & { calls: { encode: number; project: number; classify: number } };

function isDefaultSpec(spec: TinyVictimSpec): boolean {
  const shape = spec.inputShape;
  const defaultShape = !shape || (shape[0] === 28 && shape[1] === 28 && shape[2] === 1);
  return defaultShape && !spec.encoderWeights && spec.representationDim === undefined && spec.activation === undefined;
}

function checkedWeights(name: string, given: Float32Array | undefined, rows: number, cols: number, seed: number) {
  if (!given) return seededMatrix(rows, cols, seed);
  if (given.length !== rows * cols) {
    throw new Error(`createTinyVictim: ${name} has ${given.length} values, expected ${rows}×${cols} = ${rows * cols}`);
  }
  return given;
}

function argmaxRows(scores: Float32Array, count: number, classes: number): Int32Array {
  const labels = new Int32Array(count);
  for (let r = 0; r < count; r++) {
    for (let c = 1; c < classes; c++) if (scores[r * classes + c]! > scores[r * classes + labels[r]!]!) labels[r] = c;
  }
  return labels;
}

/** A fixed random encoder deployment; the same seed (and spec) gives the same weights. */
export function createTinyVictim(seed: number, spec: TinyVictimSpec = {}): TinyVictim {
  const linear = !isDefaultSpec(spec);
  const inputShape = spec.inputShape ?? TINY_SHAPE;
  const inputSize = inputShape[0] * inputShape[1] * inputShape[2];
  const dim = linear ? (spec.representationDim ?? 4) : TINY_REPRESENTATION_DIM;
  const projectionDim = spec.projectionDim === undefined ? (linear ? null : TINY_PROJECTION_DIM) : spec.projectionDim;
  const classes = spec.classes === undefined ? (linear ? null : TINY_CLASSES) : spec.classes;
  const calls = { encode: 0, project: 0, classify: 0 };
  let represent: (images: ImageBatch) => Float32Array;
  if (linear) {
    const w = checkedWeights('encoderWeights', spec.encoderWeights, inputSize, dim, deriveSeed(seed, 'tiny-linear'));
    const squash = spec.activation === 'tanh' ? Math.tanh : undefined;
    represent = (images) => dense(images.data, images.count, inputSize, w, dim, squash);
  } else {
    const w1 = seededMatrix(POOLED, HIDDEN, deriveSeed(seed, 'tiny-w1'));
    const w2 = seededMatrix(HIDDEN, TINY_REPRESENTATION_DIM, deriveSeed(seed, 'tiny-w2'));
    represent = (images) =>
      dense(dense(pool4x4(images), images.count, POOLED, w1, HIDDEN, Math.tanh), images.count, HIDDEN, w2, dim);
  }
  const encode = (images: ImageBatch): Vectors => {
    calls.encode++;
    return { data: represent(images), count: images.count, dim };
  };
  const victim: TinyVictim = {
    id: spec.id ?? (linear ? 'testkit-tiny-linear' : 'testkit-tiny'),
    inputShape,
    representationDim: dim,
    calls,
    async encode(images) {
      return encode(images);
    },
  };
  if (projectionDim !== null) {
    const head = checkedWeights('headWeights', spec.headWeights, dim, projectionDim, deriveSeed(seed, 'tiny-head'));
    victim.projectionDim = projectionDim;
    victim.project = async (representations) => {
      calls.project++;
      const data = dense(representations.data, representations.count, representations.dim, head, projectionDim);
      return { data, count: representations.count, dim: projectionDim };
    };
  }
  if (classes !== null) {
    const weights = checkedWeights(
      'classifierWeights',
      spec.classifierWeights,
      dim,
      classes,
      deriveSeed(seed, 'tiny-classifier'),
    );
    victim.classCount = classes;
    victim.classify = async (images) => {
      calls.classify++;
      const rep = encode(images);
      const scores = dense(rep.data, rep.count, rep.dim, weights, classes);
      return {
        labels: argmaxRows(scores, rep.count, classes),
        scores: { data: scores, count: rep.count, dim: classes },
      };
    };
  }
  return victim;
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
  return {
    name,
    data,
    count,
    height: 28,
    width: 28,
    channels: 1,
    labels,
    classes: ['top-left', 'top-right', 'bottom-left', 'bottom-right'],
  };
}
