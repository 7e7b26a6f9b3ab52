// Random-hyperplane LSH over victim representations and per-account bucket counts: the coverage measure that B4B and
// proof-of-work both charge by (shared here, where the content hash of each covers it).
import {
  type GuardRequest,
  type ImageBatch,
  type Vectors,
  type VictimDeployment,
  createRng,
  deriveSeed,
} from '../../benchmark/index.ts';

/** The options of a guard that charges by LSH buckets. */
export interface LshOptions {
  hyperplanes: number;
  center: 'probe' | 'origin';
}

/**
 * The `center` and `hyperplanes` option schemas of the guards that charge by LSH buckets (B4B, proof-of-work): one
 * definition so that both take them alike. Each guard words what its hyperplanes are for, and may default to more
 * of them (B4B's coverage needs more buckets than a 4,000-query account can fill).
 */
export function lshOptionSchemas(hyperplanesDescription: string, defaultHyperplanes = 10) {
  return {
    center: {
      type: 'string',
      enum: ['probe', 'origin'],
      default: 'origin',
      description: 'Hyperplanes through the mean representation of a seeded noise probe, or through the origin.',
    },
    hyperplanes: {
      type: 'integer',
      minimum: 1,
      maximum: 30,
      default: defaultHyperplanes,
      description: hyperplanesDescription,
    },
  };
}

/**
 * A guard's LSH from its options, seeded `<id>/lsh` (the normals) and `<id>/probe` (the probe images of a `probe`
 * centre) under the cell seed, so that each guard keeps its own planes.
 */
export async function lshFromOptions(
  victim: VictimDeployment,
  dim: number,
  { hyperplanes, center }: LshOptions,
  cellSeed: number,
  id: string,
): Promise<RandomHyperplaneLsh> {
  return new RandomHyperplaneLsh(
    dim,
    hyperplanes,
    deriveSeed(cellSeed, `${id}/lsh`),
    center === 'probe' ? await probeCenter(victim, deriveSeed(cellSeed, `${id}/probe`)) : null,
  );
}

/**
 * The representations behind a guard request. Buckets are cut in representation space, so when the API serves
 * something else (projections, class scores) the images are encoded again.
 */
export async function requestRepresentations(
  victim: VictimDeployment,
  { images, clean, output }: GuardRequest,
): Promise<Vectors> {
  return output === undefined || output === 'representation' ? clean : await victim.encode(images);
}

/** Mean representation of `count` seeded uniform-noise images: a data-free centre for the hyperplanes. */
export async function probeCenter(victim: VictimDeployment, seed: number, count = 64): Promise<Float32Array> {
  const [height, width, channels] = victim.inputShape;
  const rng = createRng(seed);
  const data = Float32Array.from({ length: count * height * width * channels }, () => rng.next());
  const batch: ImageBatch = { data, count, height, width, channels };
  const reps = await victim.encode(batch);
  const center = new Float32Array(reps.dim);
  for (let r = 0; r < reps.count; r++)
    for (let i = 0; i < reps.dim; i++) center[i]! += reps.data[r * reps.dim + i]! / reps.count;
  return center;
}

export class RandomHyperplaneLsh {
  readonly dim: number;
  readonly planes: number;
  /** Row-major [planes × dim] normals. */
  private readonly normals: Float64Array;

  /** The point all planes pass through (the origin when absent). */
  private readonly center: Float32Array | null;

  constructor(dim: number, planes: number, seed: number, center: Float32Array | null = null) {
    if (!Number.isInteger(planes) || planes < 1 || planes > 30) {
      throw new RangeError(
        `RandomHyperplaneLsh: planes must be an integer in [1, 30] (bucket ids are 31-bit), got ${planes}`,
      );
    }
    if (!Number.isInteger(dim) || dim < 1)
      throw new RangeError(`RandomHyperplaneLsh: dim must be a positive integer, got ${dim}`);
    if (center && center.length !== dim)
      throw new RangeError(`RandomHyperplaneLsh: center has length ${center.length}, expected ${dim}`);
    this.dim = dim;
    this.planes = planes;
    this.center = center;
    const rng = createRng(seed);
    this.normals = Float64Array.from({ length: planes * dim }, () => rng.normal());
  }

  /** Number of distinct buckets, 2^planes. */
  get bucketCount(): number {
    return 2 ** this.planes;
  }

  /** Bucket id of the vector stored at `data[offset .. offset + dim)`. A vector on a plane counts as its + side. */
  bucket(data: Float32Array, offset = 0): number {
    let id = 0;
    for (let p = 0; p < this.planes; p++) {
      let dot = 0;
      const base = p * this.dim;
      const c = this.center;
      for (let i = 0; i < this.dim; i++) dot += this.normals[base + i]! * (data[offset + i]! - (c ? c[i]! : 0));
      if (dot >= 0) id |= 1 << p;
    }
    return id;
  }
}

/** The set of buckets an account's queries have landed in, with how often each was hit. */
export class BucketCounts {
  private readonly hits = new Map<number, number>();
  private total = 0;
  /** Σ c·log2(c) over the bucket counts c, kept up to date so the entropy costs O(1) per query. */
  private sumCLogC = 0;

  add(bucket: number): void {
    const c = this.hits.get(bucket) ?? 0;
    this.hits.set(bucket, c + 1);
    this.total++;
    this.sumCLogC += (c + 1) * Math.log2(c + 1) - (c > 0 ? c * Math.log2(c) : 0);
  }

  /** Distinct buckets hit. */
  get distinct(): number {
    return this.hits.size;
  }

  get queries(): number {
    return this.total;
  }

  /** Fraction of all `bucketCount` buckets hit at least once (B4B's coverage). */
  coverage(bucketCount: number): number {
    return this.hits.size / bucketCount;
  }

  /** Shannon entropy (bits) of the empirical distribution of hits over buckets; 0 when empty. */
  entropyBits(): number {
    if (this.total === 0) return 0;
    // H = -Σ (c/n) log2(c/n) = log2(n) - Σ c log2(c) / n
    return Math.max(0, Math.log2(this.total) - this.sumCLogC / this.total);
  }
}
