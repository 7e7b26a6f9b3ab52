// B4B: coverage rises as an account spreads its queries and stays low for repeated similar ones; the noise follows
// the cost function (checked by hand) and so grows with coverage; per-account transforms differ between accounts,
// are consistent within one, and preserve distances.
import { describe, expect, it } from 'vitest';
import b4b, { b4bSigma } from './index.ts';
import { BucketCounts, probeCenter, RandomHyperplaneLsh } from '../_shared/lsh.ts';
import { accountTransform, randomOrthogonal } from './transform.ts';
import { imageBatch, openGuard, requestFor, rowsOf, tinyDeployment } from '../../test/helpers/tiny-deployment.ts';
import { testDefense } from '../../benchmark/testkit/index.ts';
import { createRng } from '../../benchmark/index.ts';

const victim = tinyDeployment({ inputShape: [2, 2, 1], representationDim: 6, seed: 3 });
const rng = createRng(99);
/** 256 images spread over [0,1]^4, centred on 0.5 so their representations point every way after centring. */
const spread = Array.from({ length: 256 }, () => Array.from({ length: 4 }, () => rng.next()));
/** 256 tiny perturbations of one image. */
const similar = Array.from({ length: 256 }, () => [0.8, 0.1, 0.4, 0.3].map((v) => v + 0.0005 * rng.normal()));

describe('b4b cost function', () => {
  it('matches the formula worked out by hand', () => {
    const p = { lambda: 0.01, alpha: 1, beta: 0.5 };
    expect(b4bSigma(0, p)).toBe(0);
    // c = β/2: 0.01 * (exp(ln(100)/2) - 1) = 0.01 * (10 - 1)
    expect(b4bSigma(0.25, p)).toBeCloseTo(0.09, 12);
    // c = β: α - λ
    expect(b4bSigma(0.5, p)).toBeCloseTo(0.99, 12);
    // c = 2β: 0.01 * (100^2 - 1)
    expect(b4bSigma(1, p)).toBeCloseTo(99.99, 9);
  });
});

describe('b4b coverage', () => {
  it('counts distinct buckets and their entropy', () => {
    const counts = new BucketCounts();
    for (const b of [3, 3, 5, 7]) counts.add(b);
    expect(counts.distinct).toBe(3);
    expect(counts.coverage(16)).toBe(3 / 16);
    // p = (1/2, 1/4, 1/4): H = 0.5*1 + 2*0.25*2 = 1.5 bits
    expect(counts.entropyBits()).toBeCloseTo(1.5, 12);
  });

  it('puts a vector and its positive multiples in the same bucket, and its negation in the complementary one', () => {
    const lsh = new RandomHyperplaneLsh(5, 8, 1);
    const v = Float32Array.of(0.3, -1, 2, 0.5, -0.7);
    const b = lsh.bucket(v);
    expect(lsh.bucket(v.map((x) => 3 * x))).toBe(b);
    expect(lsh.bucket(v.map((x) => -x))).toBe(~b & 0xff);
  });

  it(
    'centres the hyperplanes on the mean representation of a noise probe ' + '(for a linear victim: the grey image)',
    async () => {
      const center = await probeCenter(victim, 1, 256);
      const grey = rowsOf(await victim.encode(imageBatch([[0.5, 0.5, 0.5, 0.5]])))[0]!;
      // Each pixel mean has standard error 0.29/16 = 0.018; the weights are N(0, 1/4): allow 0.1 per coordinate.
      center.forEach((c, i) => expect(Math.abs(c - grey[i]!)).toBeLessThan(0.1));
      const lsh = new RandomHyperplaneLsh(6, 8, 2, center);
      // Reflection through the centre flips every bit.
      const v = Float32Array.of(1, -2, 0.5, 3, 0, 1);
      const mirrored = v.map((x, i) => 2 * center[i]! - x);
      expect(lsh.bucket(mirrored)).toBe(~lsh.bucket(v) & 0xff);
    },
  );

  it('rises for an account that spreads its queries and stays low for one that repeats similar queries', async () => {
    const guard = await openGuard(b4b, victim, { hyperplanes: 4, transform: 'none' });
    for (let i = 0; i < 256; i += 64) {
      await guard.answer(await requestFor(victim, 'spreader', imageBatch(spread.slice(i, i + 64))));
      await guard.answer(await requestFor(victim, 'repeater', imageBatch(similar.slice(i, i + 64))));
    }
    const report = Object.fromEntries(guard.report!().map((r) => [r.account, r.score!]));
    expect(report.repeater).toBeLessThanOrEqual(2 / 16);
    expect(report.spreader).toBeGreaterThanOrEqual(6 / 16);
  });
});

