// Per-group figures over seeds: each metric of the completed records becomes a mean with its 95% Student t interval.
// The "score" of a record is its stolen accuracy averaged over the group's downstream tasks; rankings use it.
import type { CellRecord, CellMetrics } from '../runner/record.ts';
import type { OwnershipResult } from '../plugin/types.ts';
import { meanInterval, type MeanInterval } from '../scoring/stats.ts';
import type { CellGroup } from './group.ts';

export interface OwnershipSummary {
  seeds: number;
  /** Seeds on which the defense claimed the suspect was stolen. */
  claimed: number;
  statistic: MeanInterval;
  pMin: number;
  pMax: number;
}

export interface GroupSummary {
  group: CellGroup;
  score: MeanInterval | null;
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
  ownershipIndependent: OwnershipSummary | null;
  queries: MeanInterval | null;
  attackSeconds: MeanInterval | null;
  hashes: MeanInterval | null;
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

function ownership(results: (OwnershipResult | undefined)[]): OwnershipSummary | null {
  const present = results.filter((r): r is OwnershipResult => r !== undefined);
  const statistic = interval(present.map((r) => r.statistic));
  if (present.length === 0 || statistic === null) return null;
  const ps = present.map((r) => r.pValue).filter(Number.isFinite);
  return {
    seeds: present.length,
    claimed: present.filter((r) => r.stolen).length,
    statistic,
    pMin: Math.min(...ps),
    pMax: Math.max(...ps),
  };
}

export function summarizeGroup(group: CellGroup): GroupSummary {
  const metrics: CellMetrics[] = group.completed.map((r: CellRecord) => r.metrics as CellMetrics);
  const { tasks } = group;
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
    stolen,
    victim,
    victimScore: interval(metrics.map((m) => overTasks(m.victim, tasks))),
    cka: interval(metrics.map((m) => m.fidelity?.cka)),
    cosine: interval(metrics.map((m) => m.fidelity?.cosine)),
    // Legitimate users run their own workload (one task), not every downstream task of the cell.
    legitimateDefended: interval(metrics.map((m) => overTasks(m.legitimate?.defended, Object.keys(m.legitimate?.defended ?? {})))),
    legitimateUndefended: interval(metrics.map((m) => overTasks(m.legitimate?.undefended, Object.keys(m.legitimate?.undefended ?? {})))),
    detection:
      withDetection.length === 0
        ? null
        : {
            seeds: withDetection.length,
            attackerFlagged: withDetection.filter((m) => m.detection?.attackerFlagged).length,
            legitimateFlagged: withDetection.reduce((s, m) => s + (m.detection?.legitimateFlagged ?? 0), 0),
            legitimateAccounts: withDetection.reduce((s, m) => s + (m.detection?.legitimateAccounts ?? 0), 0),
          },
    ownershipStolen: ownership(metrics.map((m) => m.ownership?.stolen)),
    ownershipIndependent: ownership(metrics.map((m) => m.ownership?.independent)),
    queries: interval(metrics.map((m) => m.cost.queries)),
    attackSeconds: interval(metrics.map((m) => m.cost.attackSeconds)),
    hashes: interval(metrics.map((m) => m.cost.hashes)),
  };
}
