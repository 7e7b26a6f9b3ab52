// Rounding: worked out by hand on values that float32 holds exactly.
import { describe, expect, it } from 'vitest';
import rounding, { roundTo } from './index.ts';
import { imageBatch, openGuard, rowsOf, vectors, tinyDeployment } from '../../test/helpers/tiny-deployment.ts';
import type { ImageSet } from '../../benchmark/index.ts';
import { testDefense } from '../../benchmark/testkit/index.ts';

describe('rounding', () => {
  it('rounds each coordinate to the set decimals, half away from zero', async () => {
    const guard = await openGuard(rounding, tinyDeployment(), { decimals: 1 });
    const clean = vectors([[0.25, -0.25, 1.75, 0.125]]);
    const { answer } = await guard.answer({ account: 'a', images: imageBatch([[0, 0, 0, 0]]), clean });
    expect(rowsOf(answer)[0]).toEqual([0.3, -0.3, 1.8, 0.1].map(Math.fround));
  });

  it('handles 0, negative and large decimals', () => {
    expect(roundTo(2.5, 0)).toBe(3);
    expect(roundTo(-2.5, 0)).toBe(-3);
    expect(roundTo(-0.04, 1)).toBe(0);
    expect(Object.is(roundTo(-0.04, 1), -0)).toBe(false);
    expect(roundTo(1234, -2)).toBe(1200);
    expect(roundTo(0.123456, 3)).toBe(0.123);
  });

  it('uses one decimal by default', async () => {
    const guard = await openGuard(rounding, tinyDeployment());
    const { answer } = await guard.answer({
      account: 'a',
      images: imageBatch([[0, 0, 0, 0]]),
      clean: vectors([[0.375]]),
    });
    expect(answer.data[0]).toBe(Math.fround(0.4));
  });

  it('in victim units, rounds each coordinate on a grid of its own spread, and records the spread', async () => {
    // Hand-made victim: coordinate 0 = 2·pixel₀, coordinate 1 = 0.1·pixel₁. Private pixels 0 and 1 (two images), so
    // the sample std of each pixel is 1/√2 and the spreads are √2 and 0.1/√2.
    const victim = tinyDeployment({
      representationDim: 2,
      encoderWeights: Float32Array.from([2, 0, 0, 0.1, 0, 0, 0, 0]),
    });
    const privateData: ImageSet = {
      ...imageBatch([
        [0, 0, 0, 0],
        [1, 1, 0, 0],
      ]),
      name: 'test/private',
      labels: null,
    };
    const guard = await openGuard(rounding, victim, { decimals: 0, units: 'victim' }, 3, privateData);
    const s0 = Math.SQRT2;
    const s1 = 0.1 / Math.SQRT2;
    // 2.2 is 1.556 spreads → 2 spreads; 0.06 is 0.849 spreads → 1 spread.
    const { answer } = await guard.answer({
      account: 'a',
      images: imageBatch([[0, 0, 0, 0]]),
      clean: vectors([[2.2, 0.06]]),
    });
    expect(rowsOf(answer)[0]).toEqual([Math.fround(2 * s0), Math.fround(s1)]);
    expect(guard.figures!()).toMatchObject({ victimSpread: expect.closeTo((s0 + s1) / 2, 6), spreadSamples: 2 });
  });

  it("refuses victim units without the provider's data", async () => {
    await expect(openGuard(rounding, tinyDeployment(), { units: 'victim' })).rejects.toThrow(
      /units 'victim'.*absolute/,
    );
  });
});

// The contributor kit's contract checks (CONTRIBUTING.md): options schema, answers shaped like the batch, no mutation
// of the request, determinism under a seed, report shape.
testDefense(rounding, {
  cases: [{}, { options: { decimals: 0, units: 'victim' } }],
  invalid: [{ options: { decimals: 0.5 }, issue: { path: '/decimals', keyword: 'type' } }],
});
