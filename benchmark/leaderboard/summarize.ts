// Per-group figures over seeds: each metric of the completed records becomes a mean with its 95% Student t interval.
// The "score" of a record is its stolen accuracy averaged over the group's downstream tasks; rankings use it.
// Per-seed values (score, legitimate users' cost) are kept too, so that rows can be compared seed by seed (paired).
// Normalised recovery R needs the random-weight baseline of the victim's architecture, passed in as `references`.
import type { CellRecord, CellMetrics, DetectionRuleRates, OwnershipPower } from '../runner/record.ts';
import type { OwnershipResult } from '../plugin/types.ts';
import { meanInterval, type MeanInterval } from '../scoring/stats.ts';
import { powerOverSeeds } from '../scoring/ownership-power.ts';
import type { CellGroup } from './group.ts';
import { normalisedRecovery, type VictimReferences } from './references.ts';

export interface OwnershipSummary {
  seeds: number;
  /** Seeds whose record says whether the test has power (claims the victim, no independent encoder). */
  powerSeeds: number;
  /** Of those, seeds on which the test claimed the victim itself. */
  victimClaimed: number;
  /** False claims over all independently trained encoders tested, and how many were tested. */
  falseClaims: number;
  independentEncoders: number;
  /** Seeds on which the test was valid (victim claimed, no false claim, ≥ 3 independent encoders). */
  valid: number;
  /** Seeds on which the defense claimed the suspect was stolen. */
  claimed: number;
  statistic: MeanInterval;
  pMin: number;
  pMax: number;
}

export interface GroupSummary {
  group: CellGroup;
  score: MeanInterval | null;
  /** Score (stolen accuracy, mean over tasks) per seed of the completed records. */
  scoreBySeed: Map<number, number>;
  /** Normalised recovery R = (stolen − random) / (victim − random), mean over tasks; null without references. */
  recovery: MeanInterval | null;
  /** Share of probe-test images on which the stolen copy's probe and the victim's agree (mean over tasks). */
  agreement: MeanInterval | null;
  /** Legitimate users' cost: undefended minus defended accuracy, paired within each record. */
  legitimateCost: MeanInterval | null;
  legitimateCostBySeed: Map<number, number>;
  stolen: Record<string, MeanInterval | null>;
  victim: Record<string, MeanInterval | null>;
  victimScore: MeanInterval | null;
  cka: MeanInterval | null;
  cosine: MeanInterval | null;
  /** Legitimate users' accuracy (mean over tasks) through the defended and the undefended API. */
  legitimateDefended: MeanInterval | null;
  legitimateUndefended: MeanInterval | null;
  detection: { seeds: number; attackerFlagged: number; legitimateFlagged: number; legitimateAccounts: number } | null;
  ownershipStolen: OwnershipSummary | null;
  /** Figures the defense reports about itself (`metrics.defense`), mean over seeds per name. */
  defenseFigures: Record<string, MeanInterval>;
  /** Detection rates per rule (window, history, pairwise) and features, mean over seeds. */
  detectionRules: DetectionRuleSummary[];
  ownershipIndependent: OwnershipSummary | null;
  queries: MeanInterval | null;
  attackSeconds: MeanInterval | null;
  hashes: MeanInterval | null;
}

export interface DetectionRuleSummary {
  rule: string;
  window?: number;
  features: string;
  falsePositiveRate: MeanInterval | null;
  attackerFlaggedQueryRate: MeanInterval | null;
}

function interval(values: readonly (number | undefined | null)[]): MeanInterval | null {
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return finite.length === 0 ? null : meanInterval(finite);
}

/** Mean of a per-task record over the tasks; undefined when a task has no value. */
function overTasks(values: Record<string, number> | undefined, tasks: readonly string[]): number | undefined {
  if (!values || tasks.length === 0) return undefined;
  let sum = 0;
  for (const t of tasks) {
    const v = values[t];
    if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
    sum += v;
  }
  return sum / tasks.length;
}

function ownership(
  results: (OwnershipResult | undefined)[],
  powers: (OwnershipPower | undefined)[] = [],
): OwnershipSummary | null {
  const present = results.filter((r): r is OwnershipResult => r !== undefined);
  const statistic = interval(present.map((r) => r.statistic));
  if (present.length === 0 || statistic === null) return null;
  const ps = present.map((r) => r.pValue).filter(Number.isFinite);
  const power = powerOverSeeds(powers);
  return {
    seeds: present.length,
    powerSeeds: power.seeds,
    victimClaimed: power.victimClaimed,
    falseClaims: power.falseClaims,
    independentEncoders: power.independentEncoders,
    valid: power.valid,
    claimed: present.filter((r) => r.stolen).length,
    statistic,
    pMin: Math.min(...ps),
    pMax: Math.max(...ps),
  };
}

function defenseFigures(metrics: readonly CellMetrics[]): Record<string, MeanInterval> {
  const names = [...new Set(metrics.flatMap((m) => Object.keys(m.defense ?? {})))].sort();
  const out: Record<string, MeanInterval> = {};
  for (const name of names) {
    const value = interval(metrics.map((m) => m.defense?.[name]));
    if (value) out[name] = value;
  }
  return out;
}

