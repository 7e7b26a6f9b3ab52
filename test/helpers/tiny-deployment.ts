// A tiny, pure-JS victim for defense tests: a fixed linear map from the flattened image to the representation, and
// an optional fixed linear projection head. No tfjs, so guards can be tested on numbers worked out by hand.
// Also small builders for image batches and guard requests, and `openGuard`, which resolves a defense's options
// through the harness's own validator (defaults applied, frozen) exactly as the oracle will.
import type {
  DefensePlugin,
  Guard,
  GuardRequest,
  ImageBatch,
  ImageSet,
  Vectors,
  VictimDeployment,
} from '../../benchmark/plugin/types.ts';
import { resolveOptions } from '../../benchmark/plugin/options.ts';
import { createRng } from '../../benchmark/util/random.ts';
import { createTinyVictim, type TinyVictim } from '../../benchmark/testkit/index.ts';

export interface TinyDeploymentSpec {
  /** [height, width, channels] of the images it accepts. */
  inputShape?: readonly [number, number, number];
  representationDim?: number;
  /** Give it a projection head of this size; omit for a victim without a head. */
  projectionDim?: number;
  /** Seed of the fixed weights; alternatively pass the weights themselves. */
  seed?: number;
  /** Row-major [inputSize × representationDim]; when absent, seeded N(0, 1/inputSize) weights. */
  encoderWeights?: Float32Array;
  /** Row-major [representationDim × projectionDim]. */
  headWeights?: Float32Array;
}

/** y = x W (row vector times matrix), for `count` rows. */
export function linearMap(
  x: Float32Array,
  count: number,
  inDim: number,
  w: Float32Array,
  outDim: number,
): Float32Array {
  const out = new Float32Array(count * outDim);
  for (let r = 0; r < count; r++) {
    for (let i = 0; i < inDim; i++) {
      const xi = x[r * inDim + i]!;
      if (xi === 0) continue;
      for (let o = 0; o < outDim; o++) out[r * outDim + o]! += xi * w[i * outDim + o]!;
    }
  }
  return out;
}

function seededWeights(rows: number, cols: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const w = new Float32Array(rows * cols);
  const scale = 1 / Math.sqrt(rows);
  for (let i = 0; i < w.length; i++) w[i] = rng.normal() * scale;
  return w;
}

/** The kit's tiny victim as a linear map (2×2×1 → 4 by default), with the weights these tests were worked out on. */
export function tinyDeployment(spec: TinyDeploymentSpec = {}): TinyVictim {
  const inputShape = spec.inputShape ?? ([2, 2, 1] as const);
  const inputSize = inputShape[0] * inputShape[1] * inputShape[2];
  const representationDim = spec.representationDim ?? 4;
  const seed = spec.seed ?? 1;
  const encoderWeights = spec.encoderWeights ?? seededWeights(inputSize, representationDim, seed);
  const projectionDim = spec.projectionDim ?? null;
  const headWeights =
    projectionDim === null
      ? undefined
      : (spec.headWeights ?? seededWeights(representationDim, projectionDim, seed + 1));
  return createTinyVictim(seed, {
    id: 'tiny-linear',
    inputShape,
    representationDim,
    encoderWeights,
    projectionDim,
    classes: null,
    ...(headWeights ? { headWeights } : {}),
  });
}

/** An image batch from rows of pixel values (each row = one flattened image). */
export function imageBatch(
  rows: readonly (readonly number[])[],
  shape: readonly [number, number, number] = [2, 2, 1],
): ImageBatch {
  const size = shape[0] * shape[1] * shape[2];
  const data = new Float32Array(rows.length * size);
  rows.forEach((row, r) => {
    if (row.length !== size) throw new Error(`imageBatch: row ${r} has ${row.length} values, expected ${size}`);
    data.set(row, r * size);
  });
  return { data, count: rows.length, height: shape[0], width: shape[1], channels: shape[2] };
}

/** Vectors from rows. */
export function vectors(rows: readonly (readonly number[])[]): Vectors {
  const dim = rows[0]?.length ?? 0;
  const data = new Float32Array(rows.length * dim);
  rows.forEach((row, r) => data.set(row, r * dim));
  return { data, count: rows.length, dim };
}

/** Rows of a Vectors as plain arrays (for readable expectations). */
export function rowsOf(v: Vectors): number[][] {
  return Array.from({ length: v.count }, (_, r) => Array.from(v.data.subarray(r * v.dim, (r + 1) * v.dim)));
}

/** The request the oracle would send for `images` from `account`: the victim's clean representations included. */
export async function requestFor(victim: VictimDeployment, account: string, images: ImageBatch): Promise<GuardRequest> {
  return { account, images, clean: await victim.encode(images), output: 'representation' };
}

/** Build a guard the way the oracle does: options validated with defaults applied and frozen. */
export async function openGuard<Options>(
  plugin: DefensePlugin<Options>,
  victim: VictimDeployment,
  rawOptions: unknown = {},
  seed = 7,
  privateData?: ImageSet,
): Promise<Guard> {
  if (!plugin.guard) throw new Error(`defense '${plugin.meta.id}' has no guard`);
  const options = resolveOptions<Options>('defense', plugin, rawOptions);
  return plugin.guard(victim, options, {
    seed,
    log: () => {},
    ...(privateData ? { loadPrivateData: async () => privateData } : {}),
  });
}
