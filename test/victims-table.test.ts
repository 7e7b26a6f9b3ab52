// The victims table: rendering (percentages, baselines, the verdict line) and splicing between the README markers;
// the downstream classifier's scores on a case worked out by hand.
import { describe, expect, it } from 'vitest';
import {
  applyClassifier,
  checkClassifier,
  featureStatistics,
  type DownstreamClassifier,
} from '../benchmark/victims/index.ts';
import type { VictimsEvaluation } from '../benchmark/victims/evaluate.ts';
import { renderVictimsTable, spliceTable, TABLE_END, TABLE_START } from '../benchmark/victims/table.ts';

const evaluation = (fmnist: number): VictimsEvaluation => ({
  generatedAt: '2026-01-02T03:04:05.000Z',
  backend: 'wasm',
  tasks: ['fmnist', 'digits'],
  victims: [
    {
      id: 'simclr-x',
      method: 'simclr',
      arch: 'small-cnn',
      hash: 'h',
      source: 'shipped',
      accuracy: { fmnist, digits: 0.9 },
      recorded: {},
    },
    {
      id: 'barlow-x',
      method: 'barlow',
      arch: 'small-cnn',
      hash: 'h2',
      source: 'missing',
      accuracy: {},
      recorded: {},
      note: 'not trained',
    },
  ],
  baselines: [{ id: 'raw-pixels', label: 'raw pixels', accuracy: { fmnist: 0.8155, digits: 0.885 } }],
  failures: fmnist > 0.8155 ? [] : ['simclr-x'],
});

describe('victims table', () => {
  it('renders accuracies as percentages with the baselines and the verdict', () => {
    const text = renderVictimsTable(evaluation(0.8321), 'npm run bench:victims');
    expect(text).toContain('Produced by `npm run bench:victims` on 2026-01-02 (tfjs backend `wasm`)');
    expect(text).toMatch(/\| `simclr-x` +\| simclr +\| +83\.21% \| +90\.00% \| shipped +\|/);
    expect(text).toMatch(/\| `barlow-x` +\| barlow +\| +— \| +— \| not trained +\|/);
    expect(text).toMatch(/\| \*baseline:\* raw pixels +\| — +\| +81\.55% \| +88\.50% \|/);
    expect(text).toContain('Every evaluated SSL victim beats both baselines on Fashion-MNIST.');
    expect(renderVictimsTable(evaluation(0.81), 'x')).toContain(
      '**Not beating both baselines on Fashion-MNIST:** `simclr-x`.',
    );
  });

  it(
    "shows random weights as mean ± sd, the margins against issue 11's " + 'targets, and the victims being retrained',
    () => {
      const e = evaluation(0.8321);
      e.baselines.push({
        id: 'random-small-cnn',
        label: 'small-cnn, random weights',
        arch: 'small-cnn',
        accuracy: { fmnist: 0.79, digits: 0.8 },
        sd: { fmnist: 0.0051, digits: 0.01 },
        inits: { fmnist: 5, digits: 5 },
      });
      e.margins = [
        {
          id: 'simclr-x',
          overPixels: { fmnist: 0.0166, digits: 0.015 },
          overRandom: { fmnist: 0.0421 },
          targets: [
            { what: 'Fashion-MNIST: raw pixels + 5 points', met: false },
            { what: 'Fashion-MNIST: mean random init + 4 points', met: true },
          ],
        },
      ];
      e.victims[0]!.next = {
        hash: 'abcdef0123456789',
        arch: 'mid-cnn-pool2',
        status: 'training',
        epoch: 3,
        epochs: 15,
        trainingSeconds: 7200,
      };
      e.victims[1]!.next = {
        hash: '0123456789abcdef',
        arch: 'mid-cnn-pool2',
        status: 'finished',
        epoch: 10,
        epochs: 10,
        trainingSeconds: 4000,
        accuracy: { fmnist: 0.887 },
      };
      e.victims[1]!.fidelity = { to: 'simclr-x', split: 'fmnist/probe-test', cka: 0.97412, cosine: 0.5 };
      const text = renderVictimsTable(e, 'x');
      expect(text).toContain('- `barlow-x` to `simclr-x` on `fmnist/probe-test`: linear CKA 0.974, mean cosine 0.500');
      expect(text).toMatch(
        /\| \*baseline:\* small-cnn, random weights +\| — +\| +79\.00% ± 0\.51 \| +80\.00% ± 1\.00 \|/,
      );
      expect(text).toContain('Random weights: mean ± sample sd over 5 inits (encoder seeds 0–4).');
      expect(text).toContain(
        '- `simclr-x`: Fashion-MNIST +1.66 over pixels, +4.21 over random; ' +
          'digits (MNIST) +1.50 over pixels — **not met**: Fashion-MNIST: raw ' +
          'pixels + 5 points; met: Fashion-MNIST: mean random init + 4 points',
      );
      expect(text).toContain(
        '- `simclr-x` → mid-cnn-pool2, hash `abcdef012345`: training, 3 of 15 epochs done, 2.0 h so far',
      );
      expect(text).toContain(
        '- `barlow-x` → mid-cnn-pool2, hash `0123456789ab`: finished (10 epochs, 1.1 h); Fashion-MNIST 88.70%',
      );
    },
  );

  it('replaces only the block between the markers, or appends one', () => {
    const readme = `# T\nbefore\n${TABLE_START}\nold\n${TABLE_END}\nafter\n`;
    expect(spliceTable(readme, 'new')).toBe(`# T\nbefore\n${TABLE_START}\nnew\n${TABLE_END}\nafter\n`);
    expect(spliceTable('# T\n', 'new')).toBe(`# T\n\n${TABLE_START}\nnew\n${TABLE_END}\n`);
  });
});

