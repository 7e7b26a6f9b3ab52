// End to end through the real CLI: the `smoke` profile on the shipped data and victim (real training, real probes),
// then a rerun that must redo nothing, the same cell run again elsewhere that must give the same record, and the
// leaderboard rendered from the records.
import { describe, expect, it, beforeAll } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CellRecord } from '../benchmark/runner/record.ts';
import { withoutTiming } from '../benchmark/runner/merge.ts';

const bin = fileURLToPath(new URL('../benchmark/cli/bin.mjs', import.meta.url));
const cli = (args: string[]) => execa('node', [bin, ...args], { reject: false, env: { STEALBENCH_BACKEND: 'wasm' } });
const records = (dir: string): CellRecord[] =>
  readdirSync(join(dir, 'results'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, 'results', f), 'utf8')) as CellRecord);

describe('stealbench run --profile smoke (end to end)', () => {
  const out = mkdtempSync(join(tmpdir(), 'stealbench-smoke-'));
  let first: Awaited<ReturnType<typeof cli>>;

  beforeAll(async () => {
    first = await cli(['run', '--profile', 'smoke', '--out', out, '--json']);
  }, 900_000);

  it('completes every cell with real, scored results', () => {
    expect(first.exitCode, first.stderr + first.stdout).toBe(0);
    const all = records(out);
    expect(all.length).toBe(2);
    for (const record of all) {
      expect(record.state, JSON.stringify(record.error)).toBe('completed');
      const m = record.metrics!;
      // Ten Fashion-MNIST classes (the smoke-sized task fmnist-small): chance is 0.1; a trained victim and a stolen
      // copy are far above it.
      expect(m.victim['fmnist-small']).toBeGreaterThan(0.7);
      expect(m.stolen['fmnist-small']).toBeGreaterThan(0.4);
      expect(m.stolen['fmnist-small']).toBeLessThanOrEqual(1);
      expect(m.cost.queries).toBe(256);
      expect(m.fidelity!.cka).toBeGreaterThan(0);
      expect(m.legitimate!.undefended['fmnist-small']).toBeGreaterThan(0.5);
    }
    const none = all.find((r) => r.cell.defense.id === 'none')!;
    expect(none.metrics!.legitimate!.defended['fmnist-small']).toBe(
      none.metrics!.legitimate!.undefended['fmnist-small'],
    );
  });

  it('redoes nothing when rerun', async () => {
    const before = records(out).map((r) => JSON.stringify(r));
    const again = await cli(['run', '--profile', 'smoke', '--out', out, '--json']);
    expect(again.exitCode, again.stderr + again.stdout).toBe(0);
    const summary = JSON.parse(again.stdout.trim().split('\n').at(-1)!) as { cached: number; ran: number };
    expect(summary).toMatchObject({ cached: 2, ran: 0 });
    expect(records(out).map((r) => JSON.stringify(r))).toEqual(before);
  }, 300_000);

  it('gives the same record when the same cell runs again in another folder', async () => {
    const none = records(out).find((r) => r.cell.defense.id === 'none')!;
    const profile = JSON.parse(
      readFileSync(fileURLToPath(new URL('../benchmark/profiles/smoke.json', import.meta.url)), 'utf8'),
    );
    const configFile = join(mkdtempSync(join(tmpdir(), 'stealbench-cfg-')), 'one-cell.json');
    writeFileSync(
      configFile,
      JSON.stringify({ ...profile, $schema: undefined, name: 'one-cell', defenses: [{ id: 'none' }] }),
    );
    const elsewhere = mkdtempSync(join(tmpdir(), 'stealbench-again-'));
    const rerun = await cli(['run', '--config', configFile, '--out', elsewhere]);
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    const [again] = records(elsewhere);
    expect(again!.key).toBe(none.key);
    expect(withoutTiming(again!)).toEqual(withoutTiming(none));
  }, 600_000);

  it('renders the leaderboard from the records', async () => {
    const board = mkdtempSync(join(tmpdir(), 'stealbench-board-'));
    const rendered = await cli(['leaderboard', '--results', out, '--out', board]);
    expect(rendered.exitCode, rendered.stderr).toBe(0);
    const markdown = readFileSync(join(board, 'LEADERBOARD.md'), 'utf8');
    expect(markdown).toContain('direct-extraction');
    expect(markdown).toContain('gaussian-noise');
    expect(markdown).not.toMatch(/NaN|undefined/);
  }, 120_000);
});
