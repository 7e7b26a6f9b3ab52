// The contract between the runner and the module that executes one cell (train/load the victim, start the oracle,
// run the attack, score). The runner loads that module inside a worker process by path, so the executor is
// pluggable: the default is ../cell/execute-cell.ts; tests pass fixture executors.
import type { ProgressReporter } from '../plugin/types.ts';
import type { CellError, CellMetrics, CellSpec, CellState, CellTraffic } from './record.ts';

export interface CellContext {
  /** The cell's key (hash), e.g. to name cache files. */
  key: string;
  /** The cell's seed: derive every random stream from it (benchmark/util/random.ts deriveSeed). */
  seed: number;
  /** Epoch milliseconds after which the runner kills the worker. */
  deadline: number;
  /** The tfjs backend asked for on the command line (`--backend`), e.g. 'wasm'. */
  backend: string;
  /** Content hashes of the victim and plugins the cell uses, keyed `victim:<id>`, `defense:<id>`, `attack:<id>`. */
  pluginHashes: Record<string, string>;
  /** A line for the cell's log file (`<out>/logs/<key>.log`). */
  log(message: string): void;
  /** Progress inside the cell, shown by the terminal reporter and sent as `--json` events. */
  progress: ProgressReporter;
  /** Aborted when the deadline passes. */
  signal: AbortSignal;
  /** The config's `limits.memoryMB`: the attack's process gets this much (runAttackProcess `memoryMB`). */
  memoryMB: number;
}

interface OutcomeFacts {
  /** What went through the oracle (accounts and their roles, images answered), once the oracle was opened. */
  traffic?: CellTraffic;
  /** Extra provenance: the backend actually used, where the data came from, durations of phases in seconds. */
  provenance?: { backend?: string; dataSource?: string; durations?: Record<string, number> };
}

/** A completed cell has metrics; any other state has an error saying what failed, in which phase (tinybench's shape).
 * */
export type CellOutcome =
  | (OutcomeFacts & { state: 'completed'; metrics: CellMetrics })
  | (OutcomeFacts & { state: Exclude<CellState, 'completed'>; error: CellError });

export type ExecuteCell = (cell: CellSpec, ctx: CellContext) => Promise<CellOutcome>;

/** What the runner sends a worker (through IPC). */
export interface WorkerJob {
  executor: string;
  /** The config's `limits.memoryMB` (the worker's heap limit, and the attack process's memory). */
  memoryMB: number;
  key: string;
  cell: CellSpec;
  deadline: number;
  backend: string;
  pluginHashes: Record<string, string>;
}

/** What a worker sends back. */
export type WorkerMessage =
  { type: 'progress'; done: number; total: number; message?: string } | { type: 'result'; outcome: CellOutcome };
