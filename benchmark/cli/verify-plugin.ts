// `stealbench verify-plugin <folder>`: the contributor kit's contract checks on one plugin folder, outside vitest —
// folder files, shape, options, and (attacks, defenses) runs on the tiny victim with a tiny budget — printed as a
// pass/fail list as they finish. Exit code 1 when any check fails.
import { CommanderError, InvalidArgumentError, type Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { BACKEND_CHOICES, type BackendChoice } from '../engine/index.ts';
import { formatCheckResult, verifyPluginFolder, type VerifyOptions } from '../testkit/run.ts';
import type { PluginKind } from '../plugin/types.ts';

interface CliOptions {
  options?: Record<string, unknown>;
  budget?: number;
  backend: BackendChoice;
  kind?: PluginKind;
  json?: boolean;
}

function parseJsonOptions(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`--options must be a JSON object, e.g. '{"epochs":1}': ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new InvalidArgumentError(`--options must be a JSON object, found ${JSON.stringify(value)}`);
  return value as Record<string, unknown>;
}

function parseBudget(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`--budget must be a positive integer, found '${text}'`);
  return n;
}

function parseBackend(text: string): BackendChoice {
  if (!(BACKEND_CHOICES as readonly string[]).includes(text))
    throw new InvalidArgumentError(`--backend must be one of ${BACKEND_CHOICES.join(', ')}, found '${text}'`);
  return text as BackendChoice;
}

function parseKind(text: string): PluginKind {
  if (text !== 'attack' && text !== 'defense' && text !== 'victim')
    throw new InvalidArgumentError(`--kind must be attack, defense or victim, found '${text}'`);
  return text;
}

export function register(program: Command): void {
  program
    .command('verify-plugin')
    .description('run the plugin contract checks (the test kit) on one plugin folder, on a tiny victim and budget')
    .argument('<folder>', 'plugin folder, e.g. attacks/my-attack')
    .option('--options <json>', 'options for the run, as JSON (defaults are applied)', parseJsonOptions)
    .option('--budget <n>', 'query budget of the attack run (default 64)', parseBudget)
    .option('--backend <name>', `tfjs backend for the runs (${BACKEND_CHOICES.join(', ')})`, parseBackend, 'wasm')
    .option('--kind <kind>', 'attack, defense or victim (default: from the parent folder name)', parseKind)
    .option('--json', 'print the results as JSON')
    .action(async (folder: string, options: CliOptions) => {
      const path = resolve(folder);
      if (!existsSync(path) || !statSync(path).isDirectory())
        throw new Error(`verify-plugin: '${folder}' is not a folder`);
      const verify: VerifyOptions = {
        kind: options.kind,
        attack: {
          backend: options.backend,
          cases: [
            { ...(options.options ? { name: 'given options', options: options.options } : {}), budget: options.budget },
          ],
        },
        defense: {
          backend: options.backend,
          cases: [options.options ? { name: 'given options', options: options.options } : {}],
        },
      };
      if (!options.json) process.stdout.write(`Verifying ${relative(process.cwd(), path) || '.'}\n`);
      const verification = await verifyPluginFolder(
        path,
        verify,
        options.json ? undefined : (result) => process.stdout.write(`${formatCheckResult(result)}\n`),
      );
      if (options.json) process.stdout.write(`${JSON.stringify(verification, null, 2)}\n`);
      else {
        const failed = verification.results.filter((r) => r.state === 'failed').length;
        const kind = verification.kind ?? 'plugin';
        process.stdout.write(
          failed === 0
            ? `\n${kind} '${verification.id}': all ${verification.results.length} checks passed\n`
            : `\n${kind} '${verification.id}': ${failed} of ${verification.results.length} checks failed\n`,
        );
      }
      if (!verification.passed) throw new CommanderError(1, 'stealbench.verifyPluginFailed', '');
    });
}
