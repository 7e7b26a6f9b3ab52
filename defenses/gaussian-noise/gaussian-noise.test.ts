// Gaussian noise: the added noise has the set mean and spread (literal, or in the victim's own per-coordinate units
// measured on the provider's data), is reproducible from the seed, and each account has its own stream that does not
// depend on other accounts' traffic.
import { describe, expect, it } from 'vitest';
import gaussianNoise from './index.ts';
import { imageBatch, openGuard, requestFor, tinyDeployment } from '../../test/helpers/tiny-deployment.ts';
import { createRng, type Guard, type GuardRequest, type ImageSet } from '../../benchmark/index.ts';
import { testDefense } from '../../benchmark/testkit/index.ts';

const victim = tinyDeployment({ representationDim: 50 });
const rows = Array.from({ length: 200 }, (_, i) => [i / 200, 1 - i / 200, (i % 7) / 7, 0.5]);
const batch = imageBatch(rows);

async function noiseOf(guard: Guard, request: GuardRequest): Promise<Float64Array> {
  const { answer } = await guard.answer(request);
  return Float64Array.from(answer.data, (v, i) => v - request.clean.data[i]!);
}

describe('gaussian-noise', () => {
  it('adds noise whose empirical mean and std match the options (10,000 draws)', async () => {
    const guard = await openGuard(gaussianNoise, victim, { mean: 10, sigma: 2, units: 'absolute' });
    const noise = await noiseOf(guard, await requestFor(victim, 'a', batch));
    expect(noise.length).toBe(10_000);
    const mean = noise.reduce((s, v) => s + v, 0) / noise.length;
    const std = Math.sqrt(noise.reduce((s, v) => s + (v - mean) ** 2, 0) / (noise.length - 1));
    // Standard error of the mean is 2/100 = 0.02; of the std about 2/sqrt(2*10^4) = 0.014. Allow ~5 standard errors.
    expect(Math.abs(mean - 10)).toBeLessThan(0.1);
    expect(Math.abs(std - 2)).toBeLessThan(0.07);
  });

  it('defaults to zero mean and unit sigma (absolute units)', async () => {
    const guard = await openGuard(gaussianNoise, victim, { units: 'absolute' });
    const noise = await noiseOf(guard, await requestFor(victim, 'a', batch));
    const mean = noise.reduce((s, v) => s + v, 0) / noise.length;
    const std = Math.sqrt(noise.reduce((s, v) => s + (v - mean) ** 2, 0) / (noise.length - 1));
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(std - 1)).toBeLessThan(0.035);
  });

  it('gives the same noise for the same seed and different noise for another seed', async () => {
    const request = await requestFor(victim, 'a', batch);
    const first = await noiseOf(await openGuard(gaussianNoise, victim, { sigma: 1, units: 'absolute' }, 11), request);
    const again = await noiseOf(await openGuard(gaussianNoise, victim, { sigma: 1, units: 'absolute' }, 11), request);
    const other = await noiseOf(await openGuard(gaussianNoise, victim, { sigma: 1, units: 'absolute' }, 12), request);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('gives accounts independent streams, unaffected by interleaving', async () => {
    const request = (account: string) => requestFor(victim, account, batch);
    // Alone: account b's first two answers.
    const solo = await openGuard(gaussianNoise, victim, { sigma: 1, units: 'absolute' }, 5);
    const b1 = await noiseOf(solo, await request('b'));
    const b2 = await noiseOf(solo, await request('b'));
    // Interleaved with account a's traffic.
    const shared = await openGuard(gaussianNoise, victim, { sigma: 1, units: 'absolute' }, 5);
    const a1 = await noiseOf(shared, await request('a'));
    const b1x = await noiseOf(shared, await request('b'));
    await noiseOf(shared, await request('a'));
    const b2x = await noiseOf(shared, await request('b'));
    expect(b1x).toEqual(b1);
    expect(b2x).toEqual(b2);
    // a and b draw different noise; their correlation is near 0 (10,000 pairs: |r| < 0.05 is ~5 standard errors).
    const n = a1.length;
    const ma = a1.reduce((s, v) => s + v, 0) / n;
    const mb = b1.reduce((s, v) => s + v, 0) / n;
    let sab = 0,
      saa = 0,
      sbb = 0;
    for (let i = 0; i < n; i++) {
      sab += (a1[i]! - ma) * (b1[i]! - mb);
      saa += (a1[i]! - ma) ** 2;
      sbb += (b1[i]! - mb) ** 2;
    }
    expect(Math.abs(sab / Math.sqrt(saa * sbb))).toBeLessThan(0.05);
  });

  it('rejects a negative sigma with the option named', async () => {
    await expect(openGuard(gaussianNoise, victim, { sigma: -1 })).rejects.toThrow(/sigma/);
  });
});

describe('gaussian-noise in victim units', () => {
  // A hand-made victim: coordinate 0 = 2·pixel 0, coordinate 1 = 0.1·pixel 1 (pixels 2 and 3 unused), so the spread
  // of each coordinate on the private data is a known multiple of the spread of one pixel.
  const handMade = tinyDeployment({
    representationDim: 2,
    encoderWeights: Float32Array.from([2, 0, 0, 0.1, 0, 0, 0, 0]),
  });
  const rng = createRng(3);
  const privateRows = Array.from({ length: 400 }, () => [rng.next(), rng.next(), 0, 0]);
  const privateBatch = imageBatch(privateRows);
  const privateData: ImageSet = { ...privateBatch, name: 'test/private', labels: null };
  const sampleStd = (xs: number[]) => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
  };
  // Worked out from the pixels, not from the guard: all 400 images are measured (spreadSamples 400).
  const expectedSpread = [2 * sampleStd(privateRows.map((r) => r[0]!)), 0.1 * sampleStd(privateRows.map((r) => r[1]!))];
  const queries = imageBatch(Array.from({ length: 5000 }, (_, i) => [(i % 10) / 10, (i % 7) / 7, 0, 0]));

  async function noisePerCoordinate(options: Record<string, unknown>): Promise<{ noise: number[][]; guard: Guard }> {
    const guard = await openGuard(gaussianNoise, handMade, { spreadSamples: 400, ...options }, 5, privateData);
    const noise = await noiseOf(guard, await requestFor(handMade, 'a', queries));
    return { noise: [0, 1].map((j) => Array.from(noise).filter((_, i) => i % 2 === j)), guard };
  }

  it('adds noise whose std is sigma victim spreads on each coordinate', async () => {
    const { noise } = await noisePerCoordinate({ sigma: 0.5 });
    for (const j of [0, 1]) {
      // 5,000 draws: the std's standard error is ~1%; allow 5%.
      expect(sampleStd(noise[j]!) / expectedSpread[j]!).toBeGreaterThan(0.5 * 0.95);
      expect(sampleStd(noise[j]!) / expectedSpread[j]!).toBeLessThan(0.5 * 1.05);
    }
    // The two coordinates differ 20-fold in spread, and so does their noise.
    expect(sampleStd(noise[0]!) / sampleStd(noise[1]!)).toBeGreaterThan(15);
  });

  it("puts the paper's mean 10 in victim spreads too, and records the spread it measured", async () => {
    const { noise, guard } = await noisePerCoordinate({ mean: 10, sigma: 1 });
    for (const j of [0, 1]) {
      const m = noise[j]!.reduce((a, b) => a + b, 0) / noise[j]!.length;
      // Standard error of the mean: one spread / sqrt(5000) ≈ 0.014 spreads.
      expect(Math.abs(m / expectedSpread[j]! - 10)).toBeLessThan(0.08);
    }
    const figures = guard.figures!();
    const meanSpread = (expectedSpread[0]! + expectedSpread[1]!) / 2;
    expect(figures.victimSpread).toBeCloseTo(meanSpread, 5);
    expect(figures.victimSpreadMin).toBeCloseTo(expectedSpread[1]!, 5);
    expect(figures.victimSpreadMax).toBeCloseTo(expectedSpread[0]!, 5);
    expect(figures.spreadSamples).toBe(400);
    expect(figures.noiseMean).toBeCloseTo(10 * meanSpread, 4);
    expect(figures.noiseSigma).toBeCloseTo(meanSpread, 5);
  });

  it('refuses victim units without the provider data, naming the way out', async () => {
    await expect(openGuard(gaussianNoise, handMade, {})).rejects.toThrow(/units 'victim'.*loadPrivateData.*absolute/);
  });

  it('records no spread in absolute units', async () => {
    const guard = await openGuard(gaussianNoise, handMade, { units: 'absolute', sigma: 0.3 });
    await guard.answer(await requestFor(handMade, 'a', queries));
    expect(guard.figures!()).toEqual({ noiseMean: 0, noiseSigma: 0.3 });
  });
});

// The contributor kit's contract checks (CONTRIBUTING.md): options schema, answers shaped like the batch, no mutation
// of the request, determinism under a seed, report shape.
testDefense(gaussianNoise, {
  cases: [
    {},
    { options: { mean: 10, sigma: 2 } },
    { options: { mean: 10, sigma: 2, units: 'absolute' } },
    { output: 'projection' },
  ],
  invalid: [{ options: { sigma: -1 }, issue: { path: '/sigma', keyword: 'minimum' } }],
});
