// A benchmark run: expand the grid, take this shard's share, skip cells whose record already exists, and run the
// rest in worker processes, a few at a time. Every finished cell is written at once (atomically), so a run killed at
// any point resumes where it stopped. Reporting is left to the caller through events (see progress.ts).
import { resolve } from 'node:path';
import type { CellError, CellRecord, CellSpec, CellState } from './record.ts';
import { resolveConcurrency, type RunConfig } from './config.ts';
import { expandGrid, type PlannedCell } from './grid.ts';
import type { RunnerRegistry } from './registry.ts';
import { selectShard, type Shard } from './shard.ts';
import { readRecord, writeRecord } from './store.ts';
import { DEFAULT_EXECUTOR, runCell } from './run-cell.ts';
import { harnessVersion } from './version.ts';
import { sweepStaleTempDirs } from '../util/temp-dirs.ts';

export interface RunOptions {
  config: RunConfig;
  registry: RunnerRegistry;
  /** Names the config in error messages (its file). */
  source?: string;
  /** Output folder; default: the config's `output`, relative to the working directory. */
  outDir?: string;
  shard?: Shard;
  /** Cells at once; default: the config's `limits.concurrency`. */
  concurrency?: number;
  /** Rerun cells whose stored record is failed or timed-out (by default every stored record is kept). */
  retryFailed?: boolean;
  /** Module exporting `executeCell`; default benchmark/cell/execute-cell.ts. */
  executor?: string;
  /** tfjs backend handed to the executor; default 'wasm'. */
  backend?: string;
  onEvent?(event: RunEvent): void;
  /** Aborting stops new cells from starting; running ones finish. */
  signal?: AbortSignal;
}

export type RunEvent =
  | {
      type: 'start';
      name: string;
      outDir: string;
      total: number;
      cached: number;
      toRun: number;
      concurrency: number;
      shard?: Shard;
    }
  | { type: 'cell-start'; key: string; label: string }
  | { type: 'cell-progress'; key: string; label: string; done: number; total: number; message?: string }
  | { type: 'cell-end'; key: string; label: string; state: CellState; seconds: number; error?: CellError }
  | ({ type: 'summary' } & RunSummary);

export interface RunSummary {
  name: string;
  outDir: string;
  shard?: Shard;
  /** Cells in this shard. */
  total: number;
  /** Cells taken from existing records instead of being run. */
  cached: number;
  /** Cells run now. */
  ran: number;
  completed: number;
  failed: number;
  timedOut: number;
  skipped: number;
  /** Cells not started because the run was aborted. */
  notStarted: number;
  seconds: number;
  cells: { key: string; state: CellState | 'not-started'; cached: boolean }[];
}

/** One line naming a cell for people: victim | defense(options) | attack(options) | budget | pool | seed. */
export function cellLabel(cell: CellSpec): string {
  const withOptions = (ref: { id: string; options: Record<string, unknown> }) =>
    Object.keys(ref.options).length
      ? `${ref.id}(${Object.entries(ref.options)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(',')})`
      : ref.id;
  return (
    `${cell.victim} | ${withOptions(cell.defense)} | ${withOptions(cell.attack)} ` +
    `| budget ${cell.budget} | ${cell.pool} | seed ${cell.seed}`
  );
}

/** Expands the grid and takes the shard's share. Throws ConfigError before any work when the config is bad. */
export function planRun(
  config: RunConfig,
  registry: RunnerRegistry,
  shard?: Shard,
  source?: string,
): { all: PlannedCell[]; mine: PlannedCell[] } {
  const all = expandGrid(config, registry, source);
  return { all, mine: selectShard(all, shard) };
}

export async function runBenchmark(options: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  const { mine } = planRun(options.config, options.registry, options.shard, options.source);
  const outDir = resolve(options.outDir ?? options.config.output);
  const concurrency = Math.max(1, options.concurrency ?? resolveConcurrency(options.config.limits.concurrency));
  const emit = options.onEvent ?? (() => {});
  const version = harnessVersion();
  // Temp folders of workers killed too hard to clean up (SIGKILL of an earlier run) go now; live runs' stay.
  sweepStaleTempDirs();
  // This process writes the records: SIGUSR1 must not open its inspector (attacks cannot reach it, see
  // attack-sandbox.ts; this is the second fence). Removed when the run ends.
  const ignoreUsr1 = () => process.stderr.write('stealbench: ignored SIGUSR1 (the inspector stays closed)\n');
  process.on('SIGUSR1', ignoreUsr1);

  const states = new Map<string, { state: CellState | 'not-started'; cached: boolean }>();
  const toRun: PlannedCell[] = [];
  for (const planned of mine) {
    const stored = await readRecord(outDir, planned.key);
    const rerun =
      !stored ||
      stored.state === 'skipped' ||
      (options.retryFailed && (stored.state === 'failed' || stored.state === 'timed-out'));
    if (rerun) toRun.push(planned);
    else states.set(planned.key, { state: stored.state, cached: true });
  }
  emit({
    type: 'start',
    name: options.config.name,
    outDir,
    total: mine.length,
    cached: mine.length - toRun.length,
    toRun: toRun.length,
    concurrency,
    ...(options.shard ? { shard: options.shard } : {}),
  });

  const cellOptions = {
    executor: resolve(options.executor ?? DEFAULT_EXECUTOR),
    backend: options.backend ?? 'wasm',
    timeoutSeconds: options.config.limits.cellTimeoutSeconds,
    memoryMB: options.config.limits.memoryMB,
    harnessVersion: version,
    outDir,
  };
  let next = 0;
  const lane = async () => {
    while (next < toRun.length && !options.signal?.aborted) {
      const planned = toRun[next++]!;
      const label = cellLabel(planned.cell);
      emit({ type: 'cell-start', key: planned.key, label });
      const record: CellRecord = await runCell(planned, {
        ...cellOptions,
        onProgress: (done, total, message) =>
          emit({
            type: 'cell-progress',
            key: planned.key,
            label,
            done,
            total,
            ...(message === undefined ? {} : { message }),
          }),
      });
      await writeRecord(outDir, record);
      states.set(planned.key, { state: record.state, cached: false });
      emit({
        type: 'cell-end',
        key: planned.key,
        label,
        state: record.state,
        seconds: record.provenance.durations.total ?? 0,
        ...(record.error ? { error: record.error } : {}),
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, toRun.length) }, lane)).finally(() =>
    process.off('SIGUSR1', ignoreUsr1),
  );

  const cells = mine.map((planned) => ({
    key: planned.key,
    ...(states.get(planned.key) ?? { state: 'not-started' as const, cached: false }),
  }));
  const count = (state: string) => cells.filter((cell) => cell.state === state).length;
  const summary: RunSummary = {
    name: options.config.name,
    outDir,
    ...(options.shard ? { shard: options.shard } : {}),
    total: mine.length,
    cached: cells.filter((cell) => cell.cached).length,
    ran: cells.filter((cell) => !cell.cached && cell.state !== 'not-started').length,
    completed: count('completed'),
    failed: count('failed'),
    timedOut: count('timed-out'),
    skipped: count('skipped'),
    notStarted: count('not-started'),
    seconds: (Date.now() - started) / 1000,
    cells,
  };
  emit({ type: 'summary', ...summary });
  return summary;
}

/** 0 when every cell of the shard completed, 1 otherwise (records are written either way). */
export function exitCodeFor(summary: RunSummary): number {
  return summary.completed === summary.total ? 0 : 1;
}
