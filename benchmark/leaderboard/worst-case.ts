// Section "Worst case" (issue 13.3): per victim and budget, each defense (with its options) faces the strongest
// oblivious attack and the strongest adaptive attack — one whose meta declares `targets` containing this defense —
// and is judged by the stronger of the two, i.e. by the highest stolen accuracy any attack keeps through it.
// Defenses are ranked by that worst-case accuracy, lower first, with shared ranks where the per-seed accuracies do
// not separate (rank.ts); the worst case's drop is paired by seed with the same attack under no defense.
import { markdownTable } from 'markdown-table';
import { byScore, measured, seedsCell } from './cells.ts';
import { cellText, pairedPoints, percentInterval, pointsInterval } from './format.ts';
import { rankCell } from './attack-table.ts';
import { rankWithTies, type RankResult } from './rank.ts';
import type { GroupSummary } from './summarize.ts';
import { pairedDifference, type PairedDifference } from '../scoring/stats.ts';

/** Attack id → the defense ids its meta declares as `targets` (adaptive attacks only). */
export type AttackTargets = ReadonlyMap<string, readonly string[]>;

export interface WorstCaseRow {
  defense: string;
  defenseId: string;
  oblivious: GroupSummary | null;
  adaptive: GroupSummary | null;
  /** Attacks that declare this defense as a target, whether or not they have records here. */
  adaptiveDeclared: string[];
  /**
   * An attack targets the defense but none has records: the worst case is only a lower bound (the attack that knows
   * the defense could do better), so the row is not ranked — ranking that bound would put the least-tested first.
   */
  unranked: boolean;
  worst: GroupSummary | null;
  /** Each attack under `none` minus under this defense, paired by seed: the oblivious, the adaptive, the worst. */
  obliviousDrop: PairedDifference | null;
  adaptiveDrop: PairedDifference | null;
  drop: PairedDifference | null;
  rank: RankResult;
}

const strongest = (rows: readonly GroupSummary[]): GroupSummary | null =>
  rows
    .filter((r) => r.score)
    .sort(
      byScore(
        (s) => s.score,
        (s) => s.group.attack,
      ),
    )[0] ?? null;

export function worstCaseRows(rows: readonly GroupSummary[], noneId: string, targets: AttackTargets): WorstCaseRow[] {
  const isAdaptive = (attackId: string, defenseId: string) => targets.get(attackId)?.includes(defenseId) ?? false;
  const undefended = rows.filter((r) => r.group.defenseId === noneId);
  const defenses = [...new Set(rows.filter((r) => r.group.defenseId !== noneId).map((r) => r.group.defense))].sort();
  const partial = defenses.map((defense) => {
    const under = rows.filter((r) => r.group.defense === defense);
    const defenseId = under[0].group.defenseId;
    const oblivious = strongest(under.filter((r) => !isAdaptive(r.group.attackId, defenseId)));
    const adaptive = strongest(under.filter((r) => isAdaptive(r.group.attackId, defenseId)));
    const candidates = [oblivious, adaptive].filter((r): r is GroupSummary => r !== null);
    const worst = strongest(candidates);
    const dropOf = (under: GroupSummary | null): PairedDifference | null => {
      const baseline = under ? undefended.find((r) => r.group.attack === under.group.attack) : undefined;
      return under && baseline ? pairedDifference(baseline.scoreBySeed, under.scoreBySeed) : null;
    };
    const adaptiveDeclared = [...targets]
      .filter(([, ts]) => ts.includes(defenseId))
      .map(([id]) => id)
      .sort();
    return {
      defense,
      defenseId,
      oblivious,
      adaptive,
      adaptiveDeclared,
      unranked: adaptive === null && adaptiveDeclared.length > 0,
      worst,
      obliviousDrop: dropOf(oblivious),
      adaptiveDrop: dropOf(adaptive),
      drop: dropOf(worst),
    };
  });
  const ranks = rankWithTies(
    partial.map((r) => ({
      id: r.defense,
      bySeed: r.unranked ? new Map<number, number>() : (r.worst?.scoreBySeed ?? new Map<number, number>()),
    })),
    true,
  );
  return partial
    .map((r) => ({ ...r, rank: ranks.get(r.defense) as RankResult }))
    .sort((a, b) => {
      const ra = a.rank.rank ?? Number.POSITIVE_INFINITY;
      const rb = b.rank.rank ?? Number.POSITIVE_INFINITY;
      if (ra !== rb) return ra - rb;
      const sa = a.worst?.score?.mean ?? Number.POSITIVE_INFINITY;
      const sb = b.worst?.score?.mean ?? Number.POSITIVE_INFINITY;
      if (sa !== sb) return sa - sb;
      return a.defense < b.defense ? -1 : a.defense > b.defense ? 1 : 0;
    });
}

/**
 * Whether the ownership test claimed the copy, and on how many seeds the test was valid (claimed the victim itself
 * and no independently trained encoder): accuracy alone cannot judge a test that leaves the copy intact.
 */
function claimCell(row: GroupSummary | null): string {
  const o = row?.ownershipStolen;
  if (!o) return '—';
  const validity = o.powerSeeds > 0 ? ` (valid ${o.valid}/${o.powerSeeds})` : '';
  return `${o.claimed}/${o.seeds}${validity}`;
}

function attackCell(row: GroupSummary | null, missing: string): string {
  return row ? `${cellText(row.group.attack)}: ${measured(row, row.score, percentInterval)}` : missing;
}

export function worstCaseTable(rows: readonly WorstCaseRow[]): string {
  const header = [
    '#',
    'Defense',
    'Strongest oblivious (stolen %)',
    'Its drop (pp, paired)',
    'Strongest adaptive (stolen %)',
    'Its drop (pp, paired)',
    'Worst case',
    'Worst stolen %',
    'Drop vs none (pp, paired)',
    'Legit. cost (pp)',
    'seeds',
  ];
  // Ownership tests leave the copy's accuracy intact; what they are judged by is whether they still claim it.
  const withOwnership = rows.some((r) => r.oblivious?.ownershipStolen || r.adaptive?.ownershipStolen);
  if (withOwnership) header.push('Copy claimed: oblivious · adaptive');
  const body = rows.map((r) => {
    const adaptiveMissing =
      r.adaptiveDeclared.length === 0 ? 'no attack targets it' : `not run (${r.adaptiveDeclared.join(', ')})`;
    const w = r.worst;
    const dropCell = (under: GroupSummary | null, drop: PairedDifference | null) =>
      drop ? pairedPoints(drop) : under ? 'no paired baseline' : '—';
    return [
      r.unranked ? 'unranked' : rankCell(r.rank),
      cellText(r.defense),
      attackCell(r.oblivious, '—'),
      dropCell(r.oblivious, r.obliviousDrop),
      attackCell(r.adaptive, adaptiveMissing),
      dropCell(r.adaptive, r.adaptiveDrop),
      w ? `${cellText(w.group.attack)} (${w === r.adaptive ? 'adaptive' : 'oblivious'})` : '—',
      w ? measured(w, w.score, percentInterval) : '—',
      dropCell(w, r.drop),
      w ? measured(w, w.legitimateCost, pointsInterval) : '—',
      w ? seedsCell(w) : '—',
      ...(withOwnership ? [`${claimCell(r.oblivious)} · ${claimCell(r.adaptive)}`] : []),
    ];
  });
  return markdownTable([header, ...body], {
    align: ['r', 'l', 'l', 'r', 'l', 'r', 'l', ...header.slice(7).map(() => 'r' as const)],
  });
}
