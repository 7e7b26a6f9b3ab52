// The defense-table renderer (defenses/_experiments/render.ts) on fixture records: numbers worked out by hand, cells
// that did not complete shown by their state (never as 0), and the README splice between markers.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRecords } from '../benchmark/leaderboard/read-records.ts';
import { b4bTable, detectionTable, measuredCell, noiseTable, powTable, renderDefenseGrid } from '../defenses/_experiments/render.ts';
import { spliceBetweenMarkers } from '../defenses/_experiments/markers.ts';
import { record } from './leaderboard-fixtures.ts';

const legit = (defended: number, undefended = 0.8) => ({ legitimate: { defended: { fmnist: defended }, undefended: { fmnist: undefended } } });
const rowWith = (table: string, text: string) => table.split('\n').find((line) => line.includes(text)) ?? '';

describe('defense tables from records', () => {
  const noise = [
    record({ attack: 'direct-extraction', defense: 'gaussian-noise', defenseOptions: { mean: 0, sigma: 1 }, seed: 1, stolen: { fmnist: 0.6 }, metrics: legit(0.8) }),
    record({ attack: 'direct-extraction', defense: 'gaussian-noise', defenseOptions: { mean: 0, sigma: 1 }, seed: 2, stolen: { fmnist: 0.7 }, metrics: legit(0.9) }),
    record({ attack: 'direct-extraction', defense: 'gaussian-noise', defenseOptions: { mean: 0, sigma: 1 }, seed: 3, state: 'failed', error: 'out of memory' }),
    record({ attack: 'direct-extraction', defense: 'gaussian-noise', defenseOptions: { mean: 0, sigma: 5 }, seed: 1, state: 'failed', error: 'boom' }),
    record({ attack: 'direct-extraction', defense: 'none', seed: 1, stolen: { fmnist: 0.75 }, metrics: legit(0.81, 0.81) }),
  ];

  it('gives mean ± sample std over the completed seeds, and says which seeds did not complete', () => {
    const table = noiseTable(noise);
    const row = rowWith(table, 'sigma=1');
    // legitimate 0.8, 0.9 → mean 85.0, sd √((0.05² + 0.05²)/1) = 0.0707 → 7.1; stolen 0.6, 0.7 → 65.0 ± 7.1.
    expect(row).toContain('85.0 ± 7.1 (failed)');
    expect(row).toContain('65.0 ± 7.1 (failed)');
    expect(rowWith(table, '| none')).toContain('75.0');
  });

  it('shows a row whose cells all failed as failed, never as 0', () => {
    const row = rowWith(noiseTable(noise), 'sigma=5');
    expect(row).toContain('failed');
    expect(row).not.toMatch(/\b0\.0\b/);
    expect(row.match(/failed/g)?.length).toBe(3); // the three accuracy columns
  });

  it('reports the attacker work of proof-of-work cells', () => {
    const records = [
      record({ attack: 'direct-extraction', defense: 'proof-of-work', seed: 1, metrics: { cost: { queries: 1000, attackSeconds: 2, hashes: 3000, powSeconds: 1.5 }, detection: { attackerFlagged: true, legitimateAccounts: 2, legitimateFlagged: 0 } } }),
      record({ attack: 'direct-extraction', defense: 'proof-of-work', seed: 2, metrics: { cost: { queries: 1000, attackSeconds: 2, hashes: 5000, powSeconds: 2.5 }, detection: { attackerFlagged: false, legitimateAccounts: 2, legitimateFlagged: 1 } } }),
    ];
    const row = rowWith(powTable(records), 'proof-of-work');
    const cells = row.split('|').map((c) => c.trim());
    expect(cells).toContain('4000'); // mean hashes
    expect(cells).toContain('2.00'); // mean seconds
    expect(cells).toContain('1/2'); // attacker flagged in one of two seeds
    expect(cells).toContain('0.50 of 2'); // legitimate accounts flagged, mean over seeds
  });

  it('puts B4B utility next to stolen accuracy, and detection rates in percent', () => {
    const records = [
      record({ attack: 'direct-extraction', defense: 'b4b', defenseOptions: { alpha: 1 }, seed: 1, stolen: { fmnist: 0.4 }, metrics: { ...legit(0.79), detection: { attackerFlagged: true, attackerScore: 0.5, legitimateAccounts: 2, legitimateFlagged: 0 } } }),
      record({ attack: 'direct-extraction', defense: 'similar-query-detection', seed: 1, metrics: { detection: { attackerFlagged: true, attackerFlaggedQueryRate: 0.25, legitimateAccounts: 2, legitimateFlagged: 0, legitimateFlaggedQueryRate: 0.01 } } }),
    ];
    const b4b = rowWith(b4bTable(records), 'b4b');
    expect(b4b).toContain('79.0');
    expect(b4b).toContain('40.0');
    expect(b4b).toContain('0.500');
    const detection = rowWith(detectionTable(records), 'similar-query-detection');
    expect(detection).toContain('25.0');
    expect(detection).toContain('1.0');
  });

  it('writes "—" where no completed cell measured the value', () => {
    expect(measuredCell([record({ attack: 'a' })], (m) => m.cost.hashes, () => 'x')).toBe('—');
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

describe('spliceBetweenMarkers', () => {
  it('replaces only the text between the markers', () => {
    const text = 'a\n<!-- t:start -->\nold\n<!-- t:end -->\nb\n';
    expect(spliceBetweenMarkers(text, 't', 'new', 'f.md')).toBe('a\n<!-- t:start -->\nnew\n<!-- t:end -->\nb\n');
  });
  it('names the file and the markers when they are missing', () => {
    expect(() => spliceBetweenMarkers('nothing', 't', 'x', 'defenses/README.md')).toThrow(/defenses\/README\.md: markers <!-- t:start -->/);
  });
});
