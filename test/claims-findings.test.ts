// `stealbench claims` on hand-built records: the verdict rule (interval on the paper's side → reproduced, on the other
// side → contradicted, straddling → inconclusive, absent → not measured with the config named), the pairing by seed,
// and the command writing the table between its markers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateFindings, renderFindings, verdictOf, type FindingRow } from '../benchmark/claims/index.ts';
import { main } from '../benchmark/cli/main.ts';
import { meanInterval } from '../benchmark/scoring/stats.ts';
import type { CellRecord } from '../benchmark/runner/record.ts';
import { record } from './leaderboard-fixtures.ts';

const seeds = [1, 2, 3, 4, 5];
const INFONCE = { loss: 'infonce' };

function finding(rows: FindingRow[], id: string): FindingRow {
  const found = rows.filter((r) => r.id === id);
  expect(found).toHaveLength(1);
  return found[0];
}

/** Representations (InfoNCE) and labels at 4,000 queries; labels = representations − drops[i] on seed i. */
function repsVersusLabels(drops: number[]): CellRecord[] {
  const reps = [0.8, 0.82, 0.81, 0.83, 0.8];
  return seeds.flatMap((seed, i) => [
    record({
      attack: 'direct-extraction',
      attackOptions: INFONCE,
      seed,
      budget: 4000,
      victim: 'simclr-fmnist',
      stolen: { fmnist: reps[i] },
    }),
    record({
      attack: 'label-stealing',
      seed,
      budget: 4000,
      victim: 'simclr-fmnist',
      stolen: { fmnist: reps[i] - drops[i] },
    }),
  ]);
}

describe('verdictOf', () => {
  it("reads the interval against the threshold on the paper's side", () => {
    const above = meanInterval([0.04, 0.05, 0.06]);
    const below = meanInterval([-0.04, -0.05, -0.06]);
    const straddling = meanInterval([-0.05, 0.0, 0.06]);
    expect(verdictOf(above, 'above')).toBe('reproduced');
    expect(verdictOf(below, 'above')).toBe('contradicted');
    expect(verdictOf(straddling, 'above')).toBe('inconclusive');
    expect(verdictOf(below, 'below')).toBe('reproduced');
    expect(verdictOf(above, 'below', 0.1)).toBe('reproduced');
    expect(verdictOf(meanInterval([0.5]), 'above')).toBe('inconclusive');
    expect(verdictOf(null, 'above')).toBe('not measured');
  });
});

