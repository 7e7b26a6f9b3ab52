// The defense-table renderer (defenses/_experiments/render.ts) on fixture records: numbers worked out by hand, cells
// that did not complete shown by their state (never as 0), and the README splice between markers.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRecords } from '../benchmark/leaderboard/read-records.ts';
import {
  b4bTable,
  detectionTable,
  matrixTables,
  perturbationTable,
  measuredCell,
  noiseTable,
  powTable,
  renderDefenseGrid,
} from '../defenses/_experiments/render.ts';
import { spliceMarkedBlock } from '../benchmark/testkit/index.ts';
import { record, type FixtureCell } from './leaderboard-fixtures.ts';

const legit = (defended: number, undefended = 0.8) => ({
  legitimate: { defended: { fmnist: defended }, undefended: { fmnist: undefended } },
});
const rowWith = (table: string, text: string) => table.split('\n').find((line) => line.includes(text)) ?? '';
/** A `direct-extraction` cell under `gaussian-noise`: most fixtures below differ only in the options and the rest. */
const noiseCell = (defenseOptions: Record<string, unknown>, rest: Omit<FixtureCell, 'attack' | 'defense'> = {}) =>
  record({ attack: 'direct-extraction', defense: 'gaussian-noise', defenseOptions, ...rest });

describe('defense tables from records', () => {
  const noise = [
    noiseCell({ mean: 0, sigma: 1 }, { seed: 1, stolen: { fmnist: 0.6 }, metrics: legit(0.8) }),
    noiseCell({ mean: 0, sigma: 1 }, { seed: 2, stolen: { fmnist: 0.7 }, metrics: legit(0.9) }),
    noiseCell({ mean: 0, sigma: 1 }, { seed: 3, state: 'failed', error: 'out of memory' }),
    noiseCell({ mean: 0, sigma: 5 }, { seed: 1, state: 'failed', error: 'boom' }),
    record({
      attack: 'direct-extraction',
      defense: 'none',
      seed: 1,
      stolen: { fmnist: 0.75 },
      metrics: legit(0.81, 0.81),
    }),
  ];

  it('gives mean ± sample std over the completed seeds, and says which seeds did not complete', () => {
    const table = noiseTable(noise);
    const row = rowWith(table, 'sigma=1');
    // legitimate 0.8, 0.9 → mean 85.0, sd √((0.05² + 0.05²)/1) = 0.0707 → 7.1; stolen 0.6, 0.7 → 65.0 ± 7.1.
    expect(row).toContain('85.0 ± 7.1 (failed)');
    expect(row).toContain('65.0 ± 7.1 (failed)');
    expect(rowWith(table, '| none')).toContain('75.0');
    // A none cell with nothing defended at its budget has nothing to be compared with: left out.
    const extra = record({
      attack: 'direct-extraction',
      defense: 'none',
      budget: 4000,
      seed: 1,
      stolen: { fmnist: 0.42 },
      metrics: legit(0.81, 0.81),
    });
    expect(noiseTable([...noise, extra])).not.toContain('42.0');
  });

  it('shows a row whose cells all failed as failed, never as 0', () => {
    const row = rowWith(noiseTable(noise), 'sigma=5');
    expect(row).toContain('failed');
    expect(row).not.toMatch(/\b0\.0\b/);
    expect(row.match(/failed/g)?.length).toBe(3); // the three accuracy columns
  });

  it('reports the attacker work of proof-of-work cells', () => {
    /** A seed's cell: the attacker's hashes and PoW seconds, whether it was flagged, legitimate accounts flagged. */
    const powCell = (seed: number, hashes: number, powSeconds: number, attackerFlagged: boolean, flagged: number) =>
      record({
        attack: 'direct-extraction',
        defense: 'proof-of-work',
        seed,
        metrics: {
          cost: { queries: 1000, attackSeconds: 2, hashes, powSeconds },
          detection: { attackerFlagged, legitimateAccounts: 2, legitimateFlagged: flagged },
        },
      });
    const records = [powCell(1, 3000, 1.5, true, 0), powCell(2, 5000, 2.5, false, 1)];
    const row = rowWith(powTable(records), 'proof-of-work');
    const cells = row.split('|').map((c) => c.trim());
    expect(cells).toContain('4000'); // mean hashes
    expect(cells).toContain('2.00'); // mean seconds
    expect(cells).toContain('1/2'); // attacker flagged in one of two seeds
    expect(cells).toContain('0.50 of 2'); // legitimate accounts flagged, mean over seeds
  });

  it('puts B4B utility next to stolen accuracy, and detection rates in percent', () => {
    const records = [
      record({
        attack: 'direct-extraction',
        defense: 'b4b',
        defenseOptions: { alpha: 1 },
        seed: 1,
        stolen: { fmnist: 0.4 },
        metrics: {
          ...legit(0.79),
          detection: { attackerFlagged: true, attackerScore: 0.5, legitimateAccounts: 2, legitimateFlagged: 0 },
        },
      }),
      record({
        attack: 'direct-extraction',
        defense: 'similar-query-detection',
        seed: 1,
        metrics: {
          detection: {
            attackerFlagged: true,
            attackerFlaggedQueryRate: 0.25,
            legitimateAccounts: 2,
            legitimateFlagged: 0,
            legitimateFlaggedQueryRate: 0.01,
          },
        },
      }),
    ];
    const b4b = rowWith(b4bTable(records), 'b4b');
    expect(b4b).toContain('79.0');
    expect(b4b).toContain('40.0');
    expect(b4b).toContain('0.500');
    const detection = rowWith(detectionTable(records), 'similar-query-detection');
    expect(detection).toContain('25.0');
    expect(detection).toContain('1.0');
  });

  it('lays every defense against every attack, with the change from the same attack under none', () => {
    const owned = (stolen: boolean, pValue: number) => ({ stolen, statistic: 0, pValue });
    const records = [
      record({ attack: 'direct-extraction', defense: 'none', stolen: { fmnist: 0.75 }, metrics: legit(0.8, 0.8) }),
      record({ attack: 'cont-steal', defense: 'none', stolen: { fmnist: 0.7 }, metrics: legit(0.8, 0.8) }),
      noiseCell({ sigma: 1 }, { stolen: { fmnist: 0.6 }, metrics: legit(0.7) }),
      record({ attack: 'cont-steal', defense: 'gaussian-noise', defenseOptions: { sigma: 1 }, state: 'timed-out' }),
      record({
        attack: 'direct-extraction',
        defense: 'watermark',
        stolen: { fmnist: 0.76 },
        metrics: { ownership: { stolen: owned(true, 0.001), independent: owned(false, 0.9) } },
      }),
      record({
        attack: 'cont-steal',
        defense: 'watermark',
        stolen: { fmnist: 0.71 },
        metrics: { ownership: { stolen: owned(false, 0.2), independent: owned(false, 0.6) } },
      }),
      record({ attack: 'direct-extraction', defense: 'none', budget: 4000, stolen: { fmnist: 0.8 } }),
    ];
    const body = matrixTables(records);
    // Only the 1,000-query budget has two attacks.
    expect(body).toContain('1,000 queries');
    expect(body).not.toContain('4,000 queries');
    const noise = rowWith(body, '| gaussian-noise');
    // 60.0 − 75.0 = −15.0 points; the cont-steal cell timed out: its state, no number, no delta.
    expect(noise).toContain('60.0 (−15.0)');
    expect(noise).toContain('timed-out');
    expect(rowWith(body, '| watermark')).toContain('76.0 (+1.0)');
    const summary = body.split('\n').filter((line) => line.startsWith('| watermark'))[1]!;
    expect(summary).toContain('1 of 2 (p 0.0010–0.20)');
    expect(summary).toContain('0 of 2 (p 0.60–0.90)');
    const noiseSummary = body.split('\n').filter((line) => line.startsWith('| gaussian-noise'))[1]!;
    expect(noiseSummary).toContain('1 of 2'); // cells completed
    expect(noiseSummary).toContain('70.0');
  });

  it('puts the perturbing detection variants (table 12) beside none at the same attack and budget', () => {
    const flagged = (legitimateRate: number, attackerRate: number) => ({
      detection: {
        attackerFlagged: attackerRate > 0.3,
        attackerFlaggedQueryRate: attackerRate,
        legitimateAccounts: 2,
        legitimateFlagged: 0,
        legitimateFlaggedQueryRate: legitimateRate,
      },
    });
    const records = [
      record({ attack: 'direct-extraction', defense: 'none', stolen: { fmnist: 0.77 }, metrics: legit(0.8, 0.8) }),
      record({ attack: 'cont-steal', defense: 'none', stolen: { fmnist: 0.7 } }),
      record({
        attack: 'direct-extraction',
        defense: 'similar-query-detection',
        defenseOptions: { perturbFlagged: false },
        stolen: { fmnist: 0.77 },
        metrics: { ...legit(0.8, 0.8), ...flagged(0.02, 0.05) },
      }),
      record({
        attack: 'direct-extraction',
        defense: 'similar-query-detection',
        defenseOptions: { noiseMean: 1000 },
        stolen: { fmnist: 0.5 },
        metrics: { ...legit(0.13, 0.8), ...flagged(0.02, 0.05) },
      }),
      record({ attack: 'cont-steal', defense: 'similar-query-detection', stolen: { fmnist: 0.6 } }),
    ];
    const body = perturbationTable(records);
    const lines = body
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| defense') && !line.startsWith('| -'));
    expect(lines).toHaveLength(3); // none + two variants at direct-extraction; cont-steal has one variant only
    expect(rowWith(body, 'noiseMean=1000')).toContain('13.0');
    expect(rowWith(body, 'noiseMean=1000')).toContain('50.0');
    expect(rowWith(body, 'perturbFlagged=false')).toContain('2.0');
    expect(body).not.toContain('cont-steal');

    // The table's own attacker (two augmented views of each image) is a row with one variant too.
    const twoViews = record({
      attack: 'direct-extraction',
      attackOptions: { loss: 'infonce', queryViews: 2 },
      defense: 'similar-query-detection',
      stolen: { fmnist: 0.66 },
      metrics: { ...legit(0.7, 0.8), ...flagged(0.02, 0.05) },
    });
    const withTwoViews = perturbationTable([...records, twoViews]);
    expect(rowWith(withTwoViews, 'queryViews=2')).toContain('66.0');
    expect(withTwoViews).not.toContain('cont-steal');
  });

  it('counts one measurement per seed when two runs hold the same (defense, attack, budget, seed)', () => {
    const older = noiseCell({ sigma: 1 }, { seed: 1, stolen: { fmnist: 0.6 }, startedAt: '2026-01-01T00:00:00.000Z' });
    const newer = noiseCell({ sigma: 1 }, { seed: 1, stolen: { fmnist: 0.7 }, startedAt: '2026-02-01T00:00:00.000Z' });
    // Another run's cell differs in its downstream tasks, so it is another record of the same measurement.
    const otherRun = { ...newer, cell: { ...newer.cell, downstream: ['fmnist', 'digits'] } };
    const row = rowWith(noiseTable([older, otherRun]), '| gaussian-noise');
    expect(row).toContain('70.0');
    expect(row).not.toContain('±');
  });

  it('writes "—" where no completed cell measured the value', () => {
    expect(
      measuredCell(
        [record({ attack: 'a' })],
        (m) => m.cost.hashes,
        () => 'x',
      ),
    ).toBe('—');
  });

  it('renders the whole grid from a records folder read by the leaderboard reader', () => {
    const dir = mkdtempSync(join(tmpdir(), 'defenses-render-'));
    try {
      mkdirSync(join(dir, 'results'));
      noise.forEach((r, i) => writeFileSync(join(dir, 'results', `${i}.json`), JSON.stringify(r)));
      const { records } = readRecords(dir);
      const body = renderDefenseGrid(records, 'stealbench run --config x.json');
      expect(body).toContain('`stealbench run --config x.json`');
      expect(body).toContain('from 5 records');
      expect(body).toContain('_No records for these defenses in the run._'); // no proof-of-work cells
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('spliceMarkedBlock (the one marker syntax)', () => {
  it('replaces only the text between the markers', () => {
    const text = 'a\n<!-- t:start -->\nold\n<!-- t:end -->\nb\n';
    expect(spliceMarkedBlock(text, 't', 'new', 'f.md')).toBe('a\n<!-- t:start -->\nnew\n<!-- t:end -->\nb\n');
  });
  it('names the file and the markers when they are missing', () => {
    expect(() => spliceMarkedBlock('nothing', 't', 'x', 'defenses/README.md')).toThrow(
      /defenses\/README\.md: markers <!-- t:start -->/,
    );
  });
});
