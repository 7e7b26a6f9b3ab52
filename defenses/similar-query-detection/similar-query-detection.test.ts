// Similar-query detection on cases worked out by hand: the victim's encoder and head are identity-like maps, so the
// compared features are the pixel values themselves and every similarity below is computed on paper.
import { describe, expect, it } from 'vitest';
import detection from './index.ts';
import { imageBatch, openGuard, requestFor, rowsOf, tinyDeployment } from '../../test/helpers/tiny-deployment.ts';
import { createRng, flagStream } from '../../benchmark/index.ts';
import { testDefense } from '../../benchmark/testkit/index.ts';

const identity4 = Float32Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 1 : 0));
/** Head keeping the first two coordinates: images that differ only in pixels 3-4 have equal projections. */
const firstTwo = Float32Array.of(1, 0, 0, 1, 0, 0, 0, 0);
const victim = tinyDeployment({
  representationDim: 4,
  encoderWeights: identity4,
  projectionDim: 4,
  headWeights: identity4,
});
const cropHeadVictim = tinyDeployment({
  representationDim: 4,
  encoderWeights: identity4,
  projectionDim: 2,
  headWeights: firstTwo,
});
const quiet = { perturbFlagged: false };

async function flagsOf(
  guard: Awaited<ReturnType<typeof openGuard>>,
  v: typeof victim,
  account: string,
  rows: number[][],
) {
  return (await guard.answer(await requestFor(v, account, imageBatch(rows)))).flagged;
}

describe('similar-query-detection', () => {
  it('flags an exact duplicate and not a fresh distant query (cosine)', async () => {
    const guard = await openGuard(detection, victim, { ...quiet, metric: 'cosine', threshold: 0.9 });
    expect(
      await flagsOf(guard, victim, 'a', [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
      ]),
    ).toEqual([false, false]); // cos = 0
    expect(
      await flagsOf(guard, victim, 'a', [
        [1, 0, 0, 0],
        [0, 0, 1, 0],
      ]),
    ).toEqual([true, false]);
  });

  it('flags a repeat earlier in the same batch', async () => {
    const guard = await openGuard(detection, victim, { ...quiet, metric: 'l2', threshold: 0.01 });
    expect(
      await flagsOf(guard, victim, 'a', [
        [0, 0.5, 0.5, 0],
        [0, 0.5, 0.5, 0],
        [0.5, 0, 0, 0.5],
      ]),
    ).toEqual([false, true, false]);
  });

  it('flags a slightly perturbed copy under the threshold and not one above it', async () => {
    // l2, τ = 0.2: [1, 0.1, 0, 0] is 0.1 from [1, 0, 0, 0] (flagged), [0, 0.3, 1, 0] is 0.3 from [0, 0, 1, 0] (not).
    const l2 = await openGuard(detection, victim, { ...quiet, metric: 'l2', threshold: 0.2 });
    await flagsOf(l2, victim, 'a', [
      [1, 0, 0, 0],
      [0, 0, 1, 0],
    ]);
    expect(
      await flagsOf(l2, victim, 'a', [
        [1, 0.1, 0, 0],
        [0, 0.3, 1, 0],
      ]),
    ).toEqual([true, false]);
    // cosine, τ = 0.9: cos([0, 0.3, 1, 0], [0, 0, 1, 0]) = 1/sqrt(1.09) = 0.958 > 0.9 (flagged);
    // cos([0.5, 0.5, 0, 0], [1, 0, 0, 0]) = 0.707 (not).
    const cos = await openGuard(detection, victim, { ...quiet, metric: 'cosine', threshold: 0.9 });
    await flagsOf(cos, victim, 'a', [
      [1, 0, 0, 0],
      [0, 0, 1, 0],
    ]);
    expect(
      await flagsOf(cos, victim, 'a', [
        [0, 0.3, 1, 0],
        [0.5, 0.5, 0, 0],
      ]),
    ).toEqual([true, false]);
  });

  it("compares projections through the victim's head when useHead, representations otherwise", async () => {
    const rows = [
      [0.2, 0.6, 1, 0],
      [0.2, 0.6, 0, 1],
    ]; // same first two pixels, orthogonal last two
    const withHead = await openGuard(detection, cropHeadVictim, {
      ...quiet,
      metric: 'l2',
      threshold: 0.1,
      useHead: true,
    });
    const withoutHead = await openGuard(detection, cropHeadVictim, {
      ...quiet,
      metric: 'l2',
      threshold: 0.1,
      useHead: false,
    });
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
    const guard = await openGuard(detection, victim, {
      metric: 'cosine',
      threshold: 0.9,
      noiseMean: 1000,
      noiseSigma: 20,
    });
    const request = await requestFor(
      victim,
      'a',
      imageBatch([
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [1, 0, 0, 0],
      ]),
    );
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
    const guard = await openGuard(detection, victim, {
      ...quiet,
      metric: 'cosine',
      threshold: 0.9,
      accountThreshold: 0.3,
    });
    // attacker: two views of each of 3 images -> 3 of 6 flagged (0.5); legit: 4 distinct directions -> 0 flagged.
    await flagsOf(guard, victim, 'attacker', [
      [1, 0, 0, 0],
      [1, 0.05, 0, 0],
      [0, 1, 0, 0],
      [0, 1, 0.05, 0],
      [0, 0, 1, 0],
      [0.05, 0, 1, 0],
    ]);
    await flagsOf(guard, victim, 'legit', [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ]);
    const report = Object.fromEntries(guard.report!().map((r) => [r.account, r]));
    expect(report.attacker).toMatchObject({ account: 'attacker', flagged: true, score: 0.5 });
    expect(report.legit).toMatchObject({ account: 'legit', flagged: false, score: 0 });
  });
});

