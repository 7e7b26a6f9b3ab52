// The one convention for experiment scripts (attacks/_experiments, defenses/_experiments, <plugin>/experiments):
// a script exports pure functions (what its test checks) and builds one commander `Command` — the argument parser
// the `stealbench` CLI uses — whose action does the I/O; `runIfMain` runs it only when the file is the entry point,
// so importing the script in a test runs nothing. Generated Markdown goes between `<!-- name:start -->` and
// `<!-- name:end -->` markers (`spliceIntoFile`, `spliceMarkedBlock`), and records are read with `readRecords` (newest
// per cell).
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { spliceMarkedBlock } from '../claims/markers.ts';

/** True when the module at `moduleUrl` (pass `import.meta.url`) is the script node was asked to run. */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && fileURLToPath(moduleUrl) === resolve(entry);
}

/** A commander program for an experiment script: `--help` lists its options, an unknown option is an error. */
export function experimentCommand(name: string, description: string): Command {
  return new Command(name).description(description).showHelpAfterError().allowExcessArguments(false);
}

/** Parses the process arguments with `command` and runs its action, when `moduleUrl` is the entry point. */
export function runIfMain(moduleUrl: string, command: Command): void {
  if (!isMain(moduleUrl)) return;
  command.parseAsync(process.argv).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}

/** Replaces the block between the `name` markers of the Markdown `file` with `body` (markers missing: an error). */
export function spliceIntoFile(file: string, name: string, body: string): void {
  writeFileSync(file, spliceMarkedBlock(readFileSync(file, 'utf8'), name, body, file));
}

/** "1,2,3" → [1, 2, 3]; commander option parser for seed lists. */
export function integerList(text: string): number[] {
  const values = text.split(',').map((part) => Number(part.trim()));
  if (!values.length || values.some((value) => !Number.isInteger(value))) {
    throw new Error(`expected a comma-separated list of integers, found "${text}"`);
  }
  return values;
}

/** commander option parser for a JSON object option such as `--pow '{"baseBits":8}'`. */
export function jsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`expected a JSON object, found "${text}"`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`expected a JSON object, found "${text}"`);
  }
  return value as Record<string, unknown>;
}

/** The victim is shipped or cached for its current recipe, so loading it will not train it. */
export async function victimAvailable(id: string): Promise<boolean> {
  const { defaultCacheDir, findVictim, readMetrics, shippedDir, victimHash } = await import('../victims/index.ts');
  const hash = victimHash((await findVictim(id)).recipe);
  const shipped = await readMetrics(shippedDir(id));
  return shipped?.hash === hash || (await readMetrics(join(defaultCacheDir(), hash)))?.hash === hash;
}
