// `stealbench bench-engine`: times a training step of the reference encoder on each available backend (see
// benchmark/engine/bench/engine-bench.ts), prints a table and writes the JSON report.
import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { runEngineBench, type EngineBenchOptions } from '../engine/bench/engine-bench.ts';
import { renderEngineBench } from '../engine/bench/render.ts';

const SKIPPABLE = ['stock', 'cpu', 'torch', 'encoders', 'tensorflow'] as const;

function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag}: expected a positive integer, found '${value}'`);
    return n;
  };
}

export function register(program: Command): void {
  program
    .command('bench-engine')
    .description(
      'Training-step time of the reference encoder on each backend (wasm with/without our kernels, cpu, PyTorch)',
    )
    .option('--out <file>', 'JSON report path', 'leaderboard/engine-bench.json')
    .option('--batch <n>', 'batch size', positiveInt('--batch'), 128)
    .option('--cpu-batch <n>', 'batch for the (slow) cpu backend, scaled to --batch', positiveInt('--cpu-batch'), 8)
    .option('--time <ms>', 'tinybench time budget per fast case', positiveInt('--time'), 3000)
    .option('--skip <list>', `comma-separated cases to skip: ${SKIPPABLE.join(', ')}`, '')
    .option(
      '--profile <steps>',
      'also profile our training step kernel by kernel (tf.profile), keeping the least of <steps> steps',
      positiveInt('--profile'),
    )
    .action(
      async (opts: { out: string; batch: number; cpuBatch: number; time: number; skip: string; profile?: number }) => {
        const skip = new Set<EngineBenchOptions['skip'] extends Set<infer T> ? T : never>();
        for (const item of opts.skip
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)) {
          if (!(SKIPPABLE as readonly string[]).includes(item))
            throw new Error(`--skip: unknown case '${item}'; expected some of ${SKIPPABLE.join(', ')}`);
          skip.add(item as (typeof SKIPPABLE)[number]);
        }
        const report = await runEngineBench({
          batch: opts.batch,
          cpuBatch: opts.cpuBatch,
          timeMs: opts.time,
          skip,
          profile: opts.profile,
          log: (line) => console.error(line),
        });
        console.log(renderEngineBench(report));
        mkdirSync(dirname(opts.out), { recursive: true });
        writeFileSync(opts.out, `${JSON.stringify(report, null, 2)}\n`);
        console.log(`\nwrote ${opts.out}`);
      },
    );
}
