// Entry point of the `stealbench` CLI: one sub-command per job, each in its own file.
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { register as registerLeaderboard } from './leaderboard.ts';
import { register as registerClaims } from './claims.ts';
import { register as registerList } from './list.ts';
import { register as registerVerifyPlugin } from './verify-plugin.ts';
import { register as registerBenchEngine } from './bench-engine.ts';
import { register as registerBenchCell } from './bench-cell.ts';
import { register as registerRun } from './run.ts';
import { register as registerMerge } from './merge.ts';
import { register as registerTrainVictim } from './train-victim.ts';
import { register as registerEvaluateVictims } from './evaluate-victims.ts';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export async function main(argv: string[]): Promise<number> {
  const program = new Command('stealbench')
    .description('Benchmark model-extraction attacks and defenses for self-supervised image encoders')
    .version(version)
    .exitOverride();
  // Sub-commands register themselves here as they are built.
  registerRun(program);
  registerMerge(program);
  registerLeaderboard(program);
  registerClaims(program);
  registerList(program);
  registerVerifyPlugin(program);
  registerBenchEngine(program);
  registerBenchCell(program);
  registerTrainVictim(program);
  registerEvaluateVictims(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    console.error(error instanceof Error ? error.message : error);
    return 1;
  }
}
