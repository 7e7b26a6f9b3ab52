// The victim's own scale: the per-coordinate standard deviation of its answers over a seeded sample of the
// provider's private training data, in the output kind the API serves (representations, projections or class
// scores). Defenses whose options are "in victim units" multiply by it, so that σ = 1 means one victim spread per
// coordinate whatever the encoder (issue 12.2: an absolute σ 0.1 was already a signal-to-noise ratio near 2 on a
// victim whose coordinates spread by about 0.13).
import {
  createRng,
  deriveSeed,
  type DefenseContext,
  type ImageBatch,
  type ImageSet,
  type OracleOutput,
  type Vectors,
  type VictimDeployment,
} from '../../benchmark/index.ts';

export interface VictimSpread {
  /** Standard deviation of each answered coordinate across the sampled images (n − 1 denominator). */
  perCoordinate: Float64Array;
  /** Mean, smallest and largest of `perCoordinate`. */
  mean: number;
  min: number;
  max: number;
  /** Images the spread was measured on. */
  samples: number;
}

/** A seeded sample of `count` images of `set` (all of them when it has fewer), without replacement. */
export function sampleImages(set: ImageSet, count: number, seed: number): ImageBatch {
  const n = Math.min(count, set.count);
  const order = createRng(seed)
    .shuffle(Array.from({ length: set.count }, (_, i) => i))
    .slice(0, n);
  const size = set.height * set.width * set.channels;
  const data = new Float32Array(n * size);
  order.forEach((index, row) => data.set(set.data.subarray(index * size, (index + 1) * size), row * size));
  return { data, count: n, height: set.height, width: set.width, channels: set.channels };
}

/** The victim's undefended answer of the given kind, as the oracle computes it. */
export async function cleanAnswers(
  victim: VictimDeployment,
  images: ImageBatch,
  output: OracleOutput,
): Promise<Vectors> {
  if (output === 'label') {
    if (!victim.classify) throw new Error(`victim '${victim.id}' serves labels but has no classify()`);
    return (await victim.classify(images)).scores;
  }
  const representations = await victim.encode(images);
  if (output === 'representation') return representations;
  if (!victim.project) throw new Error(`victim '${victim.id}' serves projections but has no projection head`);
  return victim.project(representations);
}

/** Per-coordinate spread of a set of answers. */
export function spreadOf(answers: Vectors): VictimSpread {
  const { data, count, dim } = answers;
  if (count < 2) throw new RangeError(`victim spread: need at least 2 answers to measure a spread, got ${count}`);
  const perCoordinate = new Float64Array(dim);
  for (let j = 0; j < dim; j++) {
    let mean = 0;
    for (let r = 0; r < count; r++) mean += data[r * dim + j]!;
    mean /= count;
    let squares = 0;
    for (let r = 0; r < count; r++) squares += (data[r * dim + j]! - mean) ** 2;
    perCoordinate[j] = Math.sqrt(squares / (count - 1));
  }
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const s of perCoordinate) {
    sum += s;
    min = Math.min(min, s);
    max = Math.max(max, s);
  }
  return { perCoordinate, mean: sum / dim, min, max, samples: count };
}

/** Measures the victim's spread on `samples` seeded images of its private data, for one output kind. */
export async function measureVictimSpread(
  victim: VictimDeployment,
  privateData: ImageSet,
  output: OracleOutput,
  samples: number,
  seed: number,
): Promise<VictimSpread> {
  return spreadOf(await cleanAnswers(victim, sampleImages(privateData, samples, seed), output));
}

/**
 * The victim's spread for each output kind the API serves, for a guard in victim units: measured once per kind on
 * `samples` images of the provider's private data (seeded `<id>/spread/<output>` under the cell seed) and shared by
 * every account, the first request of a kind waiting for it. The guard must have checked `ctx.loadPrivateData`.
 * `measured` is told of each new measurement (e.g. to log it). The spread returned is checked against the answer's
 * width, so that no coordinate is scaled by another's spread.
 */
export function spreadPerOutput(
  victim: VictimDeployment,
  ctx: DefenseContext,
  id: string,
  samples: number,
  measured?: (spread: VictimSpread, output: OracleOutput) => void,
): (output: OracleOutput, dim: number) => Promise<VictimSpread> {
  const spreads = new Map<OracleOutput, Promise<VictimSpread>>();
  return async (output, dim) => {
    let pending = spreads.get(output);
    if (!pending) {
      pending = ctx.loadPrivateData!().then(async (data) => {
        const spread = await measureVictimSpread(
          victim,
          data,
          output,
          samples,
          deriveSeed(ctx.seed, `${id}/spread/${output}`),
        );
        measured?.(spread, output);
        return spread;
      });
      spreads.set(output, pending);
    }
    const spread = await pending;
    if (spread.perCoordinate.length !== dim)
      throw new Error(`${id}: the victim spread has ${spread.perCoordinate.length} coordinates, the answer ${dim}`);
    return spread;
  };
}
