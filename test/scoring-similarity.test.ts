// Fidelity scores against values worked out by hand and the invariances linear CKA is defined to have.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { linearCka, meanCosineSimilarity } from '../benchmark/scoring/index.ts';
import type { Vectors } from '../benchmark/plugin/types.ts';
import { createRng } from '../benchmark/util/random.ts';

const vec = (rows: number[][]): Vectors => ({
  data: Float32Array.from(rows.flat()),
  count: rows.length,
  dim: rows[0].length,
});

function randomVectors(seed: number, count: number, dim: number): Vectors {
  const rng = createRng(seed);
  return { data: Float32Array.from({ length: count * dim }, () => rng.normal()), count, dim };
}

/** x·M for a dim×out matrix M (row-major). */
function times(x: Vectors, m: number[][]): Vectors {
  const out = new Float32Array(x.count * m[0].length);
  for (let i = 0; i < x.count; i++)
    for (let k = 0; k < m[0].length; k++) {
      let s = 0;
      for (let j = 0; j < x.dim; j++) s += x.data[i * x.dim + j] * m[j][k];
      out[i * m[0].length + k] = s;
    }
  return { data: out, count: x.count, dim: m[0].length };
}

describe('linearCka', () => {
  it('is 0.9 on a 3×2 example worked by hand', () => {
    // Centred X = [[0,-1],[-1,0],[1,1]], centred Y = [[-1/3,1],[5/3,0],[-4/3,-1]].
    // XᵀX = [[2,1],[1,2]] → ‖·‖_F = √10; YᵀY = [[14/3,1],[1,2]] → ‖·‖_F = 5√10/3; YᵀX = [[-3,-1],[-1,-2]] → ‖·‖²_F =
    // 15.
    // CKA = 15 / (√10 · 5√10/3) = 0.9.
    const x = vec([
      [1, 0],
      [0, 1],
      [2, 2],
    ]);
    const y = vec([
      [1, 2],
      [3, 1],
      [0, 0],
    ]);
    expect(linearCka(x, y)).toBeCloseTo(0.9, 6);
    expect(linearCka(y, x)).toBeCloseTo(0.9, 6);
  });

  it('is 1 for X with itself, a rotation of itself, an isotropic scaling and a shift', () => {
    const x = randomVectors(1, 40, 3);
    const c = Math.cos(0.7);
    const s = Math.sin(0.7);
    const rotation = [
      [c, -s, 0],
      [s, c, 0],
      [0, 0, 1],
    ]; // orthogonal
    const shifted = { ...x, data: x.data.map((v) => v + 5) };
    expect(linearCka(x, x)).toBeCloseTo(1, 6);
    expect(linearCka(x, times(x, rotation))).toBeCloseTo(1, 5);
    expect(linearCka(x, { ...x, data: x.data.map((v) => v * 3.5) })).toBeCloseTo(1, 6);
    expect(linearCka(x, shifted)).toBeCloseTo(1, 5);
  });

  it('equals the Gram-matrix form ⟨HKH, HLH⟩ / (‖HKH‖ ‖HLH‖) (Kornblith et al. eq. 3–5) on random data', () => {
    // Independent route: n×n Gram matrices K = XXᵀ, L = YYᵀ, centred on both sides, instead of the d×d products.
    const gramCentred = (v: Vectors) => {
      const n = v.count;
      const k = Array.from({ length: n }, (_, i) =>
        Array.from({ length: n }, (_, j) => {
          let s = 0;
          for (let d = 0; d < v.dim; d++) s += v.data[i * v.dim + d] * v.data[j * v.dim + d];
          return s;
        }),
      );
      const rowMean = k.map((r) => r.reduce((a, b) => a + b, 0) / n);
      const all = rowMean.reduce((a, b) => a + b, 0) / n;
      return k.map((r, i) => r.map((value, j) => value - rowMean[i] - rowMean[j] + all));
    };
    const inner = (a: number[][], b: number[][]) =>
      a.reduce((s, r, i) => s + r.reduce((t, v, j) => t + v * b[i][j], 0), 0);
    for (const [seed, p, q] of [
      [3, 4, 3],
      [4, 1, 6],
      [5, 7, 7],
    ]) {
      const x = randomVectors(seed, 15, p);
      const y = randomVectors(seed + 100, 15, q);
      const kx = gramCentred(x);
      const ly = gramCentred(y);
      const expected = inner(kx, ly) / Math.sqrt(inner(kx, kx) * inner(ly, ly));
      expect(linearCka(x, y)).toBeCloseTo(expected, 9);
    }
  });

  it('is not invariant to an anisotropic scaling (so the test above can fail)', () => {
    const x = randomVectors(2, 50, 2);
    expect(
      linearCka(
        x,
        times(x, [
          [10, 0],
          [0, 0.1],
        ]),
      ),
    ).toBeLessThan(0.9);
  });

  it('compares representations of different widths and stays in [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        (seed, p, q) => {
          const value = linearCka(randomVectors(seed, 12, p), randomVectors(seed + 1, 12, q));
          return value >= -1e-9 && value <= 1 + 1e-9;
        },
      ),
      { numRuns: 50 },
    );
  });

  it('is NaN for a constant representation and rejects mismatched or malformed inputs', () => {
    expect(linearCka(vec([[1], [1], [1]]), vec([[1], [2], [3]]))).toBeNaN();
    expect(() => linearCka(vec([[1], [2]]), vec([[1], [2], [3]]))).toThrow(/same images: x has 2 rows, y has 3/);
    expect(() => linearCka({ data: new Float32Array(5), count: 2, dim: 3 }, vec([[1, 2, 3]]))).toThrow(
      /5 values, expected count×dim = 6/,
    );
  });
});

describe('meanCosineSimilarity', () => {
  it('averages the cosine of paired rows', () => {
    // rows: identical (1), orthogonal (0), opposite (-1), 45° apart (√2/2)
    const x = vec([
      [1, 0],
      [1, 0],
      [2, 2],
      [1, 0],
    ]);
    const y = vec([
      [3, 0],
      [0, 4],
      [-1, -1],
      [1, 1],
    ]);
    expect(meanCosineSimilarity(x, y)).toBeCloseTo((1 + 0 - 1 + Math.SQRT1_2) / 4, 6);
  });

  it('counts a zero row as 0 and refuses different widths', () => {
    expect(
      meanCosineSimilarity(
        vec([
          [0, 0],
          [1, 0],
        ]),
        vec([
          [1, 0],
          [1, 0],
        ]),
      ),
    ).toBeCloseTo(0.5, 6);
    expect(() => meanCosineSimilarity(vec([[1, 0]]), vec([[1, 0, 0]]))).toThrow(
      /equal widths: x has dim 2, y has dim 3/,
    );
  });
});
