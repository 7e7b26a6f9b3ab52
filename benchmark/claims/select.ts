// Picking cells out of result records for the paper findings: completed records by victim, attack and defense
// (with their options), per-seed values, and the variant (options) of an attack a finding should use.
import type { CellMetrics, CellRecord, PluginRef } from '../runner/record.ts';
import { canonicalJson } from '../runner/canonical.ts';

export interface Variant {
  id: string;
  options: Record<string, unknown>;
}

export interface CellFilter {
  victim?: string;
  attack?: Variant | string;
  defense?: Variant | string;
  budget?: number;
}

const sameRef = (ref: PluginRef, want: Variant | string | undefined) =>
  want === undefined ||
  (typeof want === 'string'
    ? ref.id === want
    : ref.id === want.id && canonicalJson(ref.options ?? {}) === canonicalJson(want.options));

export function completedCells(records: readonly CellRecord[], filter: CellFilter): CellRecord[] {
  return records.filter(
    (r) =>
      r.state === 'completed' &&
      r.metrics !== undefined &&
      (filter.victim === undefined || r.cell.victim === filter.victim) &&
      (filter.budget === undefined || r.cell.budget === filter.budget) &&
      sameRef(r.cell.attack, filter.attack) &&
      sameRef(r.cell.defense, filter.defense),
  );
}

/** Per-seed values of `value` over records (one per seed; a second record of a seed is an error in the filter). */
export function bySeed(
  records: readonly CellRecord[],
  value: (m: CellMetrics, r: CellRecord) => number | undefined,
): Map<number, number> {
  const out = new Map<number, number>();
  for (const r of records) {
    const v = value(r.metrics as CellMetrics, r);
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    if (out.has(r.cell.seed)) {
      throw new Error(
        `claims: two records for seed ${r.cell.seed} of ${r.cell.attack.id} under ${r.cell.defense.id}; ` +
          'filter by options',
      );
    }
    out.set(r.cell.seed, v);
  }
  return out;
}

/** Mean over the record's downstream tasks of a per-task figure. */
export function overTasks(values: Record<string, number> | undefined, tasks: readonly string[]): number | undefined {
  if (!values || tasks.length === 0) return undefined;
  let sum = 0;
  for (const t of tasks) {
    if (typeof values[t] !== 'number') return undefined;
    sum += values[t];
  }
  return sum / tasks.length;
}

/** Stolen accuracy, mean over the cell's downstream tasks (the leaderboard's score). */
export const stolenScore = (m: CellMetrics, r: CellRecord) => overTasks(m.stolen, r.cell.downstream);
export const victimScore = (m: CellMetrics, r: CellRecord) => overTasks(m.victim, r.cell.downstream);

/** Distinct attack variants among records, in canonical order. */
export function attackVariants(records: readonly CellRecord[], id?: string): Variant[] {
  const seen = new Map<string, Variant>();
  for (const r of records) {
    if (id !== undefined && r.cell.attack.id !== id) continue;
    seen.set(canonicalJson(r.cell.attack), { id: r.cell.attack.id, options: r.cell.attack.options ?? {} });
  }
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

/** Distinct victims, sorted. */
export function victimsOf(records: readonly CellRecord[]): string[] {
  return [...new Set(records.map((r) => r.cell.victim))].sort();
}

/** Budgets, ascending. */
export function budgetsOf(records: readonly CellRecord[]): number[] {
  return [...new Set(records.map((r) => r.cell.budget))].sort((a, b) => a - b);
}

/**
 * The attack variant a finding uses: among the variants matching the first preference (id plus a subset of its
 * options) that has records, the one with the most records; else the variant with the most records overall. "Most
 * records" keeps a finding on the config's own cells when other experiments ran the same loss with other options
 * (`steps`, `queryViews`); ties go by canonical order.
 */
export function pickAttack(
  records: readonly CellRecord[],
  preferences: readonly { id: string; options?: Record<string, unknown> }[],
): Variant | null {
  const variants = attackVariants(records);
  for (const want of preferences) {
    const matches = variants.filter(
      (v) =>
        v.id === want.id &&
        Object.entries(want.options ?? {}).every(
          ([k, x]) => v.options[k] !== undefined && canonicalJson(v.options[k]) === canonicalJson(x),
        ),
    );
    if (matches.length) return mostRecorded(records, matches);
  }
  return mostRecorded(records, variants);
}

/** The variant with the most records (the first in the given order on a tie), or null for none. */
export function mostRecorded(records: readonly CellRecord[], variants: readonly Variant[]): Variant | null {
  let best: Variant | null = null;
  let most = 0;
  for (const v of variants) {
    const n = completedCells(records, { attack: v }).length;
    if (n > most) [best, most] = [v, n];
  }
  return best;
}