describe('paper findings from records', () => {
  it('says "reproduced" when the paired interval excludes zero in the paper\'s direction', () => {
    // Differences .05 .06 .04 .05 .05: mean +5.0 pp, 95% interval ±0.88 pp.
    const row = finding(
      evaluateFindings(repsVersusLabels([0.05, 0.06, 0.04, 0.05, 0.05])),
      'representations-beat-labels',
    );
    expect(row.ours!.mean).toBeCloseTo(0.05, 12);
    expect(row.ours!.halfWidth).toBeCloseTo((2.776445 * 0.0070711) / Math.sqrt(5), 5);
    expect(row.seeds).toBe(5);
    expect(row.verdict).toBe('reproduced');
  });

  it('says "contradicted" when it excludes zero in the other direction', () => {
    const row = finding(
      evaluateFindings(repsVersusLabels([-0.05, -0.06, -0.04, -0.05, -0.05])),
      'representations-beat-labels',
    );
    expect(row.ours!.mean).toBeCloseTo(-0.05, 12);
    expect(row.verdict).toBe('contradicted');
  });

  it('says "inconclusive" when the interval straddles zero', () => {
    const row = finding(
      evaluateFindings(repsVersusLabels([0.02, -0.02, 0.03, -0.03, 0.01])),
      'representations-beat-labels',
    );
    expect(row.ours!.mean).toBeCloseTo(0.002, 12);
    expect(row.ours!.low! < 0 && row.ours!.high! > 0).toBe(true);
    expect(row.verdict).toBe('inconclusive');
  });

  it('pairs by seed: a seed only one side has is left out', () => {
    const records = [
      ...repsVersusLabels([0.05, 0.06, 0.04, 0.05, 0.05]),
      record({ attack: 'label-stealing', seed: 9, budget: 4000, victim: 'simclr-fmnist', stolen: { fmnist: 0.1 } }),
    ];
    const row = finding(evaluateFindings(records), 'representations-beat-labels');
    expect(row.seeds).toBe(5);
    expect(row.ours!.mean).toBeCloseTo(0.05, 12);
  });

  it('keeps the budget finding with steps fixed apart from the one with epochs fixed (steps ∝ budget)', () => {
    const mse = (steps: number, budget: number, seed: number, stolen: number) =>
      record({
        attack: 'direct-extraction',
        attackOptions: { loss: 'mse', steps },
        seed,
        budget,
        victim: 'simclr-fmnist',
        stolen: { fmnist: stolen },
      });
    // Steps fixed at 310: 1,000 and 4,000 queries; epochs fixed (0.0775 steps a query): 78 @ 1,000, 310 @ 4,000 and
    // 620 @ 8,000. Seed s adds s/100 everywhere; 310 @ 4,000 differs from 310 @ 1,000 by ±0.01, ±0.02 or 0.
    const fixedStepsGain = [0.01, -0.01, 0.02, -0.02, 0];
    const records = seeds.flatMap((seed, i) => [
      mse(310, 1000, seed, 0.8 + seed / 100),
      mse(310, 4000, seed, 0.8 + seed / 100 + fixedStepsGain[i]!),
      mse(78, 1000, seed, 0.7 + seed / 100),
      mse(620, 8000, seed, 0.74 + seed / 100 + (seed === 1 ? 0.01 : 0)),
    ]);
    const rows = evaluateFindings(records);
    const fixedSteps = finding(rows, 'budget-rises');
    expect(fixedSteps.ours!.mean).toBeCloseTo(0, 12); // 310 @ 4,000 − 310 @ 1,000
    expect(fixedSteps.setting).toContain('4000 − 1000 queries');
    expect(fixedSteps.verdict).toBe('inconclusive');
    const fixedEpochs = finding(rows, 'budget-rises-epochs-fixed');
    // 620 @ 8,000 − 78 @ 1,000: 0.04 on every seed, and 0.05 on seed 1 → mean 0.042.
    expect(fixedEpochs.ours!.mean).toBeCloseTo(0.042, 12);
    expect(fixedEpochs.seeds).toBe(5);
    expect(fixedEpochs.verdict).toBe('reproduced');
    expect(fixedEpochs.setting).toContain('8000 queries (620 steps) − 1000 (78 steps)');
  });

  it("reads detection from the shortest window (the sibling view's), not from the random-pair rule", () => {
    const rates = (features: string, rule: string, window: number | undefined, fpr: number, attacker: number) => ({
      rule,
      ...(window === undefined ? {} : { window }),
      features,
      legitimateQueries: 1000,
      legitimateFlagged: fpr * 1000,
      attackerQueries: 1000,
      attackerFlagged: attacker * 1000,
      falsePositiveRate: fpr,
      attackerFlaggedQueryRate: attacker,
    });
    const records = seeds.map((seed) =>
      record({
        attack: 'direct-extraction',
        attackOptions: { loss: 'infonce', queryViews: 2 },
        defense: 'similar-query-detection',
        seed,
        budget: 4000,
        victim: 'simclr-fmnist',
        stolen: { fmnist: 0.8 },
        metrics: {
          detection: {
            attackerFlagged: false,
            windows: [
              rates('projection', 'window', 256, 0.2, 0.25),
              rates('projection', 'window', 64, 0.1, 0.3 + seed / 100),
              rates('projection', 'pairwise', undefined, 0.01, 0.01),
              rates('representation', 'window', 64, 0.05, 0.1),
              rates('representation', 'pairwise', undefined, 0.01, 0.01),
            ],
          } as never,
        },
      }),
    );
    const rows = evaluateFindings(records);
    // head: 0.3 + s/100 − 0.1 → mean 0.23; representations: 0.1 − 0.05 = 0.05; head − representations: mean 0.18.
    expect(finding(rows, 'detection-projection').ours!.mean).toBeCloseTo(0.23, 12);
    expect(finding(rows, 'detection-projection').verdict).toBe('reproduced');
    expect(finding(rows, 'detection-representation').ours!.mean).toBeCloseTo(0.05, 12);
    expect(finding(rows, 'detection-head-better').ours!.mean).toBeCloseTo(0.18, 12);
  });

  it("charges noise the legitimate users' cost against the attacker's drop, seed by seed", () => {
    // Seed i: none 0.80, noisy 0.80 − a_i, users' cost c_i → quantity a_i − c_i.
    const a = [0.1, 0.12, 0.08, 0.1, 0.1];
    const c = [0.02, 0.01, 0.03, 0.02, 0.02];
    const noise = { sigma: 1, mean: 0 };
    const records = seeds.flatMap((seed, i) => [
      record({
        attack: 'direct-extraction',
        attackOptions: { loss: 'mse' },
        seed,
        budget: 4000,
        victim: 'simclr-fmnist',
        stolen: { fmnist: 0.8 },
      }),
      record({
        attack: 'direct-extraction',
        attackOptions: { loss: 'mse' },
        defense: 'gaussian-noise',
        // The same options in another key order on odd seeds, as two runs may write them: still one setting.
        defenseOptions: i % 2 ? { mean: noise.mean, sigma: noise.sigma } : noise,
        seed,
        budget: 4000,
        victim: 'simclr-fmnist',
        stolen: { fmnist: 0.8 - a[i] },
        metrics: { legitimate: { defended: { fmnist: 0.9 - c[i] }, undefended: { fmnist: 0.9 } } },
      }),
    ]);
    const rows = evaluateFindings(records);
    expect(rows.filter((r) => r.id === 'noise-attacker-vs-legitimate')).toHaveLength(1);
    const row = finding(rows, 'noise-attacker-vs-legitimate');
    // a − c: .08 .11 .05 .08 .08 → mean .08.
    expect(row.ours!.mean).toBeCloseTo(0.08, 12);
    expect(row.seeds).toBe(5);
    expect(row.verdict).toBe('reproduced');
  });

  it('says "not measured" without records and names the config sub-grid that measures each finding', () => {
    const rows = evaluateFindings([]);
    expect(new Set(rows.map((r) => r.id)).size).toBeGreaterThanOrEqual(9);
    const config = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', 'benchmark', 'profiles', 'claims.json'), 'utf8'),
    ) as {
      grids: { name: string }[];
    };
    const grids = config.grids.map((g) => g.name);
    for (const r of rows) {
      expect(r.verdict).toBe('not measured');
      const grid = /sub-grid "([^"]+)"/.exec(r.config)?.[1];
      expect(grids, `${r.id}: ${r.config}`).toContain(grid);
    }
    const markdown = renderFindings(rows);
    expect(markdown).toContain('not measured: ');
    expect(markdown).toContain('run benchmark/profiles/claims.json, sub-grid');
  });
});

