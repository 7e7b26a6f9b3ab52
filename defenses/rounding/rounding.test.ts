// Rounding: worked out by hand on values that float32 holds exactly.
import { describe, expect, it } from 'vitest';
import rounding, { roundTo } from './index.ts';
import { imageBatch, openGuard, rowsOf, vectors, tinyDeployment } from '../../test/helpers/tiny-deployment.ts';

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
    const { answer } = await guard.answer({ account: 'a', images: imageBatch([[0, 0, 0, 0]]), clean: vectors([[0.375]]) });
    expect(answer.data[0]).toBe(Math.fround(0.4));
  });
});
