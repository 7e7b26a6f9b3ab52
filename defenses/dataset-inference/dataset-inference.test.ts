// Dataset inference on cases worked out by hand: EM recovers the two clusters of a 1-D sample and the maximum-
// likelihood Gaussian of a single cluster; per-point log-likelihoods equal the closed form; and both tests (GMM
// likelihood, augmentation distance) separate an encoder that memorised its private training images (private images
// and their mirror images snap onto class prototypes, as an overfitted SSL encoder pulls its training views together)
// from an independent encoder that never saw them. p-values come from @stdlib through benchmark/scoring/stats.ts.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { augmentationDistanceTest } from './augmentation-distance.ts';
import { fitDiagonalGmm, gmmLogLikelihoods } from './gmm.ts';
import datasetInference, { type DatasetInferenceOptions } from './index.ts';
import { chooseSamples } from './samples.ts';
import { ntXentPerImage } from './head-loss.ts';
import { testDefense } from '../../benchmark/testkit/index.ts';
import {
  initEngine,
  type ImageBatch,
  type ImageSet,
  type OwnershipContext,
  type Vectors,
  type VictimDeployment,
  createRng,
  deriveSeed,
} from '../../benchmark/index.ts';

const points = (values: number[], dim = 1) => ({ data: Float64Array.from(values), count: values.length / dim, dim });

describe('diagonal GMM (EM in Float64)', () => {
  it('recovers the two clusters of a 1-D sample: means −2 and 2, variances 0.08/3 and 0.18/3, weights ½', () => {
    const gmm = fitDiagonalGmm(points([-2.2, -2, -1.8, 1.7, 2, 2.3]), { components: 2, seed: 3 });
    const order = gmm.means[0]! < gmm.means[1]! ? [0, 1] : [1, 0];
    expect(Array.from(order, (c) => gmm.means[c]!)).toEqual([expect.closeTo(-2, 9), expect.closeTo(2, 9)]);
    // (0.2² + 0 + 0.2²)/3 and (0.3² + 0 + 0.3²)/3, plus the 1e-6 floor.
    expect(gmm.variances[order[0]!]).toBeCloseTo(0.08 / 3 + 1e-6, 9);
    expect(gmm.variances[order[1]!]).toBeCloseTo(0.18 / 3 + 1e-6, 9);
    expect(Array.from(gmm.weights)).toEqual([expect.closeTo(0.5, 9), expect.closeTo(0.5, 9)]);
    expect(gmm.converged).toBe(true);
  });

  it('one component is the maximum-likelihood Gaussian, and log-likelihoods match the closed form', () => {
    const gmm = fitDiagonalGmm(points([1, 2, 3, 4, 10, 20, 30, 40], 2), { components: 1, seed: 1 });
    // Dimension 0: 1, 3, 10, 30 → mean 11, variance (100+64+1+361)/4 = 131.5; dimension 1: 2, 4, 20, 40 → 16.5,
    // (210.25+156.25+12.25+552.25)/4 = 232.75.
    expect(Array.from(gmm.means)).toEqual([expect.closeTo(11, 9), expect.closeTo(16.5, 9)]);
    expect(Array.from(gmm.variances)).toEqual([expect.closeTo(131.5, 5), expect.closeTo(232.75, 5)]);
    const x = [5, -1];
    const byHand = [0, 1].reduce((sum, d) => {
      const variance = [131.5, 232.75][d]! + 1e-6;
      const mu = [11, 16.5][d]!;
      return sum - 0.5 * Math.log(2 * Math.PI * variance) - (x[d]! - mu) ** 2 / (2 * variance);
    }, 0);
    expect(gmmLogLikelihoods(gmm, points(x, 2))[0]).toBeCloseTo(byHand, 9);
  });

  it('a two-component mixture density is the weighted sum of its Gaussians', () => {
    const gmm = fitDiagonalGmm(points([-2.2, -2, -1.8, 1.7, 2, 2.3]), { components: 2, seed: 3 });
    const x = 0.4;
    const density = [0, 1].reduce(
      (s, c) =>
        s +
        (gmm.weights[c]! * Math.exp(-((x - gmm.means[c]!) ** 2) / (2 * gmm.variances[c]!))) /
          Math.sqrt(2 * Math.PI * gmm.variances[c]!),
      0,
    );
    expect(gmmLogLikelihoods(gmm, points([x]))[0]).toBeCloseTo(Math.log(density), 9);
  });

  it('any sample: weights sum to 1, variances keep the floor, the same seed gives the same mixture', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 6, maxLength: 40 }),
        fc.integer({ min: 1, max: 3 }),
        (values, k) => {
          const sample = points(values.length % 2 ? values.slice(1) : values, 2);
          const a = fitDiagonalGmm(sample, { components: k, seed: 5 });
          const b = fitDiagonalGmm(sample, { components: k, seed: 5 });
          expect(a.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 9);
          expect(Math.min(...a.variances)).toBeGreaterThanOrEqual(1e-6);
          expect(Array.from(a.means)).toEqual(Array.from(b.means));
          expect(gmmLogLikelihoods(a, sample).every(Number.isFinite)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rejects bad input with what was expected', () => {
    expect(() => fitDiagonalGmm(points([1, 2]), { components: 3, seed: 1 })).toThrow(
      /3 components need at least 3 points/,
    );
    expect(() => fitDiagonalGmm(points([1, NaN]), { components: 1, seed: 1 })).toThrow(/point 1\) is NaN/);
    const gmm = fitDiagonalGmm(points([1, 2, 3]), { components: 1, seed: 1 });
    expect(() => gmmLogLikelihoods(gmm, points([1, 2], 2))).toThrow(/1-d, the points are 2-d/);
  });
});

