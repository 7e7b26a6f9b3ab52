// Loss tests: values worked out by hand on tiny inputs, agreement with independent float64 implementations on random
// inputs (fast-check), and gradients against finite differences, all on the tfjs cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  barlowTwinsLoss,
  contStealLoss,
  getLoss,
  infoNceLoss,
  LOSS_NAMES,
  losses,
  mseLoss,
  negCosineLoss,
  ntXentLoss,
  softNnStealingLoss,
  supConLoss,
  symmetrizedNegCosineLoss,
  wassersteinLoss,
} from '../benchmark/nn/losses/index.ts';
import {
  barlow64,
  type Matrix,
  ntXent64,
  numericGradient,
  softNn64,
  supCon64,
  wasserstein64,
} from './nn-float64-reference.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const value = (s: tf.Scalar) => {
  const v = s.dataSync()[0]!;
  s.dispose();
  return v;
};
const m = (rows: Matrix) => tf.tensor2d(rows);
const E = Math.E;

/** Random [n, d] matrices with entries in [-2, 2], rows kept away from zero length (cosine losses divide by norms). */
const matrix = (n: number, d: number) =>
  fc
    .array(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: d, maxLength: d }), {
      minLength: n,
      maxLength: n,
    })
    .filter((rows) => rows.every((r) => Math.hypot(...r) > 0.1));

