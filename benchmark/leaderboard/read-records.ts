// Loads result records from `<dir>/results/*.json` for the leaderboard. Each file is validated against
// `schemas/result.schema.json` by the runner's own validator (one definition of a valid record), then shape-checked
// for the fields the renderer reads; an error names the file, the field and what was expected.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CellRecord } from '../runner/record.ts';
import { recordProblems } from '../runner/store.ts';
import { canonicalJson } from '../runner/canonical.ts';

export class RecordFileError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${file}: ${field ? `field ${field}: ` : ''}${detail}`);
    this.name = 'RecordFileError';
  }
}

const describe = (v: unknown) =>
  v === undefined
    ? 'nothing'
    : v === null
      ? 'null'
      : Array.isArray(v)
        ? 'an array'
        : `${typeof v} ${JSON.stringify(v)?.slice(0, 60)}`;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks the fields the leaderboard reads; throws RecordFileError at the first wrong one. */
export function checkRecordShape(value: unknown, file: string): CellRecord {
  const fail = (field: string, expected: string, found: unknown): never => {
    throw new RecordFileError(file, field, `expected ${expected}, found ${describe(found)}`);
  };
  const obj = (v: unknown, field: string) => (isObject(v) ? v : fail(field, 'an object', v));
  const str = (v: unknown, field: string) => (typeof v === 'string' ? v : fail(field, 'a string', v));
  const num = (v: unknown, field: string) =>
    typeof v === 'number' && Number.isFinite(v) ? v : fail(field, 'a finite number', v);
  const numbers = (v: unknown, field: string) => {
    for (const [k, x] of Object.entries(obj(v, field))) num(x, `${field}.${k}`);
  };

  const r = obj(value, '');
  if (r.schemaVersion !== 1) fail('schemaVersion', '1', r.schemaVersion);
  str(r.key, 'key');
  const cell = obj(r.cell, 'cell');
  str(cell.victim, 'cell.victim');
  for (const p of ['defense', 'attack'] as const) {
    str(obj(cell[p], `cell.${p}`).id, `cell.${p}.id`);
    obj((cell[p] as Record<string, unknown>).options, `cell.${p}.options`);
  }
  if (!(Number.isInteger(cell.budget) && (cell.budget as number) > 0))
    fail('cell.budget', 'a positive integer', cell.budget);
  str(cell.pool, 'cell.pool');
  if (!Number.isInteger(cell.seed)) fail('cell.seed', 'an integer', cell.seed);
  if (!Array.isArray(cell.downstream) || cell.downstream.length === 0)
    fail('cell.downstream', 'a non-empty array of task names', cell.downstream);
  (cell.downstream as unknown[]).forEach((t, i) => str(t, `cell.downstream[${i}]`));
  const state = str(r.state, 'state');
  if (r.error !== undefined) {
    const e = obj(r.error, 'error');
    str(e.message, 'error.message');
    str(e.phase, 'error.phase');
  }
  if (state === 'completed') {
    const m = obj(r.metrics, 'metrics');
    numbers(m.stolen, 'metrics.stolen');
    numbers(m.victim, 'metrics.victim');
    const cost = obj(m.cost, 'metrics.cost');
    num(cost.queries, 'metrics.cost.queries');
    num(cost.attackSeconds, 'metrics.cost.attackSeconds');
  } else if (state !== 'failed' && state !== 'timed-out' && state !== 'skipped') {
    fail('state', '"completed", "failed", "timed-out" or "skipped"', state);
  }
  const prov = obj(r.provenance, 'provenance');
  for (const f of ['harnessVersion', 'backend', 'node', 'startedAt'] as const) str(prov[f], `provenance.${f}`);
  obj(prov.pluginHashes, 'provenance.pluginHashes');
  return value as CellRecord;
}

export interface ReadRecordsResult {
  /** One record per cell: when a folder holds several (older plugin code, another harness version), the newest. */
  records: CellRecord[];
  /** Absolute paths of the files those records came from, sorted. */
  files: string[];
  /** Files left out because a newer record of the same cell is in the folder (e.g. before a plugin changed). */
  superseded: string[];
  /** The folder the records were read from: `<dir>/results`, or `<dir>` itself when it holds the records. */
  folder: string;
}

/** What makes two records the same benchmark cell, whatever code produced them. */
function cellIdentity(record: CellRecord): string {
  return canonicalJson(record.cell);
}

/**
 * One entry per cell, the newest (by `provenance.startedAt`), in input order. Re-running a grid after a plugin changed
 * writes new records (new keys) beside the old ones, and tables must count each cell once.
 */
export function newestPerCell<T extends { record: CellRecord }>(entries: readonly T[]): T[] {
  const newest = new Map<string, T>();
  for (const entry of entries) {
    const id = cellIdentity(entry.record);
    const kept = newest.get(id);
    if (!kept || entry.record.provenance.startedAt > kept.record.provenance.startedAt) newest.set(id, entry);
  }
  const kept = new Set(newest.values());
  return entries.filter((entry) => kept.has(entry));
}

/**
 * Reads every `*.json` in `<dir>/results`, sorted by file name; `dir` may also be that results folder itself (as
 * `stealbench merge` accepts), e.g. `leaderboard/results`.
 */
export function readRecords(dir: string): ReadRecordsResult {
  const nested = join(dir, 'results');
  const direct = !existsSync(nested) && existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.json'));
  const folder = direct ? dir : nested;
  if (!existsSync(folder))
    throw new RecordFileError(folder, '', 'no such folder: expected result records in <dir>/results/*.json');
  const files = readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(folder, f));
  const read = files.map((file) => {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new RecordFileError(file, '', `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    const problems = recordProblems(value);
    if (problems.length > 0) {
      throw new RecordFileError(file, '', `does not match schemas/result.schema.json: ${problems.join('; ')}`);
    }
    return { record: checkRecordShape(value, file), file };
  });
  const kept = new Set(newestPerCell(read).map((entry) => entry.file));
  return {
    records: read.filter((entry) => kept.has(entry.file)).map((entry) => entry.record),
    files: files.filter((file) => kept.has(file)),
    superseded: files.filter((file) => !kept.has(file)),
    folder,
  };
}

/**
 * `readRecords` over several folders: one record per cell across all of them (the same cell may sit in two folders
 * when two configs share it), the newest; `superseded` lists every file left out, in any folder.
 */
export function readRecordsAcross(dirs: readonly string[]): Omit<ReadRecordsResult, 'folder'> & { folders: string[] } {
  const reads = dirs.map((dir) => readRecords(dir));
  const entries = reads.flatMap((read) => read.records.map((record, i) => ({ record, file: read.files[i]! })));
  const kept = newestPerCell(entries);
  const keptFiles = new Set(kept.map((entry) => entry.file));
  return {
    records: kept.map((entry) => entry.record),
    files: kept.map((entry) => entry.file).sort(),
    superseded: [
      ...reads.flatMap((read) => read.superseded),
      ...entries.filter((e) => !keptFiles.has(e.file)).map((e) => e.file),
    ].sort(),
    folders: reads.map((read) => read.folder),
  };
}
