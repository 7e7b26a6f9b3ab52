// The history search: exact duplicates are always found, even once the HNSW index has taken over from the scan,
// and the index finds the true nearest neighbour (the scan's) for nearly every query.
import { describe, expect, it } from 'vitest';
import { QueryHistory } from './history.ts';
import { Hnsw } from './hnsw.ts';
import { createRng } from '../../benchmark/index.ts';

function randomVectors(count: number, dim: number, seed: number): Float32Array[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => Float32Array.from({ length: dim }, () => rng.normal()));
}

const options = { scanLimit: 32, M: 8, efConstruction: 64, efSearch: 32, seed: 1 };

describe('query history', () => {
  for (const metric of ['cosine', 'l2'] as const) {
    it(`${metric}: finds every exact duplicate at distance 0 after switching to the index`, () => {
      const history = new QueryHistory(8, metric, options);
      const points = randomVectors(400, 8, 2);
      for (const p of points) history.add(p);
      expect(history.indexed).toBe(true);
      points.forEach((p, i) => expect(history.nearest(Float32Array.from(p))).toEqual({ index: i, distance: 0 }));
    });

    it(`${metric}: the index agrees with the exact scan on at least 95% of fresh queries and finds near copies`, () => {
      const history = new QueryHistory(16, metric, options);
      const points = randomVectors(1000, 16, 3);
      for (const p of points) history.add(p);
      const queries = randomVectors(200, 16, 4);
      let agree = 0;
      for (const q of queries) if (history.nearest(q)!.index === history.scan(q)!.index) agree++;
      expect(agree / queries.length).toBeGreaterThanOrEqual(0.95);
      // Near copies (1% noise) of stored points: the index returns a neighbour at least as close as the original.
      const rng = createRng(5);
      let found = 0;
      for (let i = 0; i < 200; i++) {
        const copy = points[i * 5]!.map((x) => x + 0.01 * rng.normal());
        const exact = history.scan(copy)!;
        if (history.nearest(copy)!.distance <= exact.distance + 1e-6) found++;
      }
      expect(found).toBeGreaterThanOrEqual(198);
    });
  }

  it('scans exactly below the limit (distances checked by hand)', () => {
    const history = new QueryHistory(2, 'l2', options);
    history.add(Float32Array.of(0, 0));
    history.add(Float32Array.of(3, 4));
    expect(history.indexed).toBe(false);
    expect(history.nearest(Float32Array.of(3, 5))).toEqual({ index: 1, distance: 1 });
    const cosine = new QueryHistory(2, 'cosine', options);
    cosine.add(Float32Array.of(1, 0));
    cosine.add(Float32Array.of(0, 2));
    // cos((1,1), (1,0)) = 1/sqrt 2
    expect(cosine.nearest(Float32Array.of(1, 1))!.distance).toBeCloseTo(1 - Math.SQRT1_2, 6);
  });

  it('HNSW: reproducible from its seed, and returns Euclidean (not squared) distances', () => {
    const build = () => {
      const index = new Hnsw(4, 'l2', { M: 4, seed: 9 });
      for (const p of randomVectors(200, 4, 6)) index.add(p);
      return index;
    };
    const q = Float32Array.of(0.1, 0.2, 0.3, 0.4);
    expect(build().nearest(q)).toEqual(build().nearest(q));
    const index = new Hnsw(2, 'l2');
    index.add(Float32Array.of(0, 0));
    expect(index.nearest(Float32Array.of(3, 4))).toEqual({ id: 0, distance: 5 });
  });
});