// 8-d victim whose representations and projections are the pixels: one-hot images are orthogonal queries.
const identity8 = Float32Array.from({ length: 64 }, (_, i) => (i % 9 === 0 ? 1 : 0));
const wide = tinyDeployment({
  inputShape: [2, 4, 1],
  representationDim: 8,
  encoderWeights: identity8,
  projectionDim: 8,
  headWeights: identity8,
});
const oneHot = (k: number, nudge = 0) =>
  Array.from({ length: 8 }, (_, i) => (i === k ? 1 : i === (k + 1) % 8 ? nudge : 0));
const wideRequest = (account: string, rows: number[][]) => requestFor(wide, account, imageBatch(rows, [2, 4, 1]));

describe('similar-query-detection: window-based flagging and per-window counts', () => {
  // e0, e1, e2, e3, e4, then a near copy of e0 (cosine 0.9988 to e0, 0.05 to e1, 0 to the rest).
  const stream = [oneHot(0), oneHot(1), oneHot(2), oneHot(3), oneHot(4), oneHot(0, 0.05)];

  it(
    'searches only the last `window` queries: the copy 5 queries back is ' + 'missed by window 3, caught by 5 and by 0',
    async () => {
      const flags = async (window: number) => {
        const guard = await openGuard(detection, wide, { ...quiet, threshold: 0.9, window });
        return (await guard.answer(await wideRequest('a', stream))).flagged;
      };
      expect(await flags(3)).toEqual([false, false, false, false, false, false]);
      expect(await flags(5)).toEqual([false, false, false, false, false, true]);
      expect(await flags(0)).toEqual([false, false, false, false, false, true]);
    },
  );

  it('counts every reported window, the whole history and pairwise, whatever window it acts on', async () => {
    const guard = await openGuard(detection, wide, { ...quiet, threshold: 0.9, window: 3, reportWindows: [2, 5] });
    await guard.answer(await wideRequest('a', stream.slice(0, 3)));
    await guard.answer(await wideRequest('a', stream.slice(3)));
    const [report] = guard.report!();
    expect(report!.flagged).toBe(false);
    expect(report!.rules).toEqual([
      { rule: 'window', window: 2, features: 'projection', queries: 6, flagged: 0 },
      { rule: 'window', window: 5, features: 'projection', queries: 6, flagged: 1 },
      { rule: 'history', features: 'projection', queries: 6, flagged: 1 },
      // Pairwise: each query against one seeded earlier one; only the copy could match, and only against e0.
      { rule: 'pairwise', features: 'projection', queries: 6, flagged: expect.any(Number) },
    ]);
    expect(report!.rules![3]!.flagged).toBeLessThanOrEqual(1);
  });

  it('pairwise flags every repeat of one image and none of orthogonal images', async () => {
    const guard = await openGuard(detection, wide, { ...quiet, threshold: 0.9 });
    await guard.answer(
      await wideRequest(
        'same',
        Array.from({ length: 10 }, () => oneHot(2)),
      ),
    );
    await guard.answer(
      await wideRequest(
        'distinct',
        Array.from({ length: 8 }, (_, k) => oneHot(k)),
      ),
    );
    const pairwise = (account: string) =>
      guard.report!()
        .find((r) => r.account === account)!
        .rules!.find((c) => c.rule === 'pairwise');
    expect(pairwise('same')).toMatchObject({ queries: 10, flagged: 9 });
    expect(pairwise('distinct')).toMatchObject({ queries: 8, flagged: 0 });
  });

  it('counts representations and projections each at its own threshold', async () => {
    // The head keeps the first two coordinates: [1,0,1,0] and [1,0,0,1] are orthogonal-ish as representations
    // (cosine 0.5) and identical as projections (cosine 1).
    const guard = await openGuard(detection, cropHeadVictim, {
      ...quiet,
      threshold: 0.9,
      reportWindows: [4],
      reportThresholds: { representation: 0.9, projection: 0.9 },
    });
    await guard.answer(
      await requestFor(
        cropHeadVictim,
        'a',
        imageBatch([
          [1, 0, 1, 0],
          [1, 0, 0, 1],
        ]),
      ),
    );
    const rules = guard.report!()[0]!.rules!;
    const count = (features: string, rule: string) =>
      rules.find((c) => c.features === features && c.rule === rule)!.flagged;
    expect([count('representation', 'window'), count('representation', 'history')]).toEqual([0, 0]);
    expect([count('projection', 'window'), count('projection', 'history'), count('projection', 'pairwise')]).toEqual([
      1, 1, 1,
    ]);
  });

  it('agrees with the reference flagger on a seeded stream, for every window and the whole history (l2)', async () => {
    const rng = createRng(9);
    const rows = Array.from({ length: 300 }, () => Array.from({ length: 8 }, () => Math.round(rng.next() * 4) / 4));
    const guard = await openGuard(detection, wide, {
      ...quiet,
      metric: 'l2',
      threshold: 0.6,
      reportWindows: [4, 16, 64],
    });
    for (let start = 0; start < rows.length; start += 37)
      await guard.answer(await wideRequest('a', rows.slice(start, start + 37)));
    const reference = flagStream(
      rows.map((r) => Float32Array.from(r)),
      (a, b) => Math.hypot(...Array.from(a, (v, i) => v - b[i]!)),
      (d) => d < 0.6,
      { windows: [4, 16, 64] },
    );
    const count = (flags: boolean[]) => flags.filter(Boolean).length;
    const rules = guard.report!()[0]!.rules!;
    expect(rules.slice(0, 4).map((c) => c.flagged)).toEqual([
      ...[4, 16, 64].map((w) => count(reference.window.get(w)!)),
      count(reference.history),
    ]);
    // The stream is coarse enough that the windows differ (the check above would be weak otherwise).
    expect(new Set(rules.slice(0, 4).map((c) => c.flagged)).size).toBeGreaterThan(2);
  });
});

// The contributor kit's contract checks (CONTRIBUTING.md): options schema, answers shaped like the batch, no mutation
// of the request, determinism under a seed, report shape.
testDefense(detection, {
  cases: [
    {},
    { options: { metric: 'l2', threshold: 1, useHead: false, scanLimit: 4 } },
    { output: 'projection' },
    { options: { window: 0, reportWindows: [2, 8], reportThresholds: { representation: 0.9, projection: 0.9 } } },
  ],
  invalid: [{ options: { metric: 'dot' }, issue: { path: '/metric', keyword: 'enum' } }],
});
