// Query plans: deterministic per (pool, budget, seed), nested across budgets, permutations without repeats unless
// asked, and a clear error when the pool is too small.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PoolTooSmallError, queryPlan, takePlan } from '../benchmark/oracle/pools.ts';
import type { ImageSet } from '../benchmark/plugin/types.ts';

const poolArb = fc.record({
  name: fc.constantFrom('fmnist/attacker-pool-20k', 'digits', 'synthetic'),
  count: fc.integer({ min: 1, max: 300 }),
});

describe('query plans', () => {
  it('same (pool, budget, seed) → same plan; a smaller budget is a prefix of a larger one; no repeats', () => {
    fc.assert(
      fc.property(
        poolArb,
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer(),
        (pool, b1, b2, seed) => {
          const [small, large] = [Math.min(b1, b2, pool.count), Math.min(Math.max(b1, b2), pool.count)];
          const a = queryPlan(pool, large, seed);
          expect(queryPlan(pool, large, seed)).toEqual(a);
          expect(Array.from(queryPlan(pool, small, seed))).toEqual(Array.from(a.subarray(0, small)));
          expect(new Set(a).size).toBe(a.length);
          for (const i of a) expect(i >= 0 && i < pool.count).toBe(true);
        },
      ),
    );
  });

  it('with repeats allowed: each round is a permutation of the pool and the prefix property still holds', () => {
    fc.assert(
      fc.property(poolArb, fc.integer({ min: 1, max: 4 }), fc.integer(), (pool, rounds, seed) => {
        const plan = queryPlan(pool, pool.count * rounds + 1, seed, { allowRepeats: true });
        for (let r = 0; r < rounds; r++) {
          expect(Array.from(plan.subarray(r * pool.count, (r + 1) * pool.count)).sort((x, y) => x - y)).toEqual(
            Array.from({ length: pool.count }, (_, i) => i),
          );
        }
        expect(Array.from(queryPlan(pool, pool.count, seed))).toEqual(Array.from(plan.subarray(0, pool.count)));
      }),
      { numRuns: 50 },
    );
  });

  it('different seeds give different orders (a 100-image pool: the chance of equal plans is 1/100!)', () => {
    const pool = { name: 'p', count: 100 };
    expect(Array.from(queryPlan(pool, 100, 1))).not.toEqual(Array.from(queryPlan(pool, 100, 2)));
  });

  it('a budget above the pool size is refused clearly unless repeats are allowed', () => {
    const error = (() => {
      try {
        queryPlan({ name: 'digits', count: 5 }, 6, 0);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(PoolTooSmallError);
    expect((error as Error).message).toMatch(/"digits" holds 5 image\(s\) but the budget is 6/);
    expect(() => queryPlan({ name: 'empty', count: 0 }, 1, 0, { allowRepeats: true })).toThrow(PoolTooSmallError);
  });

  it('takePlan picks the images and labels in plan order', () => {
    const pool: ImageSet = {
      name: 'p',
      count: 4,
      height: 1,
      width: 2,
      channels: 1,
      data: Float32Array.from([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]),
      labels: Int32Array.from([7, 8, 9, 6]),
    };
    const taken = takePlan(pool, Int32Array.from([2, 0, 2]));
    expect(Array.from(taken.data)).toEqual(Array.from(Float32Array.from([0.4, 0.5, 0, 0.1, 0.4, 0.5])));
    expect(Array.from(taken.labels!)).toEqual([9, 7, 9]);
    expect(taken.count).toBe(3);
    expect(() => takePlan(pool, Int32Array.from([4]))).toThrow(/index 4 at plan\[0\] is outside pool "p"/);
  });
});
