// The worker process: runs exactly one cell and reports its outcome to the runner over IPC.
// Started by run-cell.ts (execa, `ipc: true`) with `node --import <tsx loader> --max-old-space-size=<limit> worker.ts`. The job arrives as
// the first IPC message. Anything the executor prints goes to the cell's log file. If the runner dies (killed), the
// IPC channel closes and the worker exits instead of running on as an orphan.
import { pathToFileURL } from 'node:url';
import type { CellOutcome, ExecuteCell, WorkerJob, WorkerMessage } from './executor.ts';

const onDisconnect = () => process.exit(70);
process.on('disconnect', onDisconnect);

// Plain Node IPC (the runner's execa sends the job as an ordinary message): importing execa here would add most of
// a second to every cell's start.
const job = await new Promise<WorkerJob>((resolve) => process.once('message', (message) => resolve(message as WorkerJob)));
const controller = new AbortController();
const timer = setTimeout(() => controller.abort(new Error('cell deadline passed')), Math.max(0, job.deadline - Date.now()));
timer.unref();

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('the worker was started without an IPC channel'));
    process.send(message, undefined, {}, (error) => (error ? reject(error) : resolve()));
  });
}

function errorOutcome(error: unknown, fallbackPhase: string): CellOutcome {
  const err = error as { message?: unknown; phase?: unknown; plugin?: unknown; stack?: unknown };
  const outcome: CellOutcome = {
    state: 'failed',
    error: {
      message: typeof err?.message === 'string' && err.message ? err.message : String(error),
      phase: typeof err?.phase === 'string' ? err.phase : fallbackPhase,
    },
  };
  if (typeof err?.plugin === 'string') outcome.error!.plugin = err.plugin;
  if (typeof err?.stack === 'string') outcome.error!.stack = err.stack;
  return outcome;
}

let outcome: CellOutcome;
try {
  const module = (await import(pathToFileURL(job.executor).href)) as { executeCell?: ExecuteCell; default?: { executeCell?: ExecuteCell } };
  const executeCell = module.executeCell ?? module.default?.executeCell;
  if (typeof executeCell !== 'function') throw Object.assign(new Error(`${job.executor} does not export a function executeCell`), { phase: 'worker' });
  outcome = await executeCell(job.cell, {
    key: job.key,
    seed: job.cell.seed,
    deadline: job.deadline,
    backend: job.backend,
    pluginHashes: job.pluginHashes,
    signal: controller.signal,
    log: (message) => process.stderr.write(`${message}\n`),
    progress: (done, total, message) => {
      send({ type: 'progress', done, total, ...(message === undefined ? {} : { message }) }).catch(() => {});
    },
  });
} catch (error) {
  outcome = errorOutcome(error, 'executor');
}

try {
  await send({ type: 'result', outcome });
} catch (error) {
  // The outcome could not be sent as it is (e.g. it holds something that is not plain data).
  await send({ type: 'result', outcome: errorOutcome(new Error(`executor returned an outcome that cannot be sent to the runner: ${(error as Error).message}`), 'worker') });
}
process.off('disconnect', onDisconnect);
// Exit even if the executor left timers or handles behind.
process.exit(0);
