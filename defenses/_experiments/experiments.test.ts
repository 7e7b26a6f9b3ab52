// The defense experiment scripts, by their exported pure parts and their one argument parser: importing a script
// runs nothing (guarded main), rates and profiles are computed from what the guard reports (worked out by hand here),
// and every script's --help names the options it reads.
import { describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { power, record } from '../../test/leaderboard-fixtures.ts';
import { command as calibrateCommand, legitimateProfileOf } from './calibrate.ts';
import { command as renderCommand, ownershipTable } from './render.ts';
import { command as adaptiveCommand } from './render-adaptive.ts';
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

describe('render: ownership tests', () => {
  it('counts claims of the copy beside the power on the victim and the false claims over all encoders', () => {
    const result = (stolen: boolean, pValue: number, statistic: number) => ({ stolen, pValue, statistic });
    const records = [
      [1, result(true, 0.01, 3), power(true, 0)],
      [2, result(false, 0.2, 1), power(true, 1)],
      [3, result(true, 0.001, 5), power(false, 0)],
    ].map(([seed, stolen, p]) =>
      record({
        attack: 'direct-extraction',
        defense: 'watermark',
        seed: seed as number,
        metrics: { ownership: { stolen: stolen as ReturnType<typeof result>, power: p as ReturnType<typeof power> } },
      }),
    );
    // Claimed on seeds 1 and 3; p median 0.01 over 0.001–0.2; t mean 3; victim claimed on 2 of 3; 1 of 9
    // encoders claimed; only seed 1 valid.
    expect(ownershipTable(records)).toMatch(
      /\| watermark +\| direct-extraction \| 1000 +\| 3 +\| [^|]+\| 2\/3 +\| 0\.010 \(0\.0010 – 0\.20\) +\| 3\.00 +\| 2\/3 +\| 1\/9 +\| 1\/3 +\|/,
    );
  });
});

describe('render-adaptive', () => {
  it("splices the leaderboard's worst case between its markers, a registered adaptive attack named as not run", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stealbench-adaptive-'));
    try {
      mkdirSync(join(dir, 'run', 'results'), { recursive: true });
      [1, 2].forEach((seed) => {
        for (const [defense, value] of [
          ['none', 0.8],
          ['gaussian-noise', 0.7],
        ] as const) {
          const r = record({ attack: 'direct-extraction', defense, seed, stolen: { fmnist: value + seed / 100 } });
          writeFileSync(join(dir, 'run', 'results', `${defense}-${seed}.json`), JSON.stringify(r));
        }
      });
      const readme = join(dir, 'README.md');
      writeFileSync(
        readme,
        'before\n<!-- adaptive-worst-case:start -->\nold\n<!-- adaptive-worst-case:end -->\nafter\n',
      );
      vi.spyOn(console, 'log').mockImplementation(() => {});
      vi.spyOn(console, 'error').mockImplementation(() => {});
      await adaptiveCommand.parseAsync(['--runs', join(dir, 'run'), '--write', readme], { from: 'user' });
      const text = readFileSync(readme, 'utf8');
      expect(text).not.toContain('old');
      expect(text).toMatch(/^before\n<!-- adaptive-worst-case:start -->\nRendered by/);
      // The drop 10 points on both seeds; noise-averaging targets gaussian-noise in its meta, with no records here.
      expect(text).toMatch(
        /\|\s*gaussian-noise\s*\|\s*direct-extraction: 71\.5 ± 6\.4\s*\|\s*\+10\.0 ± 0\.0 \(2 paired\)\s*\|\s*not run \(noise-averaging\)/,
      );
      expect(text.endsWith('<!-- adaptive-worst-case:end -->\nafter\n')).toBe(true);
    } finally {
      vi.restoreAllMocks();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('one argument parser', () => {
  it.each([
    ['calibrate', calibrateCommand, ['--seed <n>', '--seeds <list>', '--pow <json>', '--b4b <json>', '--write']],
    ['render', renderCommand, ['--runs <folders>', '--write <file>', '--command <text>']],
    ['render-adaptive', adaptiveCommand, ['--runs <folders>', '--write <file>']],
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
