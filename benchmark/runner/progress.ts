// How a run reports itself: a live bar on a terminal (cli-progress: cells done, running, failed, time left),
// plain lines when the output is a file or a pipe (CI logs), or one JSON object per line for machines (--json).
import cliProgress from 'cli-progress';
import type { RunEvent } from './run.ts';

export type ReporterMode = 'tty' | 'plain' | 'json';

export interface Reporter {
  onEvent(event: RunEvent): void;
  stop(): void;
}

export function pickReporterMode(json: boolean, stream: NodeJS.WriteStream = process.stdout): ReporterMode {
  return json ? 'json' : stream.isTTY ? 'tty' : 'plain';
}

export function createReporter(mode: ReporterMode, stream: NodeJS.WritableStream = process.stdout): Reporter {
  if (mode === 'json') return jsonReporter(stream);
  if (mode === 'tty') return ttyReporter(stream as NodeJS.WriteStream);
  return plainReporter(stream);
}

function jsonReporter(stream: NodeJS.WritableStream): Reporter {
  return {
    onEvent: (event) => {
      const { type, ...rest } = event;
      stream.write(`${JSON.stringify({ event: type, ...rest })}\n`);
    },
    stop: () => {},
  };
}

function startLine(event: Extract<RunEvent, { type: 'start' }>): string {
  const shard = event.shard ? ` (shard ${event.shard.index}/${event.shard.count})` : '';
  return (
    `stealbench run ${event.name}: ${event.total} cells${shard}, ${event.cached} ` +
    `already recorded, ${event.toRun} to run, ${event.concurrency} at a ` +
    `time -> ${event.outDir}`
  );
}

export function summaryLine(event: Extract<RunEvent, { type: 'summary' }>): string {
  const parts = [`${event.completed} completed`, `${event.failed} failed`, `${event.timedOut} timed out`];
  if (event.skipped) parts.push(`${event.skipped} skipped`);
  if (event.notStarted) parts.push(`${event.notStarted} not started`);
  return (
    `done in ${event.seconds.toFixed(1)} s: ${event.total} cells (${event.ran} ` +
    `run, ${event.cached} from earlier records): ${parts.join(', ')}`
  );
}

function endLine(event: Extract<RunEvent, { type: 'cell-end' }>, done: number, toRun: number): string {
  const reason = event.error ? `: ${event.error.phase}: ${event.error.message.split('\n')[0]}` : '';
  return (
    `[${done}/${toRun}] ${event.state.padEnd(9)} ${event.seconds.toFixed(1).padStart(6)} ` +
    `s  ${event.label}${reason}`
  );
}

function plainReporter(stream: NodeJS.WritableStream): Reporter {
  let toRun = 0;
  let done = 0;
  return {
    onEvent: (event) => {
      if (event.type === 'start') {
        toRun = event.toRun;
        stream.write(`${startLine(event)}\n`);
      } else if (event.type === 'cell-end') {
        done++;
        stream.write(`${endLine(event, done, toRun)}\n`);
      } else if (event.type === 'summary') {
        stream.write(`${summaryLine(event)}\n`);
      }
    },
    stop: () => {},
  };
}

function ttyReporter(stream: NodeJS.WriteStream): Reporter {
  const multibar = new cliProgress.MultiBar(
    {
      stream,
      format: 'cells {bar} {value}/{total} | running {running} | failed {failed} | ETA {eta_formatted} | {current}',
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
      // Long cells: keep the ETA moving between completions.
      etaAsynchronousUpdate: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | undefined;
  let toRun = 0;
  let done = 0;
  let running = 0;
  let failed = 0;
  let current = '';
  return {
    onEvent: (event) => {
      switch (event.type) {
        case 'start':
          toRun = event.toRun;
          multibar.log(`${startLine(event)}\n`);
          bar = multibar.create(event.toRun, 0, { running, failed, current });
          break;
        case 'cell-start':
          running++;
          current = event.label;
          bar?.update({ running, current });
          break;
        case 'cell-progress':
          current = `${event.label} ${event.done}/${event.total}${event.message ? ` ${event.message}` : ''}`;
          bar?.update({ current });
          break;
        case 'cell-end':
          running--;
          done++;
          if (event.state !== 'completed') {
            failed++;
            multibar.log(`${endLine(event, done, toRun)}\n`);
          }
          bar?.update(done, { running, failed });
          break;
        case 'summary':
          bar?.update({ current: '' });
          multibar.stop();
          stream.write(`${summaryLine(event)}\n`);
          break;
      }
    },
    stop: () => multibar.stop(),
  };
}