function detectionRules(metrics: readonly CellMetrics[]): DetectionRuleSummary[] {
  const rules = new Map<string, DetectionRuleRates[]>();
  for (const m of metrics) {
    for (const w of m.detection?.windows ?? []) {
      const key = `${w.features}\u0000${w.rule}\u0000${String(w.window ?? '').padStart(12, '0')}`;
      rules.set(key, [...(rules.get(key) ?? []), w]);
    }
  }
  return [...rules.keys()].sort().map((key) => {
    const list = rules.get(key) as DetectionRuleRates[];
    return {
      rule: list[0].rule,
      ...(list[0].window !== undefined ? { window: list[0].window } : {}),
      features: list[0].features,
      falsePositiveRate: interval(list.map((w) => w.falsePositiveRate)),
      attackerFlaggedQueryRate: interval(list.map((w) => w.attackerFlaggedQueryRate)),
    };
  });
}

/** A number, or a per-task record averaged over `tasks` (agreement may be stored either way). */
function numberOrOverTasks(value: unknown, tasks: readonly string[]): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (value !== null && typeof value === 'object') return overTasks(value as Record<string, number>, tasks);
  return undefined;
}

/** Undefended minus defended legitimate accuracy of one record: the record's own paired `drop` when it has one. */
export function legitimateCostOf(m: CellMetrics): number | undefined {
  const legitimate = m.legitimate;
  if (!legitimate) return undefined;
  if (legitimate.drop) return overTasks(legitimate.drop, Object.keys(legitimate.drop));
  const tasks = Object.keys(legitimate.defended ?? {}).filter((t) => t in (legitimate.undefended ?? {}));
  const undefended = overTasks(legitimate.undefended, tasks);
  const defended = overTasks(legitimate.defended, tasks);
  return undefended !== undefined && defended !== undefined ? undefended - defended : undefined;
}

function bySeed(records: readonly CellRecord[], value: (m: CellMetrics) => number | undefined): Map<number, number> {
  const out = new Map<number, number>();
  for (const r of records) {
    const v = value(r.metrics as CellMetrics);
    if (typeof v === 'number' && Number.isFinite(v)) out.set(r.cell.seed, v);
  }
  return out;
}

/** R of one record, the mean over tasks; undefined when a task lacks a baseline or the victim does not beat it. */
function recoveryOf(
  m: CellMetrics,
  tasks: readonly string[],
  references: VictimReferences | undefined,
): number | undefined {
  if (!references || tasks.length === 0) return undefined;
  let sum = 0;
  for (const t of tasks) {
    const random = references.random[t]?.accuracy;
    const stolen = m.stolen[t];
    const victim = m.victim[t];
    if (random === undefined || typeof stolen !== 'number' || typeof victim !== 'number') return undefined;
    const r = normalisedRecovery(stolen, random, victim);
    if (r === null) return undefined;
    sum += r;
  }
  return sum / tasks.length;
}

export function summarizeGroup(group: CellGroup, references?: VictimReferences): GroupSummary {
  const metrics: CellMetrics[] = group.completed.map((r: CellRecord) => r.metrics as CellMetrics);
  const { tasks } = group;
  const scoreBySeed = bySeed(group.completed, (m) => overTasks(m.stolen, tasks));
  const legitimateCostBySeed = bySeed(group.completed, legitimateCostOf);
  const stolen: Record<string, MeanInterval | null> = {};
  const victim: Record<string, MeanInterval | null> = {};
  for (const t of tasks) {
    stolen[t] = interval(metrics.map((m) => m.stolen[t]));
    victim[t] = interval(metrics.map((m) => m.victim[t]));
  }
  const withDetection = metrics.filter((m) => m.detection);
  return {
    group,
    score: interval(metrics.map((m) => overTasks(m.stolen, tasks))),
    scoreBySeed,
    recovery: interval(metrics.map((m) => recoveryOf(m, tasks, references))),
    agreement: interval(metrics.map((m) => numberOrOverTasks(m.agreement, tasks))),
    legitimateCost: interval([...legitimateCostBySeed.values()]),
    legitimateCostBySeed,
    stolen,
    victim,
    victimScore: interval(metrics.map((m) => overTasks(m.victim, tasks))),
    cka: interval(metrics.map((m) => m.fidelity?.cka)),
    cosine: interval(metrics.map((m) => m.fidelity?.cosine)),
    // Legitimate users run their own workload (one task), not every downstream task of the cell.
    legitimateDefended: interval(
      metrics.map((m) => overTasks(m.legitimate?.defended, Object.keys(m.legitimate?.defended ?? {}))),
    ),
    legitimateUndefended: interval(
      metrics.map((m) => overTasks(m.legitimate?.undefended, Object.keys(m.legitimate?.undefended ?? {}))),
    ),
    detection:
      withDetection.length === 0
        ? null
        : {
            seeds: withDetection.length,
            attackerFlagged: withDetection.filter((m) => m.detection?.attackerFlagged).length,
            legitimateFlagged: withDetection.reduce((s, m) => s + (m.detection?.legitimateFlagged ?? 0), 0),
            legitimateAccounts: withDetection.reduce((s, m) => s + (m.detection?.legitimateAccounts ?? 0), 0),
          },
    ownershipStolen: ownership(
      metrics.map((m) => m.ownership?.stolen),
      metrics.map((m) => m.ownership?.power),
    ),
    defenseFigures: defenseFigures(metrics),
    detectionRules: detectionRules(metrics),
    ownershipIndependent: ownership(metrics.map((m) => m.ownership?.independent)),
    queries: interval(metrics.map((m) => m.cost.queries)),
    attackSeconds: interval(metrics.map((m) => m.cost.attackSeconds)),
    hashes: interval(metrics.map((m) => m.cost.hashes)),
  };
}
