// Gaussian noise: the added noise has the set mean and spread, is reproducible from the seed, and each account has
// its own stream that does not depend on other accounts' traffic.
import { describe, expect, it } from 'vitest';
import gaussianNoise from './index.ts';
import { imageBatch, openGuard, requestFor, tinyDeployment } from '../../test/helpers/tiny-deployment.ts';
import type { Guard, GuardRequest } from '../../benchmark/plugin/types.ts';

const victim = tinyDeployment({ representationDim: 50 });
const rows = Array.from({ length: 200 }, (_, i) => [i / 200, 1 - i / 200, (i % 7) / 7, 0.5]);
const batch = imageBatch(rows);

async function noiseOf(guard: Guard, request: GuardRequest): Promise<Float64Array> {
  const { answer } = await guard.answer(request);
  return Float64Array.from(answer.data, (v, i) => v - request.clean.data[i]!);
}

describe('gaussian-noise', () => {
  it('adds noise whose empirical mean and std match the options (10,000 draws)', async () => {
    const guard = await openGuard(gaussianNoise, victim, { mean: 10, sigma: 2 });
    const noise = await noiseOf(guard, await requestFor(victim, 'a', batch));
    expect(noise.length).toBe(10_000);
    const mean = noise.reduce((s, v) => s + v, 0) / noise.length;
    const std = Math.sqrt(noise.reduce((s, v) => s + (v - mean) ** 2, 0) / (noise.length - 1));
    // Standard error of the mean is 2/100 = 0.02; of the std about 2/sqrt(2*10^4) = 0.014. Allow ~5 standard errors.
    expect(Math.abs(mean - 10)).toBeLessThan(0.1);
    expect(Math.abs(std - 2)).toBeLessThan(0.07);
  });

  it('defaults to zero mean and unit sigma', async () => {
    const guard = await openGuard(gaussianNoise, victim);
    const noise = await noiseOf(guard, await requestFor(victim, 'a', batch));
    const mean = noise.reduce((s, v) => s + v, 0) / noise.length;
    const std = Math.sqrt(noise.reduce((s, v) => s + (v - mean) ** 2, 0) / (noise.length - 1));
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(std - 1)).toBeLessThan(0.035);
  });

  it('gives the same noise for the same seed and different noise for another seed', async () => {
    const request = await requestFor(victim, 'a', batch);
    const first = await noiseOf(await openGuard(gaussianNoise, victim, { sigma: 1 }, 11), request);
    const again = await noiseOf(await openGuard(gaussianNoise, victim, { sigma: 1 }, 11), request);
    const other = await noiseOf(await openGuard(gaussianNoise, victim, { sigma: 1 }, 12), request);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('gives accounts independent streams, unaffected by interleaving', async () => {
    const request = (account: string) => requestFor(victim, account, batch);
    // Alone: account b's first two answers.
    const solo = await openGuard(gaussianNoise, victim, { sigma: 1 }, 5);
    const b1 = await noiseOf(solo, await request('b'));
    const b2 = await noiseOf(solo, await request('b'));
    // Interleaved with account a's traffic.
    const shared = await openGuard(gaussianNoise, victim, { sigma: 1 }, 5);
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
    let sab = 0, saa = 0, sbb = 0;
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
