import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRng, deriveSeed } from '../benchmark/util/random.ts';

describe('seeded random', () => {
  it('repeats the same stream for the same seed and differs across seeds', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 20 }, () => rng.next());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });
  it('keeps draws in range', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: -50, max: 50 }),
        fc.integer({ min: 0, max: 100 }),
        (seed, min, span) => {
          const rng = createRng(seed);
          const value = rng.int(min, min + span);
          const unit = rng.next();
          return value >= min && value <= min + span && Number.isInteger(value) && unit >= 0 && unit < 1;
        },
      ),
    );
  });
  it('shuffles into a permutation', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.integer(), { maxLength: 50 }), (seed, items) => {
        const shuffled = createRng(seed).shuffle(items);
        return JSON.stringify([...shuffled].sort()) === JSON.stringify([...items].sort());
      }),
    );
  });
  it('has roughly standard normal draws', () => {
    const rng = createRng(1);
    const xs = Array.from({ length: 20000 }, () => rng.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
  it('derives distinct stable child seeds', () => {
    expect(deriveSeed(1, 'a')).toBe(deriveSeed(1, 'a'));
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(1, 'b'));
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(2, 'a'));
  });
});
