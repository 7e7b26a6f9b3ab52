// Ranks with ties from per-seed scores. Row A "beats" row B with confidence when the 95% Student t interval of the
// paired difference A − B over their common seeds lies wholly above zero (below, when lower is better). Without two
// common seeds the rows cannot be paired; then A beats B only when both have ≥ 2 seeds and A's own interval lies
// wholly above B's. A row's rank is 1 + the number of rows that beat it with confidence, so rows that do not separate
// share a rank (the ranking Chatbot Arena uses). A row with fewer seeds than the most any row has is, in addition,
// never ranked above a row it does not beat with confidence: its rank is raised to that row's rank.
import { meanInterval, pairedDifference } from '../scoring/stats.ts';

export interface RankInput {
  id: string;
  /** Score per seed; an empty map means no completed seed (no rank). */
  bySeed: ReadonlyMap<number, number>;
}

export interface RankResult {
  /** 1-based rank, shared by rows that do not separate; null for rows without a score. */
  rank: number | null;
  /** True when the row has fewer seeds than the row with the most. */
  fewerSeeds: boolean;
}

/** True when `a` beats `b` with confidence (higher scores better unless `lowerIsBetter`). */
export function beatsWithConfidence(
  a: ReadonlyMap<number, number>,
  b: ReadonlyMap<number, number>,
  lowerIsBetter = false,
  level = 0.95,
): boolean {
  const paired = pairedDifference(a, b, level);
  if (paired && paired.n >= 2 && paired.low !== null && paired.high !== null) {
    return lowerIsBetter ? paired.high < 0 : paired.low > 0;
  }
  if (a.size < 2 || b.size < 2) return false;
  const ia = meanInterval([...a.values()], level);
  const ib = meanInterval([...b.values()], level);
  return lowerIsBetter ? ia.high! < ib.low! : ia.low! > ib.high!;
}

export function rankWithTies(rows: readonly RankInput[], lowerIsBetter = false, level = 0.95): Map<string, RankResult> {
  const scored = rows.filter((r) => r.bySeed.size > 0);
  const most = Math.max(0, ...scored.map((r) => r.bySeed.size));
  const beats = (a: RankInput, b: RankInput) =>
    a !== b && beatsWithConfidence(a.bySeed, b.bySeed, lowerIsBetter, level);
  const base = new Map(scored.map((r) => [r.id, 1 + scored.filter((other) => beats(other, r)).length]));
  const out = new Map<string, RankResult>();
  for (const r of rows) {
    if (r.bySeed.size === 0) {
      out.set(r.id, { rank: null, fewerSeeds: most > 0 });
      continue;
    }
    const fewerSeeds = r.bySeed.size < most;
    let rank = base.get(r.id) as number;
    if (fewerSeeds) {
      for (const other of scored)
        if (other !== r && !beats(r, other)) rank = Math.max(rank, base.get(other.id) as number);
    }
    out.set(r.id, { rank, fewerSeeds });
  }
  return out;
}
