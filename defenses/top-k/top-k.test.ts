// Top-k: worked out by hand on small vectors.
import { describe, expect, it } from 'vitest';
import topKDefense, { topK } from './index.ts';
import { imageBatch, openGuard, rowsOf, vectors, tinyDeployment } from '../../test/helpers/tiny-deployment.ts';
import { testDefense } from '../../benchmark/testkit/index.ts';

describe('top-k', () => {
  it('keeps the k largest magnitudes, sign included, and zeroes the rest', async () => {
    const guard = await openGuard(topKDefense, tinyDeployment(), { k: 2 });
    const clean = vectors([
      [0.5, -3, 1, 2],
      [-1, 0.25, 4, -0.5],
    ]);
    const { answer } = await guard.answer({
      account: 'a',
      images: imageBatch([
        [0, 0, 0, 0],
        [1, 1, 1, 1],
      ]),
      clean,
    });
    expect(answer.dim).toBe(4);
    expect(rowsOf(answer)).toEqual([
      [0, -3, 0, 2],
      [-1, 0, 4, 0],
    ]);
  });

  it('breaks ties by the lower index and passes through when k >= dim', () => {
    expect(Array.from(topK(Float32Array.of(1, -1, 1, 0.5), 1, 4, 2))).toEqual([1, -1, 0, 0]);
    expect(Array.from(topK(Float32Array.of(1, -2, 3), 1, 3, 5))).toEqual([1, -2, 3]);
  });

  it('rejects k = 0', async () => {
    await expect(openGuard(topKDefense, tinyDeployment(), { k: 0 })).rejects.toThrow(/\/k/);
  });
});

// The contributor kit's contract checks (CONTRIBUTING.md): options schema, answers shaped like the batch, no mutation
// of the request, determinism under a seed, report shape.
testDefense(topKDefense, {
  cases: [{ options: { k: 2 } }],
  invalid: [{ options: { k: 0 }, issue: { path: '/k', keyword: 'minimum' } }],
});
