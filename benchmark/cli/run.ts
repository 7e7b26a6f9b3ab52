// `stealbench run`: runs the benchmark grid (or one shard of it). Each cell runs in its own worker process with a
// time and memory limit; records go to <out>/results/<key>.json; a rerun skips cells already recorded.
// Exit code: 0 when every cell completed, 1 when some failed or timed out (their records are written), 2 for a bad
// config or shard.
import { type Command, CommanderError, InvalidArgumentError } from 'commander';
import { ConfigError } from '../runner/config.ts';
import { ShardError, resolveShard } from '../runner/shard.ts';
import { exitCodeFor, planRun, runBenchmark } from '../runner/run.ts';
import { IsolationUnavailableError, requireIsolation } from '../oracle/attack-sandbox.ts';
import { createReporter, pickReporterMode } from '../runner/progress.ts';
import { addConfigOptions, chooseConfig, chooseRegistry, parsePositiveInteger } from './run-config.ts';

interface RunFlags {
  config?: string;
  profile?: string;
  registry?: string;
  shard?: string;
  concurrency?: number;
  out?: string;
  json?: boolean;
  retryFailed?: boolean;
  backend: string;
  executor?: string;
}

export function register(program: Command): void {
  const command = program
    .command('run')
    .description('Run the benchmark grid: every cell in its own worker process, one record per cell in <out>/results/')
    .option(
      '--shard <k/n>',
      'run only shard k of n (also read from STEALBENCH_SHARD, ' +
        'JOB_COMPLETION_INDEX + STEALBENCH_SHARD_TOTAL, SLURM_ARRAY_TASK_ID)',
    )
    .option(
      '--concurrency <n>',
      "cells at once (default: the config's limits.concurrency; auto = one per core)",
      (text) => {
        try {
          return parsePositiveInteger(text);
        } catch (error) {
          throw new InvalidArgumentError((error as Error).message);
        }
      },
    )
    .option('--out <dir>', "output folder (default: the config's output, e.g. runs/quick)")
    .option('--json', 'print machine-readable events, one JSON object per line, and a summary')
    .option('--retry-failed', 'rerun cells whose stored record is failed or timed-out')
    .option('--backend <name>', 'TensorFlow.js backend for the cells (wasm, cpu, tensorflow)', 'wasm')
    .option('--executor <module>', 'module exporting executeCell(cell, ctx) (default benchmark/cell/execute-cell.ts)');
  addConfigOptions(command).action(async (flags: RunFlags) => {
    let plan;
    try {
      const { config, source } = chooseConfig(flags);
      const shard = resolveShard(flags.shard);
      const registry = await chooseRegistry(flags.registry);
      // Expanding the grid validates plugin ids and options: a bad config stops here, before anything is written.
      planRun(config, registry, shard, source);
      // The default executor runs attack plugins: without isolation from the harness they do not run (SECURITY.md).
      if (!flags.executor) requireIsolation();
      plan = { config, source, shard, registry };
    } catch (error) {
      if (error instanceof ConfigError || error instanceof ShardError || error instanceof IsolationUnavailableError) {
        command.error(error.message, { exitCode: 2 });
      }
      throw error;
    }
    const reporter = createReporter(pickReporterMode(Boolean(flags.json)));
    const abort = new AbortController();
    const onInterrupt = () => {
      if (abort.signal.aborted) process.exit(130);
      abort.abort();
      process.stderr.write(
        '\ninterrupted: no new cells will start; waiting for the running ones (Ctrl-C again to quit now)\n',
      );
    };
    process.on('SIGINT', onInterrupt);
    try {
      const summary = await runBenchmark({
        config: plan.config,
        registry: plan.registry,
        source: plan.source,
        ...(plan.shard ? { shard: plan.shard } : {}),
        ...(flags.out ? { outDir: flags.out } : {}),
        ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
        ...(flags.executor ? { executor: flags.executor } : {}),
        retryFailed: Boolean(flags.retryFailed),
        backend: flags.backend,
        onEvent: (event) => reporter.onEvent(event),
        signal: abort.signal,
      });
      const code = exitCodeFor(summary);
      if (code !== 0) throw new CommanderError(code, 'stealbench.run.incomplete', 'some cells did not complete');
    } finally {
      reporter.stop();
      process.off('SIGINT', onInterrupt);
    }
  });
}