describe('losses: values worked out by hand', () => {
  it('MSE averages squared differences over every element', () => {
    expect(
      value(
        mseLoss(
          m([
            [1, 2],
            [3, 4],
          ]),
          m([
            [0, 2],
            [5, 4],
          ]),
        ),
      ),
    ).toBeCloseTo(1.25, 6);
  });

  it('NT-Xent on [e1, e2] vs [e1, -e1]', () => {
    // Anchors e1, e2, e1, -e1; positives (0,2), (1,3). Row by row with cosine similarities divided by t:
    // row 0: -1/t + log(e^0 + e^{1/t} + e^{-1/t}); row 1: log 3; row 2 = row 0; row 3: log(e^{-1/t} + 1 + e^{-1/t}).
    for (const t of [1, 0.5]) {
      const row0 = -1 / t + Math.log(1 + Math.exp(1 / t) + Math.exp(-1 / t));
      const row3 = Math.log(1 + 2 * Math.exp(-1 / t));
      const expected = (2 * row0 + Math.log(3) + row3) / 4;
      expect(
        value(
          ntXentLoss(
            m([
              [1, 0],
              [0, 1],
            ]),
            m([
              [1, 0],
              [-1, 0],
            ]),
            t,
          ),
        ),
      ).toBeCloseTo(expected, 5);
    }
    // Scale does not matter: the loss works on cosine similarities.
    expect(
      value(
        ntXentLoss(
          m([
            [3, 0],
            [0, 0.2],
          ]),
          m([
            [7, 0],
            [-2, 0],
          ]),
          1,
        ),
      ),
    ).toBeCloseTo((2 * (-1 + Math.log(1 + E + 1 / E)) + Math.log(3) + Math.log(1 + 2 / E)) / 4, 5);
  });

  it('one-directional InfoNCE on three 2-d vectors', () => {
    // query e1 against keys (e1, -e1): -log(e^{1/t} / (e^{1/t} + e^{-1/t})); query e2 against the same keys: log 2.
    const t = 0.5;
    const expected = (Math.log(1 + Math.exp(-2 / t)) + Math.log(2)) / 2;
    expect(
      value(
        infoNceLoss(
          m([
            [1, 0],
            [0, 1],
          ]),
          m([
            [2, 0],
            [-1, 0],
          ]),
          t,
        ),
      ),
    ).toBeCloseTo(expected, 5);
  });

  it('Barlow Twins on a 2×2 batch', () => {
    // Standardised columns: z1 -> [[-1,-1],[1,1]], z2 -> [[1,-1],[-1,1]]; C = [[-1, 1], [-1, 1]];
    // on-diagonal (1+1)^2 + 0 = 4, off-diagonal 1 + 1 = 2.
    const lambda = 0.25;
    expect(
      value(
        barlowTwinsLoss(
          m([
            [1, 2],
            [3, 4],
          ]),
          m([
            [1, 0],
            [0, 5],
          ]),
          { lambda, epsilon: 0 },
        ),
      ),
    ).toBeCloseTo(4 + 2 * lambda, 5);
  });

  it('negative cosine, and its symmetrized form', () => {
    // cos((1,0),(1,1)) = 1/√2, cos((1,1),(-1,-1)) = -1.
    const expected = -(Math.SQRT1_2 - 1) / 2;
    expect(
      value(
        negCosineLoss(
          m([
            [1, 0],
            [1, 1],
          ]),
          m([
            [1, 1],
            [-1, -1],
          ]),
        ),
      ),
    ).toBeCloseTo(expected, 6);
    const p = m([[1, 0]]);
    const z = m([[0, 1]]);
    // ½(-cos(p1, z2) - cos(p2, z1)) with p1=(1,0), z2=(1,0): -1/2; p2=(0,1), z1=(0,1): -1/2.
    expect(value(symmetrizedNegCosineLoss(p, z, z, p))).toBeCloseTo(-1, 6);
  });

  it('soft nearest neighbour on four 2-d points', () => {
    // s0=(0,0), s1=(10,0), v0=(0,0), v1=(0,10), T=100: exp(-d/T) is 1, 1/e or 1/e² for d = 0, 100, 200.
    // s0 and v0: ratio 1/(1 + 2/e); s1 and v1: ratio e^-2/(2/e + e^-2) = 1/(1 + 2e).
    const expected = (Math.log(1 + 2 / E) + Math.log(1 + 2 * E)) / 2;
    expect(
      value(
        softNnStealingLoss(
          m([
            [0, 0],
            [10, 0],
          ]),
          m([
            [0, 0],
            [0, 10],
          ]),
          100,
        ),
      ),
    ).toBeCloseTo(expected, 5);
  });

  it('Wasserstein between softmax histograms', () => {
    // (0,0) -> (.5,.5), CDF (.5, 1); (ln 3, 0) -> (.75,.25), CDF (.75, 1): L1 = .25. Identical rows: 0.
    expect(
      value(
        wassersteinLoss(
          m([
            [0, 0],
            [1, 2],
          ]),
          m([
            [Math.log(3), 0],
            [1, 2],
          ]),
        ),
      ),
    ).toBeCloseTo(0.125, 6);
  });

  it('SupCon with every label distinct is NT-Xent; cont-steal is NT-Xent at 0.5', () => {
    const a = m([
      [1, 0.3],
      [0.2, 1],
      [-1, 0.5],
    ]);
    const b = m([
      [0.9, 0.1],
      [0.4, 0.8],
      [-0.3, -1],
    ]);
    expect(value(supConLoss(a, b, [0, 1, 2], 0.3, 0.3))).toBeCloseTo(value(ntXentLoss(a, b, 0.3)), 5);
    expect(value(contStealLoss(a, b))).toBeCloseTo(value(ntXentLoss(a, b, 0.5)), 6);
  });
});