describe('b4b noise', () => {
  it('grows with coverage and has the standard deviation the cost function gives', async () => {
    const options = { hyperplanes: 4, lambda: 0.01, alpha: 1, beta: 0.5, transform: 'none' };
    const guard = await openGuard(b4b, victim, options);
    const noiseStd = async (account: string, rows: number[][]) => {
      const request = await requestFor(victim, account, imageBatch(rows));
      const { answer } = await guard.answer(request);
      const d = Array.from(answer.data, (v, i) => v - request.clean.data[i]!);
      return Math.sqrt(d.reduce((s, v) => s + v * v, 0) / d.length);
    };
    const coverage = (account: string) => guard.report!().find((r) => r.account === account)!.score!;
    // Warm up both accounts, then measure one more batch each at (almost) fixed coverage.
    await noiseStd('spreader', spread.slice(0, 192));
    await noiseStd('repeater', similar.slice(0, 192));
    const cSpread = coverage('spreader');
    const cRepeat = coverage('repeater');
    expect(cSpread).toBeGreaterThan(cRepeat);
    const stdSpread = await noiseStd('spreader', spread.slice(192));
    const stdRepeat = await noiseStd('repeater', similar.slice(192));
    expect(stdSpread).toBeGreaterThan(5 * stdRepeat);
    // The coverage after the warm-up bounds the sigma of the last batch from below, the final coverage from above.
    const lo = b4bSigma(cSpread, options as never);
    const hi = b4bSigma(coverage('spreader'), options as never);
    expect(stdSpread).toBeGreaterThan(0.85 * lo);
    expect(stdSpread).toBeLessThan(1.15 * hi);
  });
});

describe('b4b per-account transforms', () => {
  const quiet = { lambda: 1e-12, alpha: 1e-10, beta: 1 }; // noise below 1e-10: the transform alone is visible

  it('builds orthogonal matrices', () => {
    const dim = 7;
    const q = randomOrthogonal(dim, 4);
    for (let a = 0; a < dim; a++) {
      for (let b = 0; b < dim; b++) {
        let dot = 0;
        for (let i = 0; i < dim; i++) dot += q[a * dim + i]! * q[b * dim + i]!;
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 10);
      }
    }
  });

  for (const transform of ['affine', 'permutation'] as const) {
    it(`${transform}: differs between accounts, is consistent within one, and keeps distances`, async () => {
      const guard = await openGuard(b4b, victim, { ...quiet, transform });
      const images = imageBatch(spread.slice(0, 3));
      const request = await requestFor(victim, 'x', images);
      const a1 = rowsOf((await guard.answer({ ...request, account: 'alice' })).answer);
      const a2 = rowsOf((await guard.answer({ ...request, account: 'alice' })).answer);
      const b1 = rowsOf((await guard.answer({ ...request, account: 'bob' })).answer);
      const clean = rowsOf(request.clean);
      const dist = (u: number[], v: number[]) => Math.hypot(...u.map((x, i) => x - v[i]!));
      for (let r = 0; r < 3; r++) {
        for (let i = 0; i < 6; i++) expect(a2[r]![i]).toBeCloseTo(a1[r]![i]!, 5);
        expect(dist(a1[r]!, b1[r]!)).toBeGreaterThan(0.1);
        expect(dist(a1[r]!, clean[r]!)).toBeGreaterThan(0.1);
      }
      expect(dist(a1[0]!, a1[1]!)).toBeCloseTo(dist(clean[0]!, clean[1]!), 5);
      expect(dist(b1[1]!, b1[2]!)).toBeCloseTo(dist(clean[1]!, clean[2]!), 5);
    });
  }

  it('permutation with zero shift is a signed reordering of the coordinates', () => {
    const t = accountTransform('permutation', 4, 0, 8);
    const out = Array.from(t.apply(Float32Array.of(1, 2, 3, 4), 1));
    expect(out.map(Math.abs).sort()).toEqual([1, 2, 3, 4]);
  });
});

// The contributor kit's contract checks (CONTRIBUTING.md): options schema, answers shaped like the batch, no mutation
// of the request, determinism under a seed, report shape.
testDefense(b4b, {
  cases: [{}, { options: { transform: 'permutation' } }],
  invalid: [{ options: { beta: 2 }, issue: { path: '/beta', keyword: 'maximum' } }],
});
