// Detection rates per history window, on hand-built query streams: the reference flagger (flagStream) on streams whose
// flags are worked out by hand, FPR that grows with the window on a legitimate stream of many distinct images while
// pairwise stays flat, pooling of per-account rule counts into the record's rates, and pairwise FPR/FNR with known
// pairs.
import { describe, expect, it } from 'vitest';
import { detectionRuleRates, flagStream, pairwiseRates } from '../benchmark/scoring/detection.ts';
import type { AccountReport } from '../benchmark/plugin/types.ts';
import { createRng } from '../benchmark/util/random.ts';

const l2 = (a: Float32Array, b: Float32Array) => Math.hypot(...Array.from(a, (v, i) => v - b[i]!));
const point = (...xs: number[]) => Float32Array.from(xs);

describe('flagStream (reference per-window flags)', () => {
  it('flags a repeat only when its twin lies inside the window', () => {
    // 0, 10, 20, 30, then 0.1 (close to the first only): 4 queries back.
    const stream = [point(0), point(10), point(20), point(30), point(0.1)];
    const flags = flagStream(stream, l2, (d) => d < 1, { windows: [1, 3, 4], pairIndex: () => 0 });
    expect(flags.window.get(1)).toEqual([false, false, false, false, false]);
    expect(flags.window.get(3)).toEqual([false, false, false, false, false]);
    expect(flags.window.get(4)).toEqual([false, false, false, false, true]);
    expect(flags.history).toEqual([false, false, false, false, true]);
    // Pairwise against query 0: only the last one is close to it.
    expect(flags.pairwise).toEqual([false, false, false, false, true]);
  });

  it('on a legitimate stream of distinct images, FPR grows with the window; pairwise does not', () => {
    // 2,000 uniform points in the unit square: the nearest of W earlier ones gets closer as W grows.
    const rng = createRng(1);
    const stream = Array.from({ length: 2000 }, () => point(rng.next(), rng.next()));
    const pairs = createRng(2);
    const flags = flagStream(stream, l2, (d) => d < 0.02, {
      windows: [64, 256, 1000],
      pairIndex: (i) => pairs.int(0, i - 1),
    });
    const rate = (xs: boolean[]) => xs.filter(Boolean).length / xs.length;
    const [w64, w256, w1000] = [64, 256, 1000].map((w) => rate(flags.window.get(w)!));
    // P(a given earlier point within 0.02) ≈ π·0.02² ≈ 0.00126: about 1 − (1 − p)^W, i.e. 7.7%, 27%, 72%.
    expect(w64).toBeGreaterThan(0.04);
    expect(w64).toBeLessThan(0.12);
    expect(w256).toBeGreaterThan(0.2);
    expect(w256).toBeLessThan(0.34);
    expect(w1000).toBeGreaterThan(0.55);
    expect(rate(flags.history)).toBeGreaterThan(w1000);
    expect(rate(flags.pairwise)).toBeLessThan(0.01);
  });
});

describe('detectionRuleRates (record figures)', () => {
  const reports: AccountReport[] = [
    {
      account: 'acct-a',
      flagged: true,
      rules: [
        { rule: 'window', window: 64, features: 'projection', queries: 100, flagged: 40 },
        { rule: 'pairwise', features: 'projection', queries: 100, flagged: 2 },
      ],
    },
    {
      account: 'acct-b',
      flagged: false,
      rules: [
        { rule: 'window', window: 64, features: 'projection', queries: 50, flagged: 1 },
        { rule: 'pairwise', features: 'projection', queries: 50, flagged: 0 },
      ],
    },
    {
      account: 'acct-c',
      flagged: false,
      rules: [{ rule: 'window', window: 64, features: 'projection', queries: 150, flagged: 5 }],
    },
    {
      account: 'acct-unknown',
      flagged: false,
      rules: [{ rule: 'window', window: 64, features: 'projection', queries: 9, flagged: 9 }],
    },
  ];

  it('pools legitimate accounts into the FPR and the attacker accounts into its flagged share, per rule', () => {
    const rates = detectionRuleRates(reports, ['acct-a'], ['acct-b', 'acct-c']);
    expect(rates).toEqual([
      {
        rule: 'window',
        window: 64,
        features: 'projection',
        legitimateQueries: 200,
        legitimateFlagged: 6,
        attackerQueries: 100,
        attackerFlagged: 40,
        falsePositiveRate: 0.03,
        attackerFlaggedQueryRate: 0.4,
      },
      {
        rule: 'pairwise',
        features: 'projection',
        legitimateQueries: 50,
        legitimateFlagged: 0,
        attackerQueries: 100,
        attackerFlagged: 2,
        falsePositiveRate: 0,
        attackerFlaggedQueryRate: 0.02,
      },
    ]);
  });

  it('gives null, not 0, for a side with no queries, and nothing without reports', () => {
    expect(detectionRuleRates(reports, [], ['acct-b'])[0]).toMatchObject({
      attackerQueries: 0,
      attackerFlaggedQueryRate: null,
    });
    expect(detectionRuleRates(undefined, ['acct-a'], [])).toEqual([]);
  });

  it('refuses a count that flags more queries than it saw, naming the account and rule', () => {
    const bad: AccountReport[] = [
      {
        account: 'x',
        flagged: false,
        rules: [{ rule: 'history', features: 'representation', queries: 1, flagged: 2 }],
      },
    ];
    expect(() => detectionRuleRates(bad, ['x'], [])).toThrow(/account x reports 2 of 1 .*representation\/history/);
  });
});

describe('pairwiseRates (known pairs)', () => {
  it('FPR over pairs of distinct images, FNR over pairs of views of one image', () => {
    const rates = pairwiseRates([5, 0.5, 7, 9], [0.1, 0.2, 3], (d) => d < 1);
    expect(rates).toMatchObject({ falsePositives: 1, trueNegatives: 3, truePositives: 2, falseNegatives: 1 });
    expect(rates.falsePositiveRate).toBe(0.25);
    expect(rates.falseNegativeRate).toBeCloseTo(1 / 3, 12);
  });
});