// ---------------------------------------------------------------- a memorising victim and an independent encoder

const SIDE = 12;
const SIZE = SIDE * SIDE;
const DIM = 16;

function images(count: number, seed: number, name: string): ImageSet {
  const rng = createRng(seed);
  const data = Float32Array.from({ length: count * SIZE }, () => rng.next());
  return { data, count, height: SIDE, width: SIDE, channels: 1, labels: null, name };
}

function mirror(data: Float32Array, n: number): Float32Array {
  const out = new Float32Array(SIZE);
  for (let y = 0; y < SIDE; y++)
    for (let x = 0; x < SIDE; x++) out[y * SIDE + x] = data[n * SIZE + y * SIDE + (SIDE - 1 - x)]!;
  return out;
}

function randomProjection(seed: number): (pixels: Float32Array, offset: number) => Float64Array {
  const rng = createRng(seed);
  const w = Float64Array.from({ length: SIZE * DIM }, () => rng.normal() / Math.sqrt(SIZE));
  return (pixels, offset) => {
    const out = new Float64Array(DIM);
    for (let d = 0; d < DIM; d++) {
      let sum = 0;
      for (let p = 0; p < SIZE; p++) sum += (pixels[offset + p]! - 0.5) * w[p * DIM + d]!;
      out[d] = Math.tanh(sum);
    }
    return out;
  };
}

/**
 * rep(x) = w·μ(class of x's nearest memorised image) + (1 − w)·g(x) + 0.05·g(x), w = exp(−d²/τ), d = distance to the
 * nearest memorised image. Memorised: the private training images and their mirror images (its "augmentations").
 */
function memorisingEncoder(train: ImageSet, seed: number, classes = 4): (images: ImageBatch) => Promise<Vectors> {
  const g = randomProjection(deriveSeed(seed, 'g'));
  const rng = createRng(deriveSeed(seed, 'prototypes'));
  const prototypes = Array.from({ length: classes }, () => Float64Array.from({ length: DIM }, () => rng.normal()));
  const memory: { pixels: Float32Array; cls: number }[] = [];
  for (let n = 0; n < train.count; n++) {
    memory.push(
      { pixels: train.data.slice(n * SIZE, (n + 1) * SIZE), cls: n % classes },
      { pixels: mirror(train.data, n), cls: n % classes },
    );
  }
  const tau = SIZE / 12 / 4; // a random pair of images is SIZE/6 apart in squared distance: w ≈ e^-8 for unseen ones
  return async (batch) => {
    const data = new Float32Array(batch.count * DIM);
    for (let n = 0; n < batch.count; n++) {
      let best = Infinity;
      let cls = 0;
      for (const m of memory) {
        let d2 = 0;
        for (let p = 0; p < SIZE && d2 < best; p++) d2 += (batch.data[n * SIZE + p]! - m.pixels[p]!) ** 2;
        if (d2 < best) {
          best = d2;
          cls = m.cls;
        }
      }
      const w = Math.exp(-best / tau);
      const generic = g(batch.data, n * SIZE);
      for (let d = 0; d < DIM; d++) data[n * DIM + d] = w * prototypes[cls]![d]! + (1.05 - w) * generic[d]!;
    }
    return { data, count: batch.count, dim: DIM };
  };
}

