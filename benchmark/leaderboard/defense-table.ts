// Section "Defenses": per victim and budget, each defense judged by the strongest attack against it — the attack
// with the highest stolen accuracy (mean over tasks) under that defense — compared with the same attack under no
// defense at the same budget. Ranked by the accuracy the defense takes away, then by what it costs legitimate users.
// Detection and ownership columns come from the same cells as the row's strongest attack.
import { markdownTable } from 'markdown-table';
import { cellText, percent, percentInterval, points, pValue } from './format.ts';
import { byScore, measured, seedsCell } from './cells.ts';
import type { GroupSummary, OwnershipSummary } from './summarize.ts';

export interface DefenseRow {
  defense: string;
  /** The strongest attack under this defense (null when no attack completed). */
  strongest: GroupSummary;
  /** Baseline score minus this defense's strongest score; null without a baseline or a score. */
  drop: number | null;
  /** Undefended minus defended legitimate accuracy; null when not measured. */
  utilityCost: number | null;
  isBaseline: boolean;
}

function ownershipCell(o: OwnershipSummary | null, evidence: 'stolen' | 'independent'): string {
  if (!o) return '—';
  // For a stolen copy the weakest evidence is the largest p; for an independent encoder the closest call is the smallest.
  const p = evidence === 'stolen' ? `p ≤ ${pValue(o.pMax)}` : `p ≥ ${pValue(o.pMin)}`;
  return `${o.claimed}/${o.seeds} claimed, stat ${o.statistic.mean.toFixed(2)}, ${p}`;
}

export function defenseRows(bySeries: ReadonlyMap<string, GroupSummary[]>, noneId: string): DefenseRow[] {
  const strongestOf = (rows: GroupSummary[]) => [...rows].sort(byScore((s) => s.score, (s) => s.group.attack))[0];
  // What a defense takes is measured on the same attack: its score under `none` minus its score under the defense.
  // (Comparing with a different, stronger attack under `none` would charge the defense for the attack's weakness.)
  const undefendedScore = new Map<string, number>();
  for (const rows of bySeries.values()) {
    if (rows[0]?.group.defenseId !== noneId) continue;
    for (const row of rows) if (row.score) undefendedScore.set(row.group.attack, row.score.mean);
  }
  const out: DefenseRow[] = [];
  for (const [defense, rows] of bySeries) {
    const strongest = strongestOf(rows);
    const score = strongest.score?.mean ?? null;
    const baseline = undefendedScore.get(strongest.group.attack) ?? null;
    const defended = strongest.legitimateDefended?.mean;
    const undefended = strongest.legitimateUndefended?.mean;
    out.push({
      defense,
      strongest,
      drop: baseline !== null && score !== null ? baseline - score : null,
      utilityCost: defended !== undefined && undefended !== undefined ? undefended - defended : null,
      isBaseline: strongest.group.defenseId === noneId,
    });
  }
  // Baseline first; then the largest drop; then the smallest cost to legitimate users; then by name.
  return out.sort((a, b) => {
    if (a.isBaseline !== b.isBaseline) return a.isBaseline ? -1 : 1;
    if (a.drop !== null && b.drop !== null && a.drop !== b.drop) return b.drop - a.drop;
    if ((a.drop === null) !== (b.drop === null)) return a.drop === null ? 1 : -1;
    const ca = a.utilityCost ?? Number.POSITIVE_INFINITY;
    const cb = b.utilityCost ?? Number.POSITIVE_INFINITY;
    if (ca !== cb) return ca - cb;
    return a.defense < b.defense ? -1 : a.defense > b.defense ? 1 : 0;
  });
}

export function defenseTable(rows: readonly DefenseRow[]): string {
  const header = [
    '#', 'Defense', 'Strongest attack', 'Stolen %', 'Drop vs none (pp)', 'Legit. defended %', 'Legit. undefended %',
    'Legit. cost (pp)', 'Attacker flagged', 'Legit. flagged', 'Ownership: stolen copy', 'Ownership: independent', 'seeds',
  ];
  let rank = 0;
  const body = rows.map((r) => {
    const s = r.strongest;
    const d = s.detection;
    const noScore = s.score === null;
    return [
      r.isBaseline ? 'base' : r.drop !== null ? String(++rank) : '—',
      cellText(r.defense),
      noScore ? '—' : cellText(s.group.attack),
      measured(s, s.score, percentInterval),
      r.isBaseline ? 'baseline' : r.drop === null ? (noScore ? measured(s, null, percentInterval) : 'no baseline') : points(r.drop),
      measured(s, s.legitimateDefended, percentInterval),
      measured(s, s.legitimateUndefended, percentInterval),
      r.utilityCost === null ? '—' : points(r.utilityCost),
      d ? `${d.attackerFlagged}/${d.seeds}` : '—',
      d ? `${d.legitimateFlagged}/${d.legitimateAccounts}${d.legitimateAccounts > 0 ? ` (${percent(d.legitimateFlagged / d.legitimateAccounts)}%)` : ''}` : '—',
      ownershipCell(s.ownershipStolen, 'stolen'),
      ownershipCell(s.ownershipIndependent, 'independent'),
      seedsCell(s),
    ];
  });
  return markdownTable([header, ...body], { align: ['r', 'l', 'l', ...header.slice(3).map(() => 'r' as const)] });
}