describe('losses: agreement with float64 implementations', () => {
  const cases: Array<[string, (a: Matrix, b: Matrix) => number, (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Scalar]> = [
    ['nt-xent t=0.07', (a, b) => ntXent64(a, b, 0.07), (a, b) => ntXentLoss(a, b, 0.07)],
    ['barlow', (a, b) => barlow64(a, b, 0.0051, 1e-5), (a, b) => barlowTwinsLoss(a, b)],
    ['softnn t=100', (a, b) => softNn64(a, b, 100), (a, b) => softNnStealingLoss(a, b, 100)],
    ['softnn t=1', (a, b) => softNn64(a, b, 1), (a, b) => softNnStealingLoss(a, b, 1)],
    ['supcon', (a, b) => supCon64(a, b, [0, 1, 0, 2], 0.1, 0.07), (a, b) => supConLoss(a, b, [0, 1, 0, 2], 0.1, 0.07)],
    ['wasserstein', wasserstein64, wassersteinLoss],
  ];
  for (const [name, reference, loss] of cases) {
    it(name, () => {
      fc.assert(
        fc.property(matrix(4, 3), matrix(4, 3), (a, b) => {
          const expected = reference(a, b);
          const actual = value(tf.tidy(() => loss(m(a), m(b))));
          expect(Math.abs(actual - expected)).toBeLessThan(1e-4 * Math.max(1, Math.abs(expected)));
        }),
        { numRuns: 40, seed: 7 },
      );
    });
  }
});

describe('losses: gradients against finite differences', () => {
  const check = (loss: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Scalar, reference: (a: Matrix, b: Matrix) => number) => {
    fc.assert(
      fc.property(matrix(4, 3), matrix(4, 3), (a, b) => {
        const expected = numericGradient((x) => reference(x, b), a);
        const grad = tf.tidy(() => tf.grad((x: tf.Tensor) => loss(x as tf.Tensor2D, m(b)))(m(a)));
        const actual = grad.arraySync() as Matrix;
        grad.dispose();
        const scale = Math.max(1, ...expected.flat().map(Math.abs));
        actual.flat().forEach((g, i) => expect(Math.abs(g - expected.flat()[i]!)).toBeLessThan(2e-3 * scale));
      }),
      { numRuns: 25, seed: 11 },
    );
  };
  it('NT-Xent / InfoNCE', () =>
    check(
      (a, b) => ntXentLoss(a, b, 0.5),
      (a, b) => ntXent64(a, b, 0.5),
    ));
  it('Barlow Twins', () =>
    check(
      (a, b) => barlowTwinsLoss(a, b, { lambda: 0.1 }),
      (a, b) => barlow64(a, b, 0.1, 1e-5),
    ));
  it('soft nearest neighbour', () =>
    check(
      (a, b) => softNnStealingLoss(a, b, 2),
      (a, b) => softNn64(a, b, 2),
    ));

  it('negative cosine stops the gradient at its second argument', () => {
    const g = tf.tidy(() =>
      tf.grad((z: tf.Tensor) =>
        negCosineLoss(
          m([
            [1, 2],
            [3, -1],
          ]),
          z as tf.Tensor2D,
        ),
      )(
        m([
          [0.5, 1],
          [1, 1],
        ]),
      ),
    );
    expect(Array.from(g.dataSync())).toEqual([0, 0, 0, 0]);
    g.dispose();
  });
});

describe('loss registry', () => {
  it('every entry returns a finite scalar and keeps no tensors', () => {
    const before = tf.memory().numTensors;
    const a = m([
      [1, 0.5, 0],
      [0, 1, 0.2],
      [0.3, -1, 1],
      [0.1, 0.1, 0.9],
    ]);
    const b = m([
      [0.9, 0.4, 0.1],
      [0.1, 1, 0],
      [0.2, -0.8, 1.1],
      [0.5, 0, 1],
    ]);
    for (const name of LOSS_NAMES) {
      const loss = getLoss(name);
      const v = value(loss(a, b, losses[name].needsLabels ? [0, 1, 0, 1] : undefined));
      expect(Number.isFinite(v), name).toBe(true);
    }
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('paper settings are the defaults', () => {
    expect(losses.infonce.defaults.temperature).toBe(0.07);
    expect(losses.softnn.defaults.temperature).toBe(100);
    expect(losses['cont-steal'].defaults.temperature).toBe(0.5);
    expect(losses.supcon.needsLabels).toBe(true);
  });

  it('clear errors for unknown names, missing labels and mismatched shapes', () => {
    expect(() => getLoss('nope')).toThrow(/unknown loss "nope".*mse, infonce/);
    expect(() => getLoss('supcon')(m([[1, 0]]), m([[0, 1]]))).toThrow(/supcon: this loss needs one label per image/);
    expect(() => mseLoss(m([[1, 0]]), m([[0, 1, 2]]))).toThrow(
      /mse: stolen and victim must have the same shape, found \[1, 2\] and \[1, 3\]/,
    );
  });
});
