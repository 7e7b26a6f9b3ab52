// Running contract checks outside a test runner (for `stealbench verify-plugin`): each check becomes a result that is
// a union on `state` (tinybench's shape) — errors are stored, not thrown — and the rendering is a separate function.
import { basename, resolve } from 'node:path';
import { checkOnePluginFolder, importPluginForKit, kindOfFolder, loadPluginFolder } from '../plugin/registry.ts';
import { guessPluginKind } from '../plugin/shape.ts';
import type { AttackPlugin, DefensePlugin, PluginKind, VictimPlugin } from '../plugin/types.ts';
import { attackChecks, type AttackKitOptions } from './attack-checks.ts';
import type { ContractCheck } from './check.ts';
import { defenseChecks, type DefenseKitOptions } from './defense-checks.ts';
import { victimChecks } from './victim-checks.ts';

/** A check's outcome, a union on `state` (as tinybench's results): passed with an optional note, or failed with the
 * message that says what to fix. */
export type CheckResult =
  | { name: string; state: 'passed'; ms: number; note?: string }
  | { name: string; state: 'failed'; ms: number; message: string };

/** Runs checks one after the other (no test runner), reporting each result as it lands. */
export async function runChecks(
  checks: readonly ContractCheck[],
  onResult?: (result: CheckResult) => void,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const started = performance.now();
    let result: CheckResult;
    try {
      const note = await check.run();
      result = { name: check.name, state: 'passed', ms: performance.now() - started, ...(note ? { note } : {}) };
    } catch (error) {
      result = {
        name: check.name,
        state: 'failed',
        ms: performance.now() - started,
        message: error instanceof Error ? error.message : String(error),
      };
    }
    results.push(result);
    onResult?.(result);
  }
  return results;
}

/** One line per check: pass/fail/skip, its name, and its note or error. */
export function formatCheckResult(result: CheckResult): string {
  const time = `(${result.ms < 1000 ? `${Math.round(result.ms)} ms` : `${(result.ms / 1000).toFixed(1)} s`})`;
  if (result.state === 'passed') return `  ✓ ${result.name} ${time}${result.note ? `\n      ${result.note}` : ''}`;
  return `  ✗ ${result.name} ${time}\n${result.message
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n')}`;
}

/** `verify-plugin`'s options. */
export interface VerifyOptions {
  /** Override the kind (otherwise from the parent folder name, else from the plugin's shape). */
  kind?: PluginKind;
  attack?: AttackKitOptions;
  defense?: DefenseKitOptions;
}

/** What `verify-plugin` found for a folder: the plugin's kind and id, and every check's result. */
export interface Verification {
  folder: string;
  kind: PluginKind | null;
  id: string;
  results: CheckResult[];
  passed: boolean;
}

/** Every check of one plugin folder: its files, then the kind's contract checks. */
export async function verifyPluginFolder(
  folder: string,
  options: VerifyOptions = {},
  onResult?: (result: CheckResult) => void,
): Promise<Verification> {
  const path = resolve(folder);
  let kind = options.kind ?? kindOfFolder(path);
  const id = basename(path);
  const checks: ContractCheck[] = [];
  // Load first (problems are reported by the shape check, not here), so the kind can come from the plugin's shape.
  const loaded = await loadPluginFolder(path, kind ?? 'attack');
  kind ??= guessPluginKind(loaded.plugin);
  const fileKind = kind ?? 'attack';
  checks.push({
    name: 'folder has index.ts, README.md and a test',
    async run() {
      const problems = checkOnePluginFolder(path, fileKind);
      if (problems.length) throw new Error(problems.map((p) => `- ${p}`).join('\n'));
    },
  });
  if (loaded.plugin === undefined || kind === null) {
    checks.push({
      name: 'index.ts loads and default-exports a plugin',
      async run() {
        if (kind === null && loaded.plugin !== undefined)
          throw new Error(
            'cannot tell whether this is an attack (steal), a defense (meta.kind) ' +
              'or a victim (recipe); put it under attacks/, defenses/ or victims/',
          );
        throw new Error(loaded.problems.join('\n'));
      },
    });
  } else {
    checks.push({
      name: 'meta.id equals the folder name',
      async run() {
        const metaId = (loaded.plugin as { meta?: { id?: unknown } }).meta?.id;
        if (metaId !== id) throw new Error(`meta.id ${JSON.stringify(metaId)} must equal the folder name '${id}'`);
      },
    });
    // Discovery read the plugin as data in a sandbox; the contract checks run its code, here, on the kit's tiny victim.
    if (kind === 'attack')
      checks.push(...attackChecks((await importPluginForKit(path)) as AttackPlugin<any>, options.attack));
    else if (kind === 'defense')
      checks.push(...defenseChecks((await importPluginForKit(path)) as DefensePlugin<any>, options.defense));
    else checks.push(...victimChecks(loaded.plugin as VictimPlugin));
  }
  const results = await runChecks(checks, onResult);
  return { folder: path, kind, id, results, passed: results.every((r) => r.state === 'passed') };
}
