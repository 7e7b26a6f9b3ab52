// Section "Defenses": per victim and budget, each defense judged by the strongest attack against it — the attack
// with the highest stolen accuracy (mean over tasks) under that defense. Its drop is the paired difference, seed by
// seed, between the same attack under no defense and under this defense, with its 95% t interval. Defenses are ranked
// by that drop with shared ranks for drops that do not separate (rank.ts). Detection and ownership columns come from
// the same cells as the row's strongest attack.
import { markdownTable } from 'markdown-table';
import { cellText, pairedPoints, percent, percentInterval, pointsInterval, pValue } from './format.ts';
import { byScore, measured, seedsCell } from './cells.ts';
import { rankCell } from './attack-table.ts';
import { rankWithTies, type RankResult } from './rank.ts';
import type { GroupSummary, OwnershipSummary } from './summarize.ts';
import { pairedDifference, type MeanInterval, type PairedDifference } from '../scoring/stats.ts';

export interface DefenseRow {
  defense: string;
  /** The strongest attack under this defense. */
  strongest: GroupSummary;
  /** Same attack under `none` minus under this defense, paired by seed; null without a common seed. */
  drop: PairedDifference | null;
  /** Per-seed drop (the values `drop` summarises), for ranking. */
  dropBySeed: Map<number, number>;
  isBaseline: boolean;
  rank: RankResult;
}

function ownershipCell(o: OwnershipSummary | null, evidence: 'stolen' | 'independent'): string {
  if (!o) return '—';
  // For a stolen copy the weakest evidence is the largest p; for an independent encoder the closest call is the
  // smallest.
  const p = evidence === 'stolen' ? `p ≤ ${pValue(o.pMax)}` : `p ≥ ${pValue(o.pMin)}`;
  const verdict = `${o.claimed}/${o.seeds} claimed, stat ${o.statistic.mean.toFixed(2)}, ${p}`;
  if (evidence === 'independent' || o.powerSeeds === 0) return verdict;
  // A verdict on a stolen copy means something only when the test claims the victim itself and no honest encoder.
  const power =
    `power: victim ${o.victimClaimed}/${o.powerSeeds}, ` + `false claims ${o.falseClaims}/${o.independentEncoders}`;
  if (o.valid === o.powerSeeds) return `${verdict}; ${power}`;
  const why = o.victimClaimed < o.powerSeeds ? 'no power (victim not claimed)' : 'false claims on independent encoders';
  return `${why} on ${o.powerSeeds - o.valid}/${o.powerSeeds} seeds; ${power}; ${verdict}`;
}

/** `name value` pairs of what the defense reports about itself, by name, e.g. "noiseSigma 0.13, victimSpread 0.13". */
function defenseFiguresCell(figures: Record<string, MeanInterval>): string {
  const names = Object.keys(figures);
  if (names.length === 0) return '—';
  return names.map((n) => `${n} ${Number(figures[n].mean.toPrecision(3))}`).join(', ');
}

/** The per-seed drop `baseline − defended` over the common seeds. */
export function dropBySeed(
  baseline: ReadonlyMap<number, number>,
  defended: ReadonlyMap<number, number>,
): Map<number, number> {
  const out = new Map<number, number>();
  for (const [seed, value] of baseline) {
    const d = defended.get(seed);
    if (d !== undefined) out.set(seed, value - d);
  }
  return out;
}

/** The group of `attack` under the baseline defense among `bySeries`' rows. */
export function undefendedOf(
  bySeries: ReadonlyMap<string, GroupSummary[]>,
  noneId: string,
  attack: string,
): GroupSummary | undefined {
  for (const rows of bySeries.values()) {
    if (rows[0]?.group.defenseId !== noneId) continue;
    const match = rows.find((r) => r.group.attack === attack);
    if (match) return match;
  }
  return undefined;
}

