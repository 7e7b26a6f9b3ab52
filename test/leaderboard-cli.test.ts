// `stealbench leaderboard` end to end on records written to a temporary folder: files written, records copied,
// stale charts removed, and a bad record stopping the command with its file and field named (exit code 2).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../benchmark/cli/main.ts';
import { readRecords, renderLeaderboard } from '../benchmark/leaderboard/index.ts';
import { record } from './leaderboard-fixtures.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stealbench-leaderboard-'));
  mkdirSync(join(dir, 'run', 'results'), { recursive: true });
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

// Without the repository's victims evaluation and plugin registry, so the page depends on the records alone.
const OFFLINE = ['--no-references', '--no-attack-metas', '--no-paper-findings'];

function writeRecords(records: object[]): void {
  records.forEach((r, i) => writeFileSync(join(dir, 'run', 'results', `r${i}.json`), JSON.stringify(r)));
}

describe('stealbench leaderboard', () => {
  it(
    'writes LEADERBOARD.md, the charts and a copy of the records, and ' + 're-renders the same from that copy',
    async () => {
      const records = [
        record({ attack: 'direct', seed: 1, stolen: { fmnist: 0.6 } }),
        record({ attack: 'direct', seed: 2, stolen: { fmnist: 0.64 } }),
        record({ attack: 'direct', seed: 1, state: 'failed', budget: 5000 }),
      ];
      writeRecords(records);
      const out = join(dir, 'board');
      mkdirSync(join(out, 'charts'), { recursive: true });
      writeFileSync(join(out, 'charts', 'stale.svg'), '<svg/>');

      expect(await main(['leaderboard', '--results', join(dir, 'run'), '--out', out, ...OFFLINE])).toBe(0);
      const markdown = readFileSync(join(out, 'LEADERBOARD.md'), 'utf8');
      expect(markdown).toBe(renderLeaderboard(records).markdown);
      expect(markdown).toContain('62.0 ± 25.4'); // t(0.975, 1) = 12.706 · 0.02/√2 = 0.254
      expect(readdirSync(join(out, 'charts'))).toEqual(['accuracy-cnn-fmnist.svg']);
      expect(readdirSync(join(out, 'results')).sort()).toEqual(['r0.json', 'r1.json', 'r2.json']);
      expect(readRecords(out).records).toEqual(readRecords(join(dir, 'run')).records);
    },
  );

  it('counts a cell once when the folder holds an older run of it (another key), keeping the newest', async () => {
    const old = {
      ...record({ attack: 'direct', seed: 1, stolen: { fmnist: 0.5 }, startedAt: '2026-01-01T00:00:00.000Z' }),
      key: 'a'.repeat(64),
    };
    const rerun = record({ attack: 'direct', seed: 1, stolen: { fmnist: 0.7 }, startedAt: '2026-02-01T00:00:00.000Z' });
    const other = record({ attack: 'direct', seed: 2, stolen: { fmnist: 0.6 }, startedAt: '2025-06-01T00:00:00.000Z' });
    writeRecords([rerun, old, other]);
    const read = readRecords(join(dir, 'run'));
    expect(read.records.map((r) => r.metrics!.stolen.fmnist)).toEqual([0.7, 0.6]);
    expect(read.superseded).toEqual([join(dir, 'run', 'results', 'r1.json')]);
    const out = join(dir, 'board');
    expect(await main(['leaderboard', '--results', join(dir, 'run'), '--out', out, ...OFFLINE])).toBe(0);
    expect(readdirSync(join(out, 'results')).sort()).toEqual(['r0.json', 'r2.json']);
    expect(readFileSync(join(out, 'LEADERBOARD.md'), 'utf8')).toContain('65.0'); // (0.7 + 0.6) / 2, not with 0.5
  });

  it('joins several --results folders: the newest record of a cell wins, and <out>/results keeps the others', async () => {
    // The main job's case: a fresh run of its own cells beside the shipped folder, which also holds other profiles'.
    const out = join(dir, 'board');
    mkdirSync(join(out, 'results'), { recursive: true });
    const shippedOld = record({
      attack: 'direct',
      seed: 1,
      stolen: { fmnist: 0.5 },
      startedAt: '2026-01-01T00:00:00.000Z',
    });
    const shippedOther = record({
      attack: 'other',
      seed: 1,
      stolen: { fmnist: 0.4 },
      startedAt: '2026-01-01T00:00:00.000Z',
    });
    writeFileSync(join(out, 'results', 'old.json'), JSON.stringify({ ...shippedOld, key: 'a'.repeat(64) }));
    writeFileSync(join(out, 'results', 'other.json'), JSON.stringify(shippedOther));
    writeRecords([
      record({ attack: 'direct', seed: 1, stolen: { fmnist: 0.7 }, startedAt: '2026-02-01T00:00:00.000Z' }),
    ]);

    expect(await main(['leaderboard', '--results', join(dir, 'run'), out, '--out', out, ...OFFLINE])).toBe(0);
    expect(readdirSync(join(out, 'results')).sort()).toEqual(['other.json', 'r0.json']);
    const kept = readRecords(out).records.map((r) => [r.cell.attack.id, r.metrics!.stolen.fmnist]);
    expect(kept.sort()).toEqual([
      ['direct', 0.7],
      ['other', 0.4],
    ]);
    expect(await main(['leaderboard', '--results', join(dir, 'nowhere'), out, '--out', out, ...OFFLINE])).toBe(2);
  });

  it('stops with the file and the field of a bad record, exit code 2, writing nothing', async () => {
    const bad = record({ attack: 'direct' }) as unknown as { cell: { budget: unknown } };
    bad.cell.budget = 'many';
    writeRecords([record({ attack: 'direct', seed: 2 }), bad]);
    const errors: string[] = [];
    vi.mocked(process.stderr.write).mockImplementation((chunk: string | Uint8Array) => {
      errors.push(String(chunk));
      return true;
    });
    const out = join(dir, 'board');
    expect(await main(['leaderboard', '--results', join(dir, 'run'), '--out', out, ...OFFLINE])).toBe(2);
    expect(errors.join('')).toMatch(/r1\.json: .*\/cell\/budget/);
    expect(existsSync(join(out, 'LEADERBOARD.md'))).toBe(false);
  });

  it('reads the reference rows from --references, and names a malformed evaluation file', async () => {
    writeRecords([record({ attack: 'direct', seed: 1, stolen: { fmnist: 0.6 } })]);
    const evaluation = {
      victims: [{ id: 'cnn', arch: 'small-cnn', accuracy: { fmnist: 0.9 } }],
      baselines: [
        { id: 'raw-pixels', label: 'raw pixels', accuracy: { fmnist: 0.8 } },
        {
          id: 'random-small-cnn',
          label: 'random small-cnn',
          accuracy: { fmnist: 0.7 },
          sd: { fmnist: 0.01 },
          inits: 5,
        },
      ],
    };
    const file = join(dir, 'evaluation.json');
    writeFileSync(file, JSON.stringify(evaluation));
    const out = join(dir, 'board');
    // The same offline render, with whatever references the file holds at the time.
    const renderWithReferences = () =>
      main([
        'leaderboard',
        '--results',
        join(dir, 'run'),
        '--out',
        out,
        '--references',
        file,
        '--no-attack-metas',
        '--no-paper-findings',
      ]);
    expect(await renderWithReferences()).toBe(0);
    const markdown = readFileSync(join(out, 'LEADERBOARD.md'), 'utf8');
    expect(markdown).toBe(
      renderLeaderboard(readRecords(join(dir, 'run')).records, { references: evaluation }).markdown,
    );
    expect(markdown).toContain('| ref | *ref:* random small-cnn, mean ± sd over 5 inits |');
    writeFileSync(file, JSON.stringify({ victims: [], baselines: [{ id: 'raw-pixels' }] }));
    expect(await renderWithReferences()).toBe(1);
    expect(vi.mocked(console.error).mock.calls.flat().join('\n')).toMatch(
      /evaluation\.json: baselines\[0\]\.accuracy: expected/,
    );
  });

  it('names a file that is not JSON', async () => {
    writeFileSync(join(dir, 'run', 'results', 'broken.json'), '{ "schemaVersion": 1,');
    expect(() => readRecords(join(dir, 'run'))).toThrow(/broken\.json: not valid JSON/);
  });
});

describe('checkRecordShape', () => {
  it('names the field the renderer needs', async () => {
    const { checkRecordShape } = await import('../benchmark/leaderboard/index.ts');
    const r = record({ attack: 'a' }) as unknown as { metrics: { stolen: Record<string, unknown> } };
    r.metrics.stolen.fmnist = 'high';
    expect(() => checkRecordShape(r, 'x.json')).toThrow(
      'x.json: field metrics.stolen.fmnist: expected a finite number, found string "high"',
    );
  });
});