describe('stealbench claims', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stealbench-claims-'));
    mkdirSync(join(dir, 'results'));
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation(() => {});
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the table, and writes it between the paper-findings markers, replacing the old block', async () => {
    repsVersusLabels([0.05, 0.06, 0.04, 0.05, 0.05]).forEach((r, i) =>
      writeFileSync(join(dir, 'results', `r${i}.json`), JSON.stringify(r)),
    );
    const page = join(dir, 'LEADERBOARD.md');
    writeFileSync(page, '# Board\n\n<!-- paper-findings:start -->\nold\n<!-- paper-findings:end -->\n\nafter\n');
    expect(await main(['claims', '--results', join(dir, 'results'), '--write', page])).toBe(0);
    const printed = vi.mocked(console.log).mock.calls.flat().join('\n');
    const line = printed.split('\n').find((l) => l.startsWith('| Representations are stolen better than labels'));
    expect(line).toMatch(/\| +\+5\.0 pp \[4\.1, 5\.9\] \| +5 \| \*\*reproduced\*\* +\|$/);
    const text = readFileSync(page, 'utf8');
    expect(text).toBe(
      `# Board\n\n<!-- paper-findings:start -->\n${printed.trim()}\n<!-- paper-findings:end -->\n\nafter\n`,
    );
    // A file without markers gets a "Paper findings" section appended.
    const readme = join(dir, 'README.md');
    writeFileSync(readme, '# Attacks\n');
    expect(await main(['claims', '--results', dir, '--write', readme])).toBe(0);
    expect(readFileSync(readme, 'utf8')).toMatch(
      /^# Attacks\n\n## Paper findings\n\n<!-- paper-findings:start -->\n[\s\S]+<!-- paper-findings:end -->\n$/,
    );
  });
});

describe("the leaderboard's Paper findings section", () => {
  it('is the same table as `stealbench claims`, between the same markers', async () => {
    const { renderLeaderboard } = await import('../benchmark/leaderboard/index.ts');
    const records = repsVersusLabels([0.05, 0.06, 0.04, 0.05, 0.05]);
    const { markdown } = renderLeaderboard(records, { paperFindings: true });
    const table = renderFindings(evaluateFindings(records));
    expect(markdown).toContain(
      `## Paper findings\n\n<!-- paper-findings:start -->\n${table}\n<!-- paper-findings:end -->`,
    );
  });
});
