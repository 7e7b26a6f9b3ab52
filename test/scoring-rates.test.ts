// Accuracy, detection rates and cost totals on cases counted by hand.
import { describe, expect, it } from 'vitest';
import { accuracy, aggregateCost, argmaxRows, detectionRates } from '../benchmark/scoring/index.ts';

describe('accuracy', () => {
  it('is the share of matching labels', () => {
    expect(accuracy([0, 1, 2, 2], Int32Array.from([0, 1, 1, 2]))).toBe(0.75);
    expect(() => accuracy([0, 1], [0])).toThrow(/2 predictions for 1 labels/);
    expect(() => accuracy([], [])).toThrow(/no labels/);
  });

  it('argmaxRows picks the first maximum of each row', () => {
    expect(Array.from(argmaxRows([0.1, 0.7, 0.2, 0.5, 0.5, 0], 2, 3))).toEqual([1, 0]);
  });
});

describe('detectionRates', () => {
  it('counts false positives among legitimate items and misses among attacker items', () => {
    // 2 attacker items (1 caught, 1 missed), 4 legitimate (1 falsely flagged)
    const r = detectionRates([true, false, true, false, false, false], [true, true, false, false, false, false]);
    expect(r).toEqual({
      truePositives: 1,
      falseNegatives: 1,
      falsePositives: 1,
      trueNegatives: 3,
      falsePositiveRate: 0.25,
      falseNegativeRate: 0.5,
    });
  });

  it('reports null, not 0, for a rate with nothing to count', () => {
    const r = detectionRates([true], [true]);
    expect(r.falsePositiveRate).toBeNull();
    expect(r.falseNegativeRate).toBe(0);
  });
});

describe('aggregateCost', () => {
  it('sums queries and seconds, and keeps proof-of-work absent unless charged', () => {
    expect(
      aggregateCost([
        { queries: 100, seconds: 1.5 },
        { queries: 50, seconds: 0.5 },
      ]),
    ).toEqual({ queries: 150, attackSeconds: 2 });
    expect(
      aggregateCost([
        { queries: 10, hashes: 1000, powSeconds: 0.25 },
        { queries: 5, hashes: 24 },
      ]),
    ).toEqual({
      queries: 15,
      attackSeconds: 0,
      hashes: 1024,
      powSeconds: 0.25,
    });
    expect(() => aggregateCost([{ queries: -1 }])).toThrow(
      /cost part 0: queries must be a finite number ≥ 0, found -1/,
    );
  });
});