export function defenseRows(bySeries: ReadonlyMap<string, GroupSummary[]>, noneId: string): DefenseRow[] {
  const strongestOf = (rows: GroupSummary[]) =>
    [...rows].sort(
      byScore(
        (s) => s.score,
        (s) => s.group.attack,
      ),
    )[0];
  const partial: Omit<DefenseRow, 'rank'>[] = [];
  for (const [defense, rows] of bySeries) {
    const strongest = strongestOf(rows);
    const isBaseline = strongest.group.defenseId === noneId;
    // What a defense takes is measured on the same attack, seed by seed: its score under `none` minus under the
    // defense. (A different, stronger attack under `none` would charge the defense for the attack's weakness.)
    const baseline = isBaseline ? undefined : undefendedOf(bySeries, noneId, strongest.group.attack);
    const drop = baseline ? pairedDifference(baseline.scoreBySeed, strongest.scoreBySeed) : null;
    const perSeed = baseline ? dropBySeed(baseline.scoreBySeed, strongest.scoreBySeed) : new Map<number, number>();
    partial.push({ defense, strongest, drop, dropBySeed: perSeed, isBaseline });
  }
  const ranks = rankWithTies(
    partial.filter((r) => !r.isBaseline).map((r) => ({ id: r.defense, bySeed: r.dropBySeed })),
  );
  const out: DefenseRow[] = partial.map((r) => ({
    ...r,
    rank: ranks.get(r.defense) ?? { rank: null, fewerSeeds: false },
  }));
  // Baseline first; then by rank; then the larger mean drop; then the smaller cost to legitimate users; then by name.
  return out.sort((a, b) => {
    if (a.isBaseline !== b.isBaseline) return a.isBaseline ? -1 : 1;
    const ra = a.rank.rank ?? Number.POSITIVE_INFINITY;
    const rb = b.rank.rank ?? Number.POSITIVE_INFINITY;
    if (ra !== rb) return ra - rb;
    const da = a.drop?.mean ?? Number.NEGATIVE_INFINITY;
    const db = b.drop?.mean ?? Number.NEGATIVE_INFINITY;
    if (da !== db) return db - da;
    const ca = a.strongest.legitimateCost?.mean ?? Number.POSITIVE_INFINITY;
    const cb = b.strongest.legitimateCost?.mean ?? Number.POSITIVE_INFINITY;
    if (ca !== cb) return ca - cb;
    return a.defense < b.defense ? -1 : a.defense > b.defense ? 1 : 0;
  });
}

export function defenseTable(rows: readonly DefenseRow[]): string {
  const header = [
    '#',
    'Defense',
    'Strongest attack',
    'Stolen %',
    'Drop vs none (pp, paired)',
    'Legit. defended %',
    'Legit. undefended %',
    'Legit. cost (pp)',
    'Attacker flagged',
    'Legit. flagged',
    'Ownership: stolen copy',
    'Ownership: independent',
    'Defense figures',
    'seeds',
  ];
  const body = rows.map((r) => {
    const s = r.strongest;
    const d = s.detection;
    const noScore = s.score === null;
    let dropText: string;
    if (r.isBaseline) dropText = 'baseline';
    else if (r.drop) dropText = pairedPoints(r.drop);
    else dropText = noScore ? measured(s, null, percentInterval) : 'no paired baseline';
    return [
      r.isBaseline ? 'base' : rankCell(r.rank),
      cellText(r.defense),
      noScore ? '—' : cellText(s.group.attack),
      measured(s, s.score, percentInterval),
      dropText,
      measured(s, s.legitimateDefended, percentInterval),
      measured(s, s.legitimateUndefended, percentInterval),
      measured(s, s.legitimateCost, pointsInterval),
      d ? `${d.attackerFlagged}/${d.seeds}` : '—',
      d
        ? `${d.legitimateFlagged}/${d.legitimateAccounts}` +
          (d.legitimateAccounts > 0 ? ` (${percent(d.legitimateFlagged / d.legitimateAccounts)}%)` : '')
        : '—',
      ownershipCell(s.ownershipStolen, 'stolen'),
      ownershipCell(s.ownershipIndependent, 'independent'),
      defenseFiguresCell(s.defenseFigures),
      seedsCell(s),
    ];
  });
  return markdownTable([header, ...body], { align: ['r', 'l', 'l', ...header.slice(3).map(() => 'r' as const)] });
}

/** Detection rates per history window, pairwise and on the whole history, for every group that recorded them. */
export function detectionRulesTable(rows: readonly GroupSummary[]): string | null {
  const withRules = rows.filter((r) => r.detectionRules.length > 0);
  if (withRules.length === 0) return null;
  const header = [
    'Defense',
    'Attack',
    'Features',
    'Rule',
    'Legit. queries flagged (FPR) %',
    'Attacker queries flagged %',
    'seeds',
  ];
  const body = withRules.flatMap((s) =>
    s.detectionRules.map((d) => [
      cellText(s.group.defense),
      cellText(s.group.attack),
      d.features,
      d.rule === 'window' ? `last ${d.window} queries` : d.rule,
      d.falsePositiveRate ? percentInterval(d.falsePositiveRate) : '—',
      d.attackerFlaggedQueryRate ? percentInterval(d.attackerFlaggedQueryRate) : '—',
      seedsCell(s),
    ]),
  );
  return markdownTable([header, ...body], { align: ['l', 'l', 'l', 'l', 'r', 'r', 'r'] });
}
