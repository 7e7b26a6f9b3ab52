// Runs one cell in its own worker process and turns whatever happened into a result record.
// The worker gets a wall-clock limit (killed with SIGTERM, then SIGKILL) and a JavaScript heap limit
// (--max-old-space-size). A cell that throws, hangs, exits or runs out of memory becomes a record with state
// 'failed' or 'timed-out' and a reason; nothing is thrown to the caller for those.
import { execaNode, type Message } from 'execa';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { appendFile, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { CellError, CellRecord } from './record.ts';
import type { CellOutcome, WorkerJob, WorkerMessage } from './executor.ts';
import type { PlannedCell } from './grid.ts';
import { recordProblems } from './store.ts';
import { capText, MAX_ERROR_CHARS, MAX_STACK_CHARS } from '../util/cap-text.ts';

const WORKER_PATH = fileURLToPath(new URL('./worker.ts', import.meta.url));
/** tsx's ESM loader, resolved from this file so the worker starts the same from any working directory. */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
// A path, not an import: the runner knows only "execute a cell"; the science lives in benchmark/cell/.
export const DEFAULT_EXECUTOR = fileURLToPath(new URL('../cell/execute-cell.ts', import.meta.url));
/** Time between SIGTERM and SIGKILL for a worker past its deadline. */
const KILL_GRACE_MS = 2000;

export interface CellRunOptions {
  /** Absolute path of the module exporting `executeCell`. */
  executor: string;
  backend: string;
  timeoutSeconds: number;
  memoryMB: number;
  harnessVersion: string;
  /** The run's output folder: the worker's stdout/stderr go to `<outDir>/logs/<key>.log`. */
  outDir: string;
  onProgress?(done: number, total: number, message?: string): void;
}

export function logPath(outDir: string, key: string): string {
  return join(outDir, 'logs', `${key}.log`);
}

/** Runs the cell in a worker and returns its record (not yet written). */
export async function runCell(planned: PlannedCell, options: CellRunOptions): Promise<CellRecord> {
  const startedAt = new Date();
  const log = logPath(options.outDir, planned.key);
  await mkdir(join(options.outDir, 'logs'), { recursive: true });
  await appendFile(log, `=== ${startedAt.toISOString()} cell ${planned.key} (executor ${options.executor})\n`);
  const job: WorkerJob = {
    executor: options.executor,
    memoryMB: options.memoryMB,
    key: planned.key,
    cell: planned.cell,
    deadline: startedAt.getTime() + options.timeoutSeconds * 1000,
    backend: options.backend,
    pluginHashes: planned.pluginHashes,
  };
  const subprocess = execaNode(WORKER_PATH, [], {
    nodeOptions: ['--import', TSX_LOADER, `--max-old-space-size=${options.memoryMB}`],
    ipcInput: job as unknown as Message,
    timeout: options.timeoutSeconds * 1000,
    forceKillAfterDelay: KILL_GRACE_MS,
    reject: false,
    stdin: 'ignore',
    stdout: { file: log, append: true },
    stderr: { file: log, append: true },
  });
  const watchProgress = (async () => {
    for await (const message of subprocess.getEachMessage()) {
      const m = message as unknown as WorkerMessage;
      if (m.type === 'progress') options.onProgress?.(m.done, m.total, m.message);
    }
  })().catch(() => {});
  const result = await subprocess;
  await watchProgress;
  const seconds = (Date.now() - startedAt.getTime()) / 1000;

  const reported = (result.ipcOutput as unknown as WorkerMessage[]).find((m) => m?.type === 'result');
  let outcome: CellOutcome;
  if (reported?.type === 'result') {
    outcome = reported.outcome;
  } else if (result.timedOut) {
    outcome = {
      state: 'timed-out',
      error: { message: `cell exceeded its time limit of ${options.timeoutSeconds} s and was killed`, phase: 'worker' },
    };
  } else {
    outcome = { state: 'failed', error: await deathReason(result, options, log, planned.key) };
  }
  return buildRecord(planned, outcome, options, startedAt, seconds);
}

async function deathReason(
  result: { exitCode?: number; signal?: string; failed: boolean; message?: string },
  options: CellRunOptions,
  log: string,
  key: string,
): Promise<CellError> {
  const tail = await readTail(log, 8192);
  const see = `(see logs/${key}.log)`;
  if (/heap out of memory|Reached heap limit|Allocation failed/i.test(tail)) {
    return {
      message: `worker ran out of memory (JavaScript heap limit ${options.memoryMB} MB) ${see}`,
      phase: 'worker',
    };
  }
  if (result.signal)
    return { message: `worker was killed by ${result.signal} before reporting a result ${see}`, phase: 'worker' };
  if (result.exitCode !== undefined)
    return { message: `worker exited with code ${result.exitCode} before reporting a result ${see}`, phase: 'worker' };
  return { message: `worker could not be started: ${result.message ?? 'unknown reason'}`, phase: 'worker' };
}

async function readTail(file: string, bytes: number): Promise<string> {
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, bytes);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      return buffer.toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return '';
  }
}

/**
 * The record for an outcome. If the outcome breaks the result schema (an executor bug), the record says so as a
 * failure instead of writing bad data.
 */
export function buildRecord(
  planned: PlannedCell,
  outcome: CellOutcome,
  options: Pick<CellRunOptions, 'backend' | 'harnessVersion'>,
  startedAt: Date,
  seconds: number,
): CellRecord {
  const record: CellRecord = {
    schemaVersion: 1,
    key: planned.key,
    cell: planned.cell,
    state: outcome.state,
    provenance: {
      harnessVersion: options.harnessVersion,
      pluginHashes: planned.pluginHashes,
      backend: outcome.provenance?.backend ?? options.backend,
      node: process.version,
      startedAt: startedAt.toISOString(),
      durations: { ...outcome.provenance?.durations, total: seconds },
    },
  };
  if (outcome.provenance?.dataSource !== undefined) record.provenance.dataSource = outcome.provenance.dataSource;
  if (outcome.state === 'completed') record.metrics = outcome.metrics;
  else record.error = cappedError(outcome.error);
  if (outcome.traffic !== undefined) record.traffic = outcome.traffic;
  const problems = recordProblems(record);
  if (problems.length === 0) return record;
  const { metrics: _dropped, ...rest } = record;
  return {
    ...rest,
    state: 'failed',
    error: {
      message: capText(`executor returned an outcome that breaks schemas/result.schema.json: ${problems.join('; ')}`),
      phase: 'record',
    },
  };
}

/**
 * The error as the record keeps it: message and stack capped, whatever the executor passed on. The last guard, so
 * that no plugin's text (a 20 MB error string) can blow up a record, whichever path it took.
 */
function cappedError(error: CellError): CellError {
  const capped: CellError = { ...error, message: capText(error.message || 'no message', MAX_ERROR_CHARS * 2) };
  if (error.stack !== undefined) capped.stack = capText(error.stack, MAX_STACK_CHARS * 2);
  return capped;
}
