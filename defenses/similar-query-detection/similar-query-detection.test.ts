// Similar-query detection on cases worked out by hand: the victim's encoder and head are identity-like maps, so the
// compared features are the pixel values themselves and every similarity below is computed on paper.
import { describe, expect, it } from 'vitest';
import detection from './index.ts';
import { imageBatch, openGuard, requestFor, rowsOf, tinyDeployment } from '../../test/helpers/tiny-deployment.ts';

const identity4 = Float32Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 1 : 0));
/** Head keeping the first two coordinates: images that differ only in pixels 3-4 have equal projections. */
const firstTwo = Float32Array.of(1, 0, 0, 1, 0, 0, 0, 0);
const victim = tinyDeployment({ representationDim: 4, encoderWeights: identity4, projectionDim: 4, headWeights: identity4 });
const cropHeadVictim = tinyDeployment({ representationDim: 4, encoderWeights: identity4, projectionDim: 2, headWeights: firstTwo });
const quiet = { perturbFlagged: false };

async function flagsOf(guard: Awaited<ReturnType<typeof openGuard>>, v: typeof victim, account: string, rows: number[][]) {
  return (await guard.answer(await requestFor(v, account, imageBatch(rows)))).flagged;
}

describe('similar-query-detection', () => {
  it('flags an exact duplicate and not a fresh distant query (cosine)', async () => {
    const guard = await openGuard(detection, victim, { ...quiet, metric: 'cosine', threshold: 0.9 });
    expect(await flagsOf(guard, victim, 'a', [[1, 0, 0, 0], [0, 1, 0, 0]])).toEqual([false, false]); // cos = 0
    expect(await flagsOf(guard, victim, 'a', [[1, 0, 0, 0], [0, 0, 1, 0]])).toEqual([true, false]);
  });

  it('flags a repeat earlier in the same batch', async () => {
    const guard = await openGuard(detection, victim, { ...quiet, metric: 'l2', threshold: 0.01 });
    expect(await flagsOf(guard, victim, 'a', [[0, 0.5, 0.5, 0], [0, 0.5, 0.5, 0], [0.5, 0, 0, 0.5]])).toEqual([false, true, false]);
  });

  it('flags a slightly perturbed copy under the threshold and not one above it', async () => {
    // l2, τ = 0.2: [1, 0.1, 0, 0] is 0.1 from [1, 0, 0, 0] (flagged), [0, 0.3, 1, 0] is 0.3 from [0, 0, 1, 0] (not).
    const l2 = await openGuard(detection, victim, { ...quiet, metric: 'l2', threshold: 0.2 });
    await flagsOf(l2, victim, 'a', [[1, 0, 0, 0], [0, 0, 1, 0]]);
    expect(await flagsOf(l2, victim, 'a', [[1, 0.1, 0, 0], [0, 0.3, 1, 0]])).toEqual([true, false]);
    // cosine, τ = 0.9: cos([0, 0.3, 1, 0], [0, 0, 1, 0]) = 1/sqrt(1.09) = 0.958 > 0.9 (flagged);
    // cos([0.5, 0.5, 0, 0], [1, 0, 0, 0]) = 0.707 (not).
    const cos = await openGuard(detection, victim, { ...quiet, metric: 'cosine', threshold: 0.9 });
    await flagsOf(cos, victim, 'a', [[1, 0, 0, 0], [0, 0, 1, 0]]);
    expect(await flagsOf(cos, victim, 'a', [[0, 0.3, 1, 0], [0.5, 0.5, 0, 0]])).toEqual([true, false]);
  });

  it("compares projections through the victim's head when useHead, representations otherwise", async () => {
    const rows = [[0.2, 0.6, 1, 0], [0.2, 0.6, 0, 1]]; // same first two pixels, orthogonal last two
    const withHead = await openGuard(detection, cropHeadVictim, { ...quiet, metric: 'l2', threshold: 0.1, useHead: true });
    const withoutHead = await openGuard(detection, cropHeadVictim, { ...quiet, metric: 'l2', threshold: 0.1, useHead: false });
    expect(await flagsOf(withHead, cropHeadVictim, 'a', rows)).toEqual([false, true]);
    expect(await flagsOf(withoutHead, cropHeadVictim, 'a', rows)).toEqual([false, false]);
  });

  it('keeps histories per account', async () => {
    const guard = await openGuard(detection, victim, { ...quiet, metric: 'cosine', threshold: 0.9 });
    await flagsOf(guard, victim, 'a', [[1, 0, 0, 0]]);
    expect(await flagsOf(guard, victim, 'b', [[1, 0, 0, 0]])).toEqual([false]);
    expect(await flagsOf(guard, victim, 'a', [[1, 0, 0, 0]])).toEqual([true]);
  });

  it('answers flagged queries with noise of large mean and leaves the others alone', async () => {
    const guard = await openGuard(detection, victim, { metric: 'cosine', threshold: 0.9, noiseMean: 1000, noiseSigma: 20 });
    const request = await requestFor(victim, 'a', imageBatch([[1, 0, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0]]));
    const { answer, flagged } = await guard.answer(request);
    expect(flagged).toEqual([false, false, true]);
    const rows = rowsOf(answer);
    expect(rows[0]).toEqual([1, 0, 0, 0]);
    expect(rows[1]).toEqual([0, 1, 0, 0]);
    // Four N(1000, 20²) draws: each within 6σ of the mean, and not all equal.
    for (const v of rows[2]!) expect(Math.abs(v - 1000)).toBeLessThan(120);
    expect(new Set(rows[2]).size).toBeGreaterThan(1);
  });

  it('reports an account as an attacker when its share of flagged queries exceeds accountThreshold', async () => {
    const guard = await openGuard(detection, victim, { ...quiet, metric: 'cosine', threshold: 0.9, accountThreshold: 0.3 });
    // attacker: two views of each of 3 images -> 3 of 6 flagged (0.5); legit: 4 distinct directions -> 0 flagged.
    await flagsOf(guard, victim, 'attacker', [[1, 0, 0, 0], [1, 0.05, 0, 0], [0, 1, 0, 0], [0, 1, 0.05, 0], [0, 0, 1, 0], [0.05, 0, 1, 0]]);
    await flagsOf(guard, victim, 'legit', [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]);
    const report = Object.fromEntries(guard.report!().map((r) => [r.account, r]));
    expect(report.attacker).toEqual({ account: 'attacker', flagged: true, score: 0.5 });
    expect(report.legit).toEqual({ account: 'legit', flagged: false, score: 0 });
  });
});
