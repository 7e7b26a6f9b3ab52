// `stealbench bench-cell` (npm run bench:cell): runs the standard cell (direct extraction with InfoNCE, no defense,
// 4,000 queries, the profile's first victim, pool, seed and downstream tasks) once in this process and prints where
// its time went, phase by phase, so that a regression in any phase shows. `--budget` runs it small; `--cold` empties
// the caches first (a temporary STEALBENCH_CACHE_DIR), which is what the first cell of a victim pays.
import type { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { markdownTable } from 'markdown-table';
import { loadProfile, DEFAULT_PROFILE } from '../runner/config.ts';
import { expandGrid } from '../runner/grid.ts';
import { loadDefaultRegistry } from '../runner/registry.ts';
import { CACHE_DIR_ENV, cacheRoot } from '../scoring/cache.ts';
import { parsePositiveInteger } from './run-config.ts';

/** The phases execute-cell records in `provenance.durations`, in the order they run. */
const PHASES = ['victim', 'attack', 'legitimate', 'scoring', 'ownership'] as const;

interface BenchCellOptions {
  profile: string;
  budget: number;
  attack: string;
  loss: string;
  cold: boolean;
  backend: string;
  json: boolean;
  verbose: boolean;
}

export function register(program: Command): void {
  program
    .command('bench-cell')
    .description('Time one standard cell (direct extraction, no defense, 4,000 queries) phase by phase')
    .option('--profile <name>', 'profile whose victim, pool, seed, tasks and limits the cell uses', DEFAULT_PROFILE)
    .option(
      '--budget <n>',
      'queries (4,000 for the standard cell; smaller to try it quickly)',
      parsePositiveInteger,
      4000,
    )
    .option('--attack <id>', 'attack plugin', 'direct-extraction')
    .option('--loss <name>', "the attack's loss option", 'infonce')
    .option('--cold', 'start from empty caches (a temporary STEALBENCH_CACHE_DIR)', false)
    .option('--backend <name>', 'tfjs backend', 'auto')
    .option('--json', 'print the durations as JSON', false)
    .option('--verbose', "print the cell's log lines", false)
    .action(async (opts: BenchCellOptions) => {
      process.exitCode = await benchCell(opts);
    });
}

async function benchCell(opts: BenchCellOptions): Promise<number> {
  const profile = loadProfile(opts.profile);
  const config = {
    ...profile,
    victims: [profile.victims[0]!],
    defenses: [{ id: 'none' }],
    attacks: [{ id: opts.attack, options: [{ loss: opts.loss }] }],
    budgets: [opts.budget],
    pools: [profile.pools[0]!],
    seeds: [profile.seeds[0]!],
    grids: undefined,
  };
  const registry = await loadDefaultRegistry();
  const [planned] = expandGrid(config, registry, `bench-cell (${opts.profile})`);
  if (!planned) throw new Error('bench-cell: the profile gives no cell');
  let coldDir: string | undefined;
  if (opts.cold) {
    coldDir = mkdtempSync(join(tmpdir(), 'stealbench-cold-cache-'));
    process.env[CACHE_DIR_ENV] = coldDir;
  }
  const cache = cacheRoot();
  // Imported after the cache root is set, and only here: it loads tfjs and the engine.
  const { executeCell } = await import('../cell/execute-cell.ts');
  const controller = new AbortController();
  const timeout = profile.limits.cellTimeoutSeconds;
  const timer = setTimeout(() => controller.abort(), timeout * 1000);
  const started = performance.now();
  try {
    const outcome = await executeCell(planned.cell, {
      key: planned.key,
      seed: planned.cell.seed,
      deadline: Date.now() + timeout * 1000,
      backend: opts.backend,
      pluginHashes: planned.pluginHashes,
      memoryMB: profile.limits.memoryMB,
      signal: controller.signal,
      log: (message) => {
        if (opts.verbose) console.error(message);
      },
      progress: () => {},
    });
    const wall = (performance.now() - started) / 1000;
    const durations = outcome.provenance?.durations ?? {};
    const total = durations.total ?? wall;
    const accounted = PHASES.reduce((sum, phase) => sum + (durations[phase] ?? 0), 0);
    const rows: [string, number][] = PHASES.filter((phase) => durations[phase] !== undefined).map((phase) => [
      phase,
      durations[phase]!,
    ]);
    rows.push(['other (engine, registry, oracle setup, data)', Math.max(0, total - accounted)]);
    const c = planned.cell;
    const header =
      `${c.victim} / ${c.defense.id} / ${c.attack.id} ${JSON.stringify(c.attack.options)} / ${c.budget} queries / ` +
      (`seed ${c.seed} / tasks ${c.downstream.join(', ')}; caches ${opts.cold ? 'cold' : 'as found'} ` +
        `(${cache}); state ${outcome.state}`);
    if (opts.json) {
      console.log(
        JSON.stringify(
          { cell: c, state: outcome.state, durations, wallSeconds: wall, cache, cold: opts.cold },
          null,
          2,
        ),
      );
    } else {
      console.log(header);
      console.log(
        markdownTable(
          [
            ['phase', 'seconds', 'share'],
            ...rows.map(([phase, s]) => [phase, s.toFixed(1), `${((100 * s) / total).toFixed(1)}%`]),
            ['total', total.toFixed(1), '100%'],
          ],
          { align: ['l', 'r', 'r'] },
        ),
      );
    }
    if (outcome.state !== 'completed') {
      console.error(`the cell did not complete: ${outcome.error?.phase}: ${outcome.error?.message}`);
      return 1;
    }
    return 0;
  } finally {
    clearTimeout(timer);
    if (coldDir) rmSync(coldDir, { recursive: true, force: true });
  }
}
