// Joins the result folders of a sharded run into one folder of records, one per cell of the config.
// Cells that no shard recorded are written as state 'skipped' with error phase 'missing' (never as zero metrics),
// so the leaderboard shows them as missing. Two shards that recorded the same cell differently are reported;
// the record kept is the best state (completed > failed > timed-out > skipped), then the first folder given.
import { readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CellRecord, CellState } from './record.ts';
import type { RunConfig } from './config.ts';
import type { RunnerRegistry } from './registry.ts';
import { expandGrid } from './grid.ts';
import { canonicalJson } from './canonical.ts';
import { readResults, resultsDir, writeRecord } from './store.ts';
import { harnessVersion } from './version.ts';

export interface MergeOptions {
  dirs: string[];
  outDir: string;
  config: RunConfig;
  registry: RunnerRegistry;
  source?: string;
  /** Delete records in `<outDir>/results` that are not cells of the config. */
  clean?: boolean;
}

export interface MergeConflict {
  key: string;
  files: string[];
  kept: string;
  /** Top-level fields that differ (timing fields ignored). */
  fields: string[];
}

export interface MergeReport {
  outDir: string;
  /** Cells of the config. */
  total: number;
  /** Cells with a record from some shard. */
  found: number;
  /** Keys of cells no shard recorded (written as skipped/missing). */
  missing: string[];
  conflicts: MergeConflict[];
  /** Unreadable or schema-breaking record files, left out. */
  invalid: { file: string; problems: string[] }[];
  /** Record files in the inputs that are not cells of this config (another config or harness version), left out. */
  foreign: string[];
  /** Records in the output folder that are not cells of the config (deleted when `clean`). */
  stale: string[];
}

/** A record without its wall-clock facts: what must be equal when the same cell is run twice. */
/**
 * The record without its wall-clock facts (provenance.startedAt and durations, and the seconds inside
 * metrics.cost): what must be identical when the same cell runs twice.
 */
export function withoutTiming(
  record: CellRecord,
): Omit<CellRecord, 'provenance'> & { provenance: Omit<CellRecord['provenance'], 'startedAt' | 'durations'> } {
  const { startedAt: _s, durations: _d, ...provenance } = record.provenance;
  if (!record.metrics) return { ...record, provenance };
  const { attackSeconds: _a, powSeconds: _p, ...cost } = record.metrics.cost;
  return {
    ...record,
    metrics: { ...record.metrics, cost: cost as NonNullable<CellRecord['metrics']>['cost'] },
    provenance,
  };
}

const STATE_RANK: Record<CellState, number> = { completed: 0, failed: 1, 'timed-out': 2, skipped: 3 };

export async function mergeResults(options: MergeOptions): Promise<MergeReport> {
  const cells = expandGrid(options.config, options.registry, options.source);
  const wanted = new Map(cells.map((planned) => [planned.key, planned]));
  const outDir = resolve(options.outDir);
  const report: MergeReport = {
    outDir,
    total: cells.length,
    found: 0,
    missing: [],
    conflicts: [],
    invalid: [],
    foreign: [],
    stale: [],
  };

  const byKey = new Map<string, { file: string; record: CellRecord }[]>();
  for (const dir of options.dirs) {
    const { records, invalid } = await readResults(dir);
    report.invalid.push(...invalid);
    for (const stored of records) {
      if (!wanted.has(stored.record.key)) {
        report.foreign.push(stored.file);
        continue;
      }
      const list = byKey.get(stored.record.key) ?? [];
      list.push(stored);
      byKey.set(stored.record.key, list);
    }
  }

  const chosen: CellRecord[] = [];
  for (const planned of cells) {
    const candidates = byKey.get(planned.key);
    if (!candidates) {
      report.missing.push(planned.key);
      continue;
    }
    report.found++;
    // Stable sort keeps folder order among equal states.
    const ranked = candidates.slice().sort((a, b) => STATE_RANK[a.record.state] - STATE_RANK[b.record.state]);
    const kept = ranked[0]!;
    const reference = withoutTiming(kept.record) as unknown as Record<string, unknown>;
    const fields = new Set<string>();
    for (const other of candidates) {
      const comparable = withoutTiming(other.record) as unknown as Record<string, unknown>;
      for (const field of new Set([...Object.keys(reference), ...Object.keys(comparable)])) {
        if (canonicalJson(reference[field] ?? null) !== canonicalJson(comparable[field] ?? null)) fields.add(field);
      }
    }
    if (fields.size)
      report.conflicts.push({
        key: planned.key,
        files: candidates.map((c) => c.file),
        kept: kept.file,
        fields: [...fields].sort(),
      });
    chosen.push(kept.record);
  }

  const backends = chosen.map((record) => record.provenance.backend);
  const backend = backends.length ? mostCommon(backends) : 'unknown';
  const now = new Date().toISOString();
  for (const record of chosen) await writeRecord(outDir, record);
  for (const key of report.missing) {
    const planned = wanted.get(key)!;
    await writeRecord(outDir, {
      schemaVersion: 1,
      key,
      cell: planned.cell,
      state: 'skipped',
      error: { message: 'no shard produced a record for this cell', phase: 'missing' },
      provenance: {
        harnessVersion: harnessVersion(),
        pluginHashes: planned.pluginHashes,
        backend,
        node: process.version,
        startedAt: now,
        durations: {},
      },
    });
  }

  // A fresh output folder has no results/ yet: nothing is stale.
  const names = await readdir(resultsDir(outDir)).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
    if (wanted.has(name.slice(0, -'.json'.length))) continue;
    const file = join(resultsDir(outDir), name);
    report.stale.push(file);
    if (options.clean) await rm(file, { force: true });
  }
  return report;
}

function mostCommon(values: string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
}
