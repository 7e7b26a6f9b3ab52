// The defense experiment scripts, by their exported pure parts and their one argument parser: importing a script
// runs nothing (guarded main), rates and profiles are computed from what the guard reports (worked out by hand here),
// and every script's --help names the options it reads.
import { describe, expect, it } from 'vitest';
import { command as calibrateCommand, legitimateProfileOf } from './calibrate.ts';
import { command as renderCommand } from './render.ts';
import { command as ownershipCommand, datasetInferenceTable } from './render-ownership.ts';
import { command as ratesCommand, renderSimilarityRates, replayRates } from './similarity-rates.ts';

describe('similarity-rates', () => {
  it('FPR is the legitimate share flagged, FNR the repeats not flagged, and first views are counted apart', () => {
    // Attacker: 4 queries, the last two are second views; one of them flagged; the first first-view flagged too.
    const rates = replayRates([true, false, false, false], [true, false, true, false], [false, false, true, true]);
    expect(rates).toEqual({ fpr: 0.25, fnr: 0.5, firstViews: 0.5 });
  });

  it('renders mean ± std over seeds in percent', () => {
    const text = renderSimilarityRates(
      [{ metric: 'cosine', head: true, threshold: 0.9, fpr: [0.1, 0.3], fnr: [0.5, 0.5], firstViews: [0, 0] }],
      ['H'],
    );
    expect(text).toContain('| cosine | yes  | 0.9 |');
    expect(text).toContain('20.0 ± 14.1');
    expect(text).toContain('50.0 ± 0.0');
  });
});

describe('calibrate', () => {
  it("reads the proof-of-work profile from the guard's figures, and refuses a guard without it", () => {
    expect(legitimateProfileOf({ figures: () => ({ legitimateProfileBits: 3.25 }) })).toBe(3.25);
    expect(() => legitimateProfileOf({})).toThrow(/legitimateProfileBits/);
    expect(() => legitimateProfileOf({ figures: () => ({ legitimateProfileBits: Number.NaN }) })).toThrow(/finite/);
  });
});

describe('render-ownership', () => {
  it('renders one row per (method, suspect) with t, p and the verdict', () => {
    const table = datasetInferenceTable('di.json', {
      generatedAt: '2026-12-04T10:00:00Z',
      backend: 'wasm',
      victim: { id: 'simclr-fmnist', hash: 'abcdef0123456789', source: 'shipped' },
      rows: [{ variant: 'gmm-likelihood', suspect: 'victim itself', stolen: true, statistic: 4.5, pValue: 0.0001 }],
    });
    expect(table).toMatch(/\| gmm-likelihood \| victim itself \| +4\.50 \|/);
  });
});

describe('one argument parser', () => {
  it.each([
    ['calibrate', calibrateCommand, ['--seed <n>', '--seeds <list>', '--pow <json>', '--b4b <json>', '--write']],
    ['render', renderCommand, ['--runs <folders>', '--write <file>', '--command <text>']],
    [
      'render-ownership',
      ownershipCommand,
      ['--watermark-cost <file>', '--watermark <file>', '--dataset-inference <file>'],
    ],
    ['similarity-rates', ratesCommand, ['--seeds <n>', '--legit <n>', '--pairs <n>', '--grid <json>', '--write']],
  ])('%s: --help names its options', (_name, command, options) => {
    const help = command.helpInformation();
    for (const option of options) expect(help).toContain(option);
  });

  it.each([
    ['../watermark/experiments/measure.ts', ['--out <file>', '--train-independent']],
    [
      '../watermark/experiments/stolen-copies.ts',
      ['--budgets <list>', '--loss <name>', '--recipe <json>', '--out <file>'],
    ],
    ['../dataset-inference/experiments/measure.ts', ['--victim <id>', '--out <file>']],
  ])('%s imports without running and its --help names its options', async (file, options) => {
    const { command } = (await import(file)) as { command: { helpInformation(): string } };
    for (const option of options) expect(command.helpInformation()).toContain(option);
  });
});
