// The table renderer: rows from the configs, means over seeds from hand-made records, failed cells by their state,
// missing cells as "—", table 4's comparison sentence, and the README section replacement. The configs themselves
// must pass the runner's schema and name only registered plugins and valid options.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CellRecord } from '../../benchmark/testkit/index.ts';
import { command, renderTable, renderTables, tableSpecs } from './render.ts';

function record(
  attack: string,
  options: Record<string, unknown>,
  budget: number,
  seed: number,
  stolen: Record<string, number> | null,
): CellRecord {
  const cell = {
    victim: 'simclr-fmnist',
    defense: { id: 'none', options: {} },
    attack: { id: attack, options },
    budget,
    pool: 'fmnist/attacker-pool-20k',
    seed,
    downstream: ['fmnist', 'digits'],
    output: 'representation' as const,
  };
  const provenance = {
    harnessVersion: '0',
    backend: 'wasm',
    node: 'v20',
    startedAt: '2025-01-01T00:00:00Z',
    pluginHashes: {},
  } as unknown as CellRecord['provenance'];
  return stolen
    ? {
        schemaVersion: 1,
        key: `${attack}${budget}${seed}`,
        cell,
        state: 'completed',
        provenance,
        metrics: {
          stolen,
          victim: { fmnist: 0.8, digits: 0.7 },
          cost: { queries: budget, attackSeconds: 1 },
          fidelity: { cka: 0.5 },
        },
      }
    : {
        schemaVersion: 1,
        key: `${attack}${budget}${seed}f`,
        cell,
        state: 'failed',
        provenance,
        error: { message: 'boom', phase: 'attack' },
      };
}

