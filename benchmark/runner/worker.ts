// The worker process: runs exactly one cell and reports its outcome to the runner over IPC.
// Started by run-cell.ts (execa, `ipc: true`) with `node --import <tsx loader> --max-old-space-size=<limit> worker.ts`.
// The job arrives as
// the first IPC message. Anything the executor prints goes to the cell's log file. If the runner dies (killed), the
// IPC channel closes and the worker exits instead of running on as an orphan.
// The worker holds the victim, so it is a target: an attack's process cannot reach it (attack-sandbox.ts), and as a
// second fence SIGUSR1 (which would open Node's inspector on 127.0.0.1:9229) is caught here and ignored (measured:
// with a listener, Node 20 no longer starts the inspector). Every way out of this process goes through
// `process.exit`, whose hooks kill the attack's process group and remove the cell's temp folders.
import { pathToFileURL } from 'node:url';
import type { CellOutcome, ExecuteCell, WorkerJob, WorkerMessage } from './executor.ts';

process.on('SIGUSR1', () => process.stderr.write('worker: ignored SIGUSR1 (the inspector stays closed)\n'));
// A terminating signal ends the worker through exit hooks (a default signal death would skip them), then re-raises
// it, so the runner still sees the worker killed by that signal.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.once(signal, () => {
    process.emit('exit', 128);
    process.kill(process.pid, signal);
  });
}
const onDisconnect = () => process.exit(70);
process.on('disconnect', onDisconnect);

// Plain Node IPC (the runner's execa sends the job as an ordinary message): importing execa here would add most of
// a second to every cell's start.
const job = await new Promise<WorkerJob>((resolve) =>
  process.once('message', (message) => resolve(message as WorkerJob)),
);
const controller = new AbortController();
const timer = setTimeout(
  () => controller.abort(new Error('cell deadline passed')),
  Math.max(0, job.deadline - Date.now()),
);
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
  const module = (await import(pathToFileURL(job.executor).href)) as {
    executeCell?: ExecuteCell;
    default?: { executeCell?: ExecuteCell };
  };
  const executeCell = module.executeCell ?? module.default?.executeCell;
  if (typeof executeCell !== 'function')
    throw Object.assign(new Error(`${job.executor} does not export a function executeCell`), { phase: 'worker' });
  outcome = await executeCell(job.cell, {
    key: job.key,
    seed: job.cell.seed,
    deadline: job.deadline,
    backend: job.backend,
    pluginHashes: job.pluginHashes,
    signal: controller.signal,
    memoryMB: job.memoryMB,
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
  await send({
    type: 'result',
    outcome: errorOutcome(
      new Error(`executor returned an outcome that cannot be sent to the runner: ${(error as Error).message}`),
      'worker',
    ),
  });
}
process.off('disconnect', onDisconnect);
// Exit even if the executor left timers or handles behind.
process.exit(0);
