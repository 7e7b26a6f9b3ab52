// Intervals and t-tests against numbers computed independently of @stdlib: the Student t density integrated
// numerically (Simpson's rule, 200,000 steps) with /usr/bin/python3 + numpy, and the textbook t table.
import { describe, expect, it } from 'vitest';
import { meanInterval, oneSampleTTest, welchTTest } from '../benchmark/scoring/index.ts';

describe('meanInterval', () => {
  it('is mean ± t(0.975, n−1)·sd/√n', () => {
    // mean 0.72, sd 0.02, t(0.975, 2) = 4.302653 (t table) → half-width 4.302653·0.02/√3 = 0.0496828
    const r = meanInterval([0.7, 0.72, 0.74]);
    expect(r.n).toBe(3);
    expect(r.mean).toBeCloseTo(0.72, 12);
    expect(r.sd).toBeCloseTo(0.02, 12);
    expect(r.halfWidth).toBeCloseTo(0.0496828, 6);
    expect(r.low).toBeCloseTo(0.72 - 0.0496828, 6);
  });

  it('uses t(0.975, 9) = 2.262157 for ten seeds and t(0.95, 4) = 2.131847 for a 90% interval', () => {
    const ten = Array.from({ length: 10 }, (_, i) => i); // sd = √(55/6) = 3.0276504
    expect(meanInterval(ten).halfWidth).toBeCloseTo((2.262157 * 3.0276504) / Math.sqrt(10), 5);
    const five = [1, 2, 3, 4, 5]; // sd = √2.5
    expect(meanInterval(five, 0.9).halfWidth).toBeCloseTo((2.131847 * Math.sqrt(2.5)) / Math.sqrt(5), 5);
  });

  it('gives no interval for one seed, and rejects bad values by index', () => {
    expect(meanInterval([0.5])).toMatchObject({ n: 1, mean: 0.5, sd: null, halfWidth: null });
    expect(() => meanInterval([])).toThrow(/at least 1 values, found 0/);
    expect(() => meanInterval([0.1, Number.NaN])).toThrow(/meanInterval\[1\]: expected a finite number, found NaN/);
  });
});

describe('welchTTest', () => {
  // Wikipedia "Welch's t-test", example 3 samples A1, A2 (reported there as t = −2.46, ν ≈ 24.99, p = 0.021).
  const a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
  const a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];

  it('matches the statistic, Welch–Satterthwaite df and p-value computed independently', () => {
    const r = welchTTest(a1, a2);
    expect(r.statistic).toBeCloseTo(-2.455356398, 6);
    expect(r.df).toBeCloseTo(24.98852929, 5);
    expect(r.pValue).toBeCloseTo(0.021378001, 6);
  });

  it('gives one-sided p-values', () => {
    expect(welchTTest(a1, a2, 'less').pValue).toBeCloseTo(0.010689001, 6);
    expect(welchTTest(a1, a2, 'greater').pValue).toBeCloseTo(0.989310999, 6);
  });

  it('needs two values per sample', () => {
    expect(() => welchTTest([1], [1, 2])).toThrow(/welchTTest x: need at least 2 values, found 1/);
  });
});

describe('oneSampleTTest', () => {
  it('tests a mean against a value', () => {
    // x = [0.52, 0.61, 0.58, 0.49, 0.55], mu = 0.5 → t = 2.357022604, df 4, one-sided p = 0.038957811
    const x = [0.52, 0.61, 0.58, 0.49, 0.55];
    const greater = oneSampleTTest(x, 0.5, 'greater');
    expect(greater.statistic).toBeCloseTo(2.357022604, 6);
    expect(greater.df).toBe(4);
    expect(greater.pValue).toBeCloseTo(0.038957811, 6);
    expect(oneSampleTTest(x, 0.5).pValue).toBeCloseTo(0.077915621, 6);
  });
});

describe('pairedDifference', () => {
  it("is the mean interval of the per-seed differences over the common seeds, whatever the maps' order", async () => {
    const { pairedDifference } = await import('../benchmark/scoring/stats.ts');
    const fc = (await import('fast-check')).default;
    const value = fc.double({ min: -1, max: 1, noNaN: true });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 12 }),
        fc.array(value, { minLength: 24, maxLength: 24 }),
        (seeds, values) => {
          const x = new Map(seeds.map((s, i) => [s, values[i]]));
          // y lacks the first seed and has one seed x lacks; inserted in reverse order.
          const y = new Map([
            ...seeds
              .slice(1)
              .map((s, i) => [s, values[12 + i]] as const)
              .reverse(),
            [99, 0.5],
          ]);
          const d = pairedDifference(x, y);
          const common = seeds.slice(1).sort((a, b) => a - b);
          if (common.length === 0) {
            expect(d).toBeNull();
          } else {
            expect(d!.seeds).toEqual(common);
            const expected = meanInterval(common.map((s) => x.get(s)! - y.get(s)!));
            expect(d!.mean).toBeCloseTo(expected.mean, 12);
            expect(d!.halfWidth).toEqual(expected.halfWidth);
          }
        },
      ),
    );
  });
});