describe('render', () => {
  const [table2, table4] = tableSpecs();

  it('table 2: one row per loss, means over seeds, failed and missing cells marked', () => {
    const records = [
      record('direct-extraction', { loss: 'mse', epochs: 5 }, 1000, 0, { fmnist: 0.6, digits: 0.5 }),
      record('direct-extraction', { loss: 'mse', epochs: 5 }, 1000, 1, { fmnist: 0.7, digits: 0.4 }),
      record('direct-extraction', { loss: 'infonce' }, 4000, 0, null),
    ];
    const text = renderTable(table2!, records, 'CMD');
    const lines = text.split('\n');
    const mse = lines.find((l) => l.startsWith('| MSE'))!;
    // mean of 0.6 and 0.7 = 65.0; sd 0.0707, se 0.05, t(0.975, 1 df) = 12.706 → half-width 0.635 = 63.5 points.
    expect(mse).toContain('65.0 ± 63.5');
    expect(mse).toContain('45.0 ± 63.5');
    const infonce = lines.find((l) => l.startsWith('| InfoNCE'))!;
    expect(infonce).toContain('failed');
    expect(infonce).toContain('—');
    expect(lines.find((l) => l.startsWith('| Victim'))).toContain('80.0');
    expect(lines.filter((l) => l.startsWith('| ') && !/^\| :?-/.test(l)).length).toBe(2 + 7); // header, victim, 7 losses
    expect(text).toContain('Produced by: CMD');
  });

  it('keeps one variant per row: another protocol of the same loss (more steps, two views) is not averaged in', () => {
    const records = [
      record('direct-extraction', { loss: 'mse', steps: 310 }, 1000, 0, { fmnist: 0.6, digits: 0.5 }),
      record('direct-extraction', { loss: 'mse', steps: 310 }, 4000, 0, { fmnist: 0.7, digits: 0.5 }),
      // The epochs-fixed protocol's cell at 1,000 queries: another variant, fewer records.
      record('direct-extraction', { loss: 'mse', steps: 78 }, 1000, 0, { fmnist: 0.2, digits: 0.1 }),
    ];
    const mse = renderTable(table2!, records, 'CMD')
      .split('\n')
      .find((l) => l.startsWith('| MSE'))!;
    expect(mse).toContain('60.0');
    expect(mse).not.toContain('40.0'); // the mean of 0.6 and 0.2
  });

  it('table 4: compares representations with the strongest label row, paired by seed, with ties', () => {
    const cells = (attack: string, options: Record<string, unknown>, b: number, values: [number, number][]) =>
      values.map(([fmnist, digits], seed) => record(attack, options, b, seed, { fmnist, digits }));
    const records = [
      // 1,000: InfoNCE − fine-tune = +0.05 on each seed (no spread) → ahead; digits: +0.01, −0.01 → tie.
      ...cells('direct-extraction', { loss: 'infonce' }, 1000, [
        [0.75, 0.61],
        [0.76, 0.6],
      ]),
      ...cells('label-stealing', { fineTune: true }, 1000, [
        [0.7, 0.6],
        [0.71, 0.61],
      ]),
      ...cells('label-stealing', { fineTune: false }, 1000, [
        [0.5, 0.3],
        [0.5, 0.3],
      ]),
      // 4,000: labels ahead by 0.05 on fmnist; no-fine-tune row missing.
      ...cells('direct-extraction', { loss: 'infonce' }, 4000, [
        [0.6, 0.9],
        [0.61, 0.9],
      ]),
      ...cells('label-stealing', { fineTune: true }, 4000, [
        [0.65, 0.8],
        [0.66, 0.8],
      ]),
    ];
    const text = renderTable(table4!, records, 'CMD');
    expect(text).toContain(
      '1,000 queries, fmnist: SSL stealing (InfoNCE) − SL fine-tune, the strongest label row = 5.0 ± 0.0 points ' +
        '(paired, 2 seeds): representations ahead, as in the paper.',
    );
    // Differences +0.01 and −0.01: mean 0, sd 0.01414, t(0.975, 1) = 12.706 → ± 12.7 points.
    expect(text).toContain(
      '1,000 queries, digits: SSL stealing (InfoNCE) − SL fine-tune, the strongest label row = 0.0 ± 12.7 points ' +
        '(paired, 2 seeds): a tie.',
    );
    expect(text).toContain(
      '4,000 queries, fmnist: SSL stealing (InfoNCE) − SL fine-tune, the strongest label row = -5.0 ± 0.0 points ' +
        '(paired, 2 seeds): labels ahead — NOT as in the paper (SL no fine-tune: not measured).',
    );
  });

  it('counts only the latest record of a cell that was run twice', () => {
    const old = record('direct-extraction', { loss: 'mse' }, 1000, 0, { fmnist: 0.1, digits: 0.1 });
    const fresh = record('direct-extraction', { loss: 'mse' }, 1000, 0, { fmnist: 0.6, digits: 0.5 });
    fresh.key = 'other';
    fresh.provenance = { ...fresh.provenance, startedAt: '2025-02-01T00:00:00Z' };
    const mse = renderTable(table2!, [fresh, old], 'CMD')
      .split('\n')
      .find((l) => l.startsWith('| MSE'))!;
    expect(mse).toMatch(/\|\s+60\.0\s+\|\s+50\.0\s+\|/);
  });

  it('splices every table between its own markers and names the missing ones', () => {
    const empty = mkdtempSync(join(tmpdir(), 'attack-tables-'));
    mkdirSync(join(empty, 'results'));
    try {
      const text = tableSpecs()
        .map((spec) => `<!-- ${spec.name}:start -->\nold\n<!-- ${spec.name}:end -->`)
        .join('\nprose\n');
      const result = renderTables(empty, { file: 'README.md', text });
      expect(result.tables).toHaveLength(3);
      expect(result.text).not.toContain('old');
      expect(result.text!.split('prose')).toHaveLength(3);
      expect(() => renderTables(empty, { file: 'README.md', text: 'nothing' })).toThrow(
        /README\.md: markers <!-- table2-losses:start -->/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('has one argument parser whose --help is true to its options', () => {
    const help = command.helpInformation();
    expect(help).toContain('--runs <folders>');
    expect(help).toContain('--write <file>');
  });
});

describe('experiment configs', () => {
  it('pass the runner schema and expand into cells of registered plugins with valid options', async () => {
    const { loadConfigFile } = await import('../../benchmark/runner/config.ts');
    const { expandGrid } = await import('../../benchmark/runner/grid.ts');
    const { loadDefaultRegistry } = await import('../../benchmark/runner/registry.ts');
    const registry = await loadDefaultRegistry();
    const counts: Record<string, number> = {};
    for (const name of ['table2-losses', 'table4-labels', 'table1-methods']) {
      const file = new URL(`./${name}.json`, import.meta.url).pathname;
      counts[name] = expandGrid(loadConfigFile(file), registry, file).length;
    }
    // 7 losses × 2 budgets, 3 attacks × 2 budgets, 5 methods × 1 budget; 5 seeds each.
    expect(counts).toEqual({ 'table2-losses': 70, 'table4-labels': 30, 'table1-methods': 25 });
  }, 60_000);
});

describe('timing.ts', () => {
  it('imports without running, names every timed attack by a registered id, and takes ids as arguments', async () => {
    const { TIMED, command } = await import('./timing.ts');
    const { readdirSync } = await import('node:fs');
    const folders = new Set(readdirSync(new URL('..', import.meta.url)));
    for (const [id] of TIMED) expect(folders.has(id), id).toBe(true);
    expect(command.helpInformation()).toContain('[attack-ids...]');
  });
});