function independentEncoder(seed: number): (images: ImageBatch) => Promise<Vectors> {
  const g = randomProjection(seed);
  return async (batch) => {
    const data = new Float32Array(batch.count * DIM);
    for (let n = 0; n < batch.count; n++) data.set(g(batch.data, n * SIZE), n * DIM);
    return { data, count: batch.count, dim: DIM };
  };
}

describe('dataset inference separates a copy of a memorising victim from an independent encoder', () => {
  const privateData = images(240, 11, 'toy/private');
  const publicData = images(120, 12, 'toy/public');
  const victimEncode = memorisingEncoder(privateData, 21);
  const victim: VictimDeployment = {
    id: 'toy',
    inputShape: [SIDE, SIDE, 1],
    representationDim: DIM,
    encode: victimEncode,
  };
  const context = (suspect: OwnershipContext['suspect']): OwnershipContext => ({
    seed: 4,
    log: () => {},
    victim,
    privateData,
    publicData,
    suspect,
  });
  const options = (extra: Partial<DatasetInferenceOptions> = {}): DatasetInferenceOptions => ({
    method: 'gmm-likelihood',
    components: 4,
    fitSamples: 120,
    samples: 100,
    normalize: true,
    fitOn: 'victim',
    augmentations: 2,
    augmentation: 'simclrGray',
    temperature: 0.2,
    batchSize: 50,
    alpha: 0.05,
    ...extra,
  });

  beforeAll(async () => {
    await initEngine({ backend: 'cpu' });
  });

  it('chooses disjoint private fit/scored images and a public sample of the same size, from the seed', () => {
    const s = chooseSamples(privateData, publicData, 120, 100, 4);
    expect([s.fit.count, s.privateScored.count, s.publicScored.count]).toEqual([120, 100, 100]);
    const key = (set: ImageSet, i: number) => set.data.subarray(i * SIZE, i * SIZE + 4).join(',');
    const fitKeys = new Set(Array.from({ length: 120 }, (_, i) => key(s.fit, i)));
    expect(Array.from({ length: 100 }, (_, i) => key(s.privateScored, i)).some((k) => fitKeys.has(k))).toBe(false);
    const small = chooseSamples(images(64, 1, 'a'), images(64, 2, 'b'), 2000, 1000, 4);
    expect([small.fit.count, small.privateScored.count, small.publicScored.count]).toEqual([32, 32, 32]);
  });

  it('GMM likelihood: the victim itself is flagged (p < 1e-6), the independent encoder is not', async () => {
    const self = await datasetInference.verifyOwnership!(options(), context(victimEncode));
    expect(self.stolen).toBe(true);
    expect(self.pValue).toBeLessThan(1e-6);
    expect(self.details!.meanPrivateLogLikelihood).toBeGreaterThan(self.details!.meanPublicLogLikelihood as number);
    const other = await datasetInference.verifyOwnership!(options(), context(independentEncoder(99)));
    expect(other.stolen).toBe(false);
    expect(other.pValue).toBeGreaterThan(0.05);
  });

  it(
    'GMM fitted on the suspect (and the fallback for a suspect of another ' + 'dimension) keeps the separation',
    async () => {
      const self = await datasetInference.verifyOwnership!(options({ fitOn: 'suspect' }), context(victimEncode));
      expect(self.stolen).toBe(true);
      const wider = async (batch: ImageBatch): Promise<Vectors> => {
        const v = await independentEncoder(98)(batch);
        const data = new Float32Array(v.count * (DIM + 3));
        for (let n = 0; n < v.count; n++) data.set(v.data.subarray(n * DIM, (n + 1) * DIM), n * (DIM + 3));
        return { data, count: v.count, dim: DIM + 3 };
      };
      const other = await datasetInference.verifyOwnership!(options(), context(wider));
      expect(other.details!.fittedOn).toBe('suspect');
      expect(other.stolen).toBe(false);
    },
  );

  it(
    'augmentation distance (table 19): private images sit closer to their ' + 'mirror views, for the victim only',
    async () => {
      const samples = chooseSamples(privateData, publicData, 120, 100, 4);
      const settings = { augmentations: 1, augmentation: { flip: 1 }, normalize: true, seed: 4 };
      const self = await augmentationDistanceTest(samples, victimEncode, settings);
      expect(self.meanPrivate).toBeLessThan(self.meanPublic);
      expect(self.pValue).toBeLessThan(1e-6);
      const other = await augmentationDistanceTest(samples, independentEncoder(99), settings);
      expect(other.pValue).toBeGreaterThan(0.05);
    },
  );

  it(
    'projection-head loss (section 5.4): the victim itself is claimed ' +
      'through its head, an independent encoder is not',
    async () => {
      // The defender's head: a fixed linear map of the representation (the test only needs one the copies share).
      const headRng = createRng(31);
      const head = Float64Array.from({ length: DIM * DIM }, () => headRng.normal() / Math.sqrt(DIM));
      const project = async (v: Vectors): Promise<Vectors> => {
        const data = new Float32Array(v.count * DIM);
        for (let n = 0; n < v.count; n++) {
          for (let o = 0; o < DIM; o++) {
            let sum = 0;
            for (let d = 0; d < DIM; d++) sum += v.data[n * v.dim + d]! * head[d * DIM + o]!;
            data[n * DIM + o] = sum;
          }
        }
        return { data, count: v.count, dim: DIM };
      };
      const withHead: VictimDeployment = { ...victim, project, projectionDim: DIM };
      // A victim trained by instance discrimination (what NT-Xent rewards): each private image and its mirror view snap
      // onto a point of their own. (The 4-prototype victim above would put a quarter of each batch at similarity 1,
      // which raises NT-Xent on private images: a contrastive encoder does not collapse its training images so.)
      const instanceEncode = memorisingEncoder(privateData, 22, privateData.count);
      // Views: each mirrored with probability ½, the toy victim's memorised "augmentation".
      const headOptions = options({ method: 'head-loss', augmentations: 1 });
      const mirrorCtx = (suspect: OwnershipContext['suspect']): OwnershipContext => ({
        ...context(suspect),
        victim: withHead,
      });
      const { headLossTest } = await import('./head-loss.ts');
      const samples = chooseSamples(privateData, publicData, 120, 100, 4);
      const settings = { augmentations: 2, augmentation: { flip: 0.5 }, temperature: 0.2, batchSize: 50, seed: 4 };
      const self = await headLossTest(samples, instanceEncode, project, settings);
      expect(self.meanPrivate).toBeLessThan(self.meanPublic);
      expect(self.pValue).toBeLessThan(1e-6);
      const other = await headLossTest(samples, independentEncoder(99), project, settings);
      expect(other.pValue).toBeGreaterThan(0.05);
      // Through the plugin (its own augmentation preset): runs end to end and names the method.
      const verdict = await datasetInference.verifyOwnership!(headOptions, mirrorCtx(independentEncoder(99)));
      expect(verdict.details!.method).toBe('head-loss');
      expect(verdict.stolen).toBe(false);
    },
  );

  it(
    'projection-head loss without a head (or for a suspect of another size) ' + 'is inconclusive, with the reason',
    async () => {
      const verdict = await datasetInference.verifyOwnership!(options({ method: 'head-loss' }), context(victimEncode));
      expect(verdict).toMatchObject({
        stolen: false,
        pValue: 1,
        details: { degenerate: true, reason: "victim 'toy' has no projection head" },
      });
    },
  );

  it('per-image NT-Xent matches the hand-worked value', () => {
    // Two orthogonal pairs, t = 1: anchor (1,0) sees its positive at similarity 1 and two others at 0, both ways.
    const unit = Float64Array.from([1, 0, 0, 1]);
    const losses = ntXentPerImage(unit, unit, 2, 2, 1, 2);
    expect(losses[0]).toBeCloseTo(-1 + Math.log(Math.E + 2), 12);
    expect(losses[1]).toBeCloseTo(-1 + Math.log(Math.E + 2), 12);
    // Cut into batches of one, the only other vector is the positive itself: loss −1 + log(e) = 0.
    expect(Array.from(ntXentPerImage(unit, unit, 2, 2, 1, 1))).toEqual([expect.closeTo(0, 12), expect.closeTo(0, 12)]);
  });

  it('a suspect that answers the wrong number of vectors is named in the error', async () => {
    const broken = async (): Promise<Vectors> => ({ data: new Float32Array(DIM), count: 1, dim: DIM });
    await expect(datasetInference.verifyOwnership!(options(), context(broken))).rejects.toThrow(
      /the suspect must answer 100 vectors/,
    );
  });
});

// The contributor kit's contract checks (CONTRIBUTING.md): options schema, answers shaped like the batch, no mutation
// of the request, determinism under a seed, report shape.
testDefense(datasetInference, {
  cases: [
    {},
    { options: { method: 'augmentation-distance', augmentations: 2 } },
    { options: { fitOn: 'suspect', components: 2 } },
    { options: { method: 'head-loss', augmentations: 1, batchSize: 16 } },
  ],
  invalid: [
    { options: { alpha: 2 }, issue: { path: '/alpha', keyword: 'exclusiveMaximum' } },
    { options: { method: 'distance' }, issue: { path: '/method', keyword: 'enum' } },
  ],
});
