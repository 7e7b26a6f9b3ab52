// `stealbench evaluate-victims [--json] [--out file]` (= `npm run bench:victims`): re-measures every shipped or cached
// victim with the leaderboard's linear probe on each downstream task beside the raw-pixel baseline and the random-
// weight baseline of each victim architecture (mean ± sd over --random-inits inits, default 5), reports how far the
// victims being retrained (`next`) are, writes the Markdown table into victims/README.md between its markers, and the
// numbers as JSON (`victims[].accuracy`, `baselines[]`, `margins[]`).
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { initEngine } from '../engine/index.ts';
import { projectRoot } from '../plugin/registry.ts';
import { evaluateVictims, RANDOM_INITS, type VictimsEvaluation } from '../victims/evaluate.ts';
import { renderVictimsTable, spliceTable } from '../victims/table.ts';

interface EvaluateFlags {
  json?: boolean;
  out?: string;
  readme?: boolean;
  train?: boolean;
  only?: string[];
  randomInits?: number;
}

export const VICTIMS_TABLE_COMMAND = 'npm run bench:victims';

export async function evaluateVictimsCommand(
  flags: EvaluateFlags,
  stream: NodeJS.WritableStream = process.stdout,
): Promise<VictimsEvaluation> {
  const engine = await initEngine();
  const log = flags.json ? (m: string) => process.stderr.write(`${m}\n`) : (m: string) => stream.write(`${m}\n`);
  const evaluation = await evaluateVictims({
    backend: engine.backend,
    log,
    ...(flags.train ? { train: true } : {}),
    ...(flags.only ? { only: flags.only } : {}),
    ...(flags.randomInits !== undefined ? { randomInits: flags.randomInits } : {}),
  });
  const block = renderVictimsTable(evaluation, VICTIMS_TABLE_COMMAND);
  const out = flags.out ?? join(projectRoot, 'victims', 'evaluation.json');
  await writeFile(out, `${JSON.stringify(evaluation, null, 2)}\n`);
  if (flags.readme !== false) {
    const readmePath = join(projectRoot, 'victims', 'README.md');
    const readme = existsSync(readmePath) ? await readFile(readmePath, 'utf8') : '# Victims\n';
    await writeFile(readmePath, spliceTable(readme, block));
  }
  if (flags.json) stream.write(`${JSON.stringify(evaluation, null, 2)}\n`);
  else stream.write(`${block}\n\nJSON: ${out}\n`);
  return evaluation;
}

export function register(program: Command): void {
  program
    .command('evaluate-victims')
    .description(
      'linear-probe every shipped/cached victim beside raw-pixel and ' +
        'random-weight baselines (mean ± sd of 5 inits); update ' +
        'victims/README.md',
    )
    .option('--json', 'print the results as JSON (progress goes to stderr)')
    .option('--out <file>', 'where to write the JSON (default victims/evaluation.json)')
    .option('--no-readme', 'do not rewrite the table in victims/README.md')
    .option('--train', 'train victims that are neither shipped nor cached (slow)')
    .option('--only <ids...>', 'evaluate only these victims')
    .option('--random-inits <n>', `random-weight inits per architecture (default ${RANDOM_INITS})`, (v) => Number(v))
    .action(async (flags: EvaluateFlags) => {
      const evaluation = await evaluateVictimsCommand(flags);
      if (evaluation.failures.length > 0) process.exitCode = 1;
    });
}
