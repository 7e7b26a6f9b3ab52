// Groups result records into the rows of the leaderboard: one group per (victim, pool, defense + options,
// attack + options, budget), holding its seeds. Cells that did not complete stay in the group with their state,
// and cells the caller expected but found no record for are added as `missing`, so nothing silently disappears.
import type { CellRecord, CellSpec, PluginRef } from '../runner/record.ts';

/** One seed of a group: a record, or a cell expected but absent. */
export interface Entry {
  spec: CellSpec;
  /** The record's state, `missing` when no record exists, `no-metrics` when a completed record lacks metrics. */
  state: string;
  reason?: string;
  record?: CellRecord;
}

export interface Scenario {
  victim: string;
  pool: string;
  /** Victim, plus the pool when the victim is attacked from more than one pool. */
  label: string;
}

export interface CellGroup {
  scenario: Scenario;
  defenseId: string;
  defense: string;
  attackId: string;
  attack: string;
  budget: number;
  /** Downstream tasks in the order the cells name them. */
  tasks: string[];
  entries: Entry[];
  /** Entries that completed with metrics. */
  completed: CellRecord[];
  incomplete: Entry[];
}

/** JSON with object keys sorted at every level, so equal options give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    return `{${Object.keys(object)
      .sort()
      .filter((k) => object[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(object[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Display names for plugin variants: the bare id when the records use one option set for that plugin, otherwise
 * the id followed by the options that differ between its variants, e.g. `gaussian-noise (sigma=0.5)`.
 */
export function variantLabels(refs: readonly PluginRef[]): Map<string, string> {
  const byId = new Map<string, Map<string, Record<string, unknown>>>();
  for (const ref of refs) {
    const variants = byId.get(ref.id) ?? new Map<string, Record<string, unknown>>();
    variants.set(canonicalJson(ref.options ?? {}), ref.options ?? {});
    byId.set(ref.id, variants);
  }
  const labels = new Map<string, string>();
  for (const [id, variants] of byId) {
    if (variants.size === 1) {
      for (const key of variants.keys()) labels.set(`${id}\u0000${key}`, id);
      continue;
    }
    const keys = new Set<string>();
    for (const options of variants.values()) for (const k of Object.keys(options)) keys.add(k);
    const differing = [...keys]
      .sort()
      .filter((k) => new Set([...variants.values()].map((o) => canonicalJson(o[k]))).size > 1);
    for (const [key, options] of variants) {
      const text = differing
        .map((k) => `${k}=${options[k] === undefined ? '∅' : canonicalJson(options[k])}`)
        .join(', ');
      labels.set(`${id}\u0000${key}`, `${id} (${text})`);
    }
  }
  return labels;
}

const refKey = (ref: PluginRef) => `${ref.id}\u0000${canonicalJson(ref.options ?? {})}`;

function entryOf(record: CellRecord): Entry {
  if (record.state === 'completed' && !record.metrics) {
    return { spec: record.cell, state: 'no-metrics', reason: 'record says completed but carries no metrics', record };
  }
  const reason = record.error
    ? `${record.error.phase}${record.error.plugin ? ` (${record.error.plugin})` : ''}: ${record.error.message}`
    : undefined;
  return { spec: record.cell, state: record.state, reason, record };
}

/** Groups records (and expected-but-absent cells) into sorted groups; seeds inside a group sorted ascending. */
export function groupRecords(records: readonly CellRecord[], expected: readonly CellSpec[] = []): CellGroup[] {
  const entries: Entry[] = records.map(entryOf);
  const seen = new Set(records.map((r) => canonicalJson(r.cell)));
  for (const spec of expected) {
    if (!seen.has(canonicalJson(spec))) entries.push({ spec, state: 'missing', reason: 'no record in any shard' });
  }
  const labels = variantLabels(entries.flatMap((e) => [e.spec.defense, e.spec.attack]));
  const poolsByVictim = new Map<string, Set<string>>();
  for (const e of entries)
    poolsByVictim.set(e.spec.victim, (poolsByVictim.get(e.spec.victim) ?? new Set()).add(e.spec.pool));

  const groups = new Map<string, CellGroup>();
  for (const entry of entries) {
    const { spec } = entry;
    const key = [spec.victim, spec.pool, refKey(spec.defense), refKey(spec.attack), spec.budget].join('\u0001');
    let group = groups.get(key);
    if (!group) {
      const label = (poolsByVictim.get(spec.victim)?.size ?? 1) > 1 ? `${spec.victim} · ${spec.pool}` : spec.victim;
      group = {
        scenario: { victim: spec.victim, pool: spec.pool, label },
        defenseId: spec.defense.id,
        defense: labels.get(refKey(spec.defense)) ?? spec.defense.id,
        attackId: spec.attack.id,
        attack: labels.get(refKey(spec.attack)) ?? spec.attack.id,
        budget: spec.budget,
        tasks: [],
        entries: [],
        completed: [],
        incomplete: [],
      };
      groups.set(key, group);
    }
    group.entries.push(entry);
    for (const task of spec.downstream) if (!group.tasks.includes(task)) group.tasks.push(task);
  }
  for (const group of groups.values()) {
    group.entries.sort((a, b) => a.spec.seed - b.spec.seed || compare(a.state, b.state));
    for (const e of group.entries) {
      if (e.state === 'completed' && e.record?.metrics) group.completed.push(e.record);
      else group.incomplete.push(e);
    }
  }
  return [...groups.values()].sort(
    (a, b) =>
      compare(a.scenario.label, b.scenario.label) ||
      a.budget - b.budget ||
      compare(a.defense, b.defense) ||
      compare(a.attack, b.attack),
  );
}

/** Distinct scenarios in display order. */
export function scenariosOf(groups: readonly CellGroup[]): Scenario[] {
  const out = new Map<string, Scenario>();
  for (const g of groups) out.set(g.scenario.label, g.scenario);
  return [...out.values()].sort((a, b) => compare(a.label, b.label));
}

export { compare as compareText };
