// The results folder: one JSON record per cell at `<out>/results/<key>.json`, written atomically (temp file in the
// same folder, fsync, rename) so that a run killed at any moment leaves either the whole record or none.
// Every record is checked against schemas/result.schema.json before it is written and when it is read back.
import type { ValidateFunction } from 'ajv';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import type { CellRecord } from './record.ts';
import { compileSchema, formatIssues, renderIssue } from '../util/validation.ts';

export const RESULT_SCHEMA_PATH = fileURLToPath(new URL('../../schemas/result.schema.json', import.meta.url));

let validator: ValidateFunction | undefined;
function recordValidator(): ValidateFunction {
  validator ??= compileSchema(JSON.parse(readFileSync(RESULT_SCHEMA_PATH, 'utf8')) as object);
  return validator;
}

/** Problems with a record as `path: message` lines; empty when it matches the schema. */
export function recordProblems(record: unknown): string[] {
  const validate = recordValidator();
  // The result schema has no defaults, so validating the record itself leaves it as it is.
  if (validate(record)) return [];
  return formatIssues(validate.errors).map((issue) => renderIssue(issue));
}

export function resultsDir(outDir: string): string {
  return join(outDir, 'results');
}

export function recordPath(outDir: string, key: string): string {
  return join(resultsDir(outDir), `${key}.json`);
}

/** Writes a JSON file atomically: temp file beside it, fsync, rename over the target. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const dir = join(file, '..');
  await mkdir(dir, { recursive: true });
  // Dot-prefixed so that readers of `*.json` never see a half-written file; pid + random so that several runs
  // sharing one folder (a Slurm array on a shared disk) never collide.
  const temp = join(dir, `.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Validates and writes one record. Throws (naming the key and the fields) if the record breaks the schema. */
export async function writeRecord(outDir: string, record: CellRecord): Promise<string> {
  const problems = recordProblems(record);
  if (problems.length)
    throw new Error(`record ${record.key} does not match ${RESULT_SCHEMA_PATH}:\n  ${problems.join('\n  ')}`);
  const file = recordPath(outDir, record.key);
  await writeJsonAtomic(file, record);
  return file;
}

export interface StoredRecord {
  file: string;
  record: CellRecord;
}

export interface ReadResults {
  records: StoredRecord[];
  /** Files that are not valid JSON or do not match the schema, with the reason. */
  invalid: { file: string; problems: string[] }[];
}

/**
 * Reads every `*.json` record under `dir` (or `dir/results` when that exists). Files are sorted by name so the
 * result does not depend on the file system's order.
 */
export async function readResults(dir: string): Promise<ReadResults> {
  const folder = existsSync(join(dir, 'results')) ? join(dir, 'results') : dir;
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return { records: [], invalid: [] };
    throw error;
  }
  const out: ReadResults = { records: [], invalid: [] };
  for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
    const file = join(folder, name);
    let record: unknown;
    try {
      record = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      out.invalid.push({ file, problems: [`not valid JSON: ${(error as Error).message}`] });
      continue;
    }
    const problems = recordProblems(record);
    if (problems.length) out.invalid.push({ file, problems });
    else if ((record as CellRecord).key !== name.slice(0, -'.json'.length))
      out.invalid.push({ file, problems: [`/key: ${(record as CellRecord).key} does not match the file name`] });
    else out.records.push({ file, record: record as CellRecord });
  }
  return out;
}

/** The record stored for a key, or undefined when there is none or it is unreadable (then the cell is rerun). */
export async function readRecord(outDir: string, key: string): Promise<CellRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(recordPath(outDir, key), 'utf8')) as CellRecord;
    return recordProblems(record).length === 0 && record.key === key ? record : undefined;
  } catch {
    return undefined;
  }
}