describe('downstream classifier', () => {
  // Features standardise to x' = (x - mean) / scale; logits = x'W + b. With mean [1, 0], scale [2, 1],
  // W = [[1, -1], [0, 2]], b = [0, 0]: x = [3, 1] → x' = [1, 1] → logits [1, 1] → scores [0.5, 0.5], label 0 (first
  // max);
  // x = [1, -1] → x' = [0, -1] → logits [0, -2] → scores [1/(1+e^-2), e^-2/(1+e^-2)], label 0; x = [-1, 2] → x' = [-1,
  // 2] → logits [-1, 5] → label 1.
  const c: DownstreamClassifier = {
    task: 't',
    dim: 2,
    classes: 2,
    mean: [1, 0],
    scale: [2, 1],
    weights: [1, -1, 0, 2],
    bias: [0, 0],
  };
  it('standardises, applies the weights and softmaxes, as worked out by hand', () => {
    const out = applyClassifier(c, { data: Float32Array.from([3, 1, 1, -1, -1, 2]), count: 3, dim: 2 });
    expect(Array.from(out.labels)).toEqual([0, 0, 1]);
    const p = 1 / (1 + Math.exp(-2));
    const q = 1 / (1 + Math.exp(-6));
    const want = [0.5, 0.5, p, 1 - p, 1 - q, q];
    want.forEach((w, i) => expect(out.scores.data[i]).toBeCloseTo(w, 6));
  });

  it('computes the probe statistics (population std, constant dimensions keep scale 1)', () => {
    const s = featureStatistics({ data: Float32Array.from([1, 5, 3, 5]), count: 2, dim: 2 });
    expect(s).toEqual({ mean: [2, 5], scale: [1, 1] });
    const t = featureStatistics({ data: Float32Array.from([0, 4]), count: 2, dim: 1 });
    expect(t).toEqual({ mean: [2], scale: [2] });
  });

  it('rejects a malformed classifier file naming the file and the field', () => {
    expect(() => checkClassifier({ ...c, weights: [1, 2, 3] }, 'x/classifier.json')).toThrow(
      'x/classifier.json: expected "weights": 4 finite numbers, found "3 entries"',
    );
    expect(() => applyClassifier(c, { data: new Float32Array(3), count: 1, dim: 3 })).toThrow(
      'expected 2-d features, found 3-d',
    );
  });
});
