// The synthetic generator: deterministic under a seed, prefix-stable, balanced, in range, and its classes mean what
// they say (stripes vary along the right axis; a disc is bright at its centre and dark in the corners).
import { describe, expect, it } from 'vitest';
import { SYNTHETIC_CLASSES, synthetic } from '../benchmark/data/synthetic.ts';

/** Byte-exact equality of two float arrays (vitest's deep equality is too slow for millions of values). */
const sameFloats = (a: Float32Array, b: Float32Array) =>
  a.length === b.length &&
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('synthetic images', () => {
  it.each([
    [28, 28, 1],
    [32, 32, 3],
  ] as const)(
    '%i×%i×%i: same seed identical, other seed different, prefix-stable, values in [0, 1]',
    (height, width, channels) => {
      const a = synthetic({ count: 30, seed: 5, height, width, channels });
      const b = synthetic({ count: 30, seed: 5, height, width, channels });
      const c = synthetic({ count: 30, seed: 6, height, width, channels });
      const prefix = synthetic({ count: 12, seed: 5, height, width, channels });
      expect([a.count, a.height, a.width, a.channels]).toEqual([30, height, width, channels]);
      expect(sameFloats(a.data, b.data)).toBe(true);
      expect(a.labels).toEqual(b.labels);
      expect(sameFloats(a.data, c.data)).toBe(false);
      expect(sameFloats(prefix.data, a.data.subarray(0, prefix.data.length))).toBe(true);
      expect(prefix.labels).toEqual(a.labels!.subarray(0, 12));
      expect(a.data.every((v) => v >= 0 && v <= 1)).toBe(true);
    },
  );

  it('labels are balanced block by block and cover the requested classes', () => {
    const set = synthetic({ count: 40, classes: 4, seed: 1 });
    expect(set.classes).toEqual(SYNTHETIC_CLASSES.slice(0, 4));
    for (let block = 0; block < 10; block++) {
      expect([...set.labels!.subarray(block * 4, block * 4 + 4)].sort()).toEqual([0, 1, 2, 3]);
    }
  });

  it('stripes vary along their axis, a noiseless disc is bright inside and dark in the corners', () => {
    const set = synthetic({ count: 200, seed: 3, noise: 0 });
    const size = 28 * 28;
    const at = (n: number, y: number, x: number) => set.data[n * size + y * 28 + x]!;
    const variation = (n: number) => {
      let vertical = 0;
      let horizontal = 0;
      for (let y = 0; y < 27; y++)
        for (let x = 0; x < 27; x++) {
          vertical += Math.abs(at(n, y + 1, x) - at(n, y, x));
          horizontal += Math.abs(at(n, y, x + 1) - at(n, y, x));
        }
      return { vertical, horizontal };
    };
    const index = (name: string) => SYNTHETIC_CLASSES.indexOf(name as (typeof SYNTHETIC_CLASSES)[number]);
    for (let n = 0; n < set.count; n++) {
      const label = set.labels![n]!;
      if (label === index('horizontal-stripes')) {
        const v = variation(n);
        expect(v.vertical).toBeGreaterThan(3 * v.horizontal);
      } else if (label === index('vertical-stripes')) {
        const v = variation(n);
        expect(v.horizontal).toBeGreaterThan(3 * v.vertical);
      } else if (label === index('disc')) {
        // The disc's centre is within the middle 14×14 and its radius ≥ 6 px, so the brightest pixel is ≥ 0.6
        // (foreground) and every corner is background (< 0.35).
        let max = 0;
        for (let y = 7; y < 21; y++) for (let x = 7; x < 21; x++) max = Math.max(max, at(n, y, x));
        expect(max).toBeGreaterThanOrEqual(0.6);
        for (const [y, x] of [
          [0, 0],
          [0, 27],
          [27, 0],
          [27, 27],
        ] as const)
          expect(at(n, y, x)).toBeLessThan(0.35);
      }
    }
  });

  it('rejects bad options with the option named', () => {
    expect(() => synthetic({ count: 1, seed: 1, classes: 11 })).toThrow(
      'synthetic: classes must be an integer in 2..10, got 11',
    );
    expect(() => synthetic({ count: 1, seed: 1, channels: 2 as 1 })).toThrow(
      'synthetic: channels must be 1 or 3, got 2',
    );
    expect(() => synthetic({ count: -1, seed: 1 })).toThrow('synthetic: count must be a non-negative integer, got -1');
  });
});
