// Section "Attacks under no defense": per victim and budget, attacks ranked by stolen accuracy (mean over the
// downstream tasks) with shared ranks for rows that do not separate (rank.ts), each task's stolen accuracy with the
// victim's own beside it, normalised recovery R, agreement, fidelity and cost; then the reference rows (raw pixels,
// random weights, the independent encoder, the victim) measured with the same probe.
import { markdownTable } from 'markdown-table';
import { cellText, decimalInterval, percent, percentInterval, quantity } from './format.ts';
import { byScore, measured, seedsCell } from './cells.ts';
import { rankWithTies, type RankResult } from './rank.ts';
import { normalisedRecovery, type ReferenceValue, type VictimReferences } from './references.ts';
import type { GroupSummary } from './summarize.ts';

export interface RankedRow {
  summary: GroupSummary;
  rank: RankResult;
}

/** Attacks ranked with ties; rows sharing a rank keep the order of their means. */
export function rankAttacks(rows: readonly GroupSummary[]): RankedRow[] {
  const ranks = rankWithTies(rows.map((s) => ({ id: s.group.attack, bySeed: s.scoreBySeed })));
  const order = byScore(
    (s) => s.score,
    (s) => s.group.attack,
  );
  return [...rows]
    .map((summary) => ({ summary, rank: ranks.get(summary.group.attack) as RankResult }))
    .sort((a, b) => {
      const ra = a.rank.rank ?? Number.POSITIVE_INFINITY;
      const rb = b.rank.rank ?? Number.POSITIVE_INFINITY;
      return ra !== rb ? ra - rb : order(a.summary, b.summary);
    });
}

/** "2", or "2 (fewer seeds)" for a row held below every row it does not beat with confidence. */
export function rankCell(rank: RankResult): string {
  if (rank.rank === null) return '—';
  return rank.fewerSeeds ? `${rank.rank} (fewer seeds)` : String(rank.rank);
}

function referenceAccuracy(value: ReferenceValue | undefined): string {
  if (!value) return '—';
  const sd = value.sd !== undefined ? ` ± ${(100 * value.sd).toFixed(1)} sd` : '';
  return `${percent(value.accuracy)}${sd}`;
}

/** R of a reference row: mean over tasks, against the evaluation's own victim and random accuracies. */
function referenceRecovery(
  row: Record<string, ReferenceValue>,
  refs: VictimReferences,
  tasks: readonly string[],
): string {
  const rs = tasks.map((t) => {
    const random = refs.random[t]?.accuracy;
    const victim = refs.victim[t]?.accuracy;
    const value = row[t]?.accuracy;
    return random === undefined || victim === undefined || value === undefined
      ? null
      : normalisedRecovery(value, random, victim);
  });
  if (rs.length === 0 || rs.some((r) => r === null)) return '—';
  return ((rs as number[]).reduce((a, b) => a + b, 0) / rs.length).toFixed(2);
}

function referenceRows(refs: VictimReferences, tasks: readonly string[], victimId: string): string[][] {
  const inits = Math.max(0, ...Object.values(refs.random).map((v) => v.inits ?? 0));
  const rows: [string, Record<string, ReferenceValue>, string, string][] = [
    ['*ref:* raw pixels', refs.rawPixels, '—', '—'],
    [
      `*ref:* ${refs.randomLabel ?? 'random weights'}${inits > 0 ? `, mean ± sd over ${inits} inits` : ''}`,
      refs.random,
      '—',
      '—',
    ],
    [
      `*ref:* independent encoder${refs.independentId ? ` (${refs.independentId})` : ''}`,
      refs.independent,
      refs.independentFidelity?.cka !== undefined ? refs.independentFidelity.cka.toFixed(3) : '—',
      refs.independentFidelity?.cosine !== undefined ? refs.independentFidelity.cosine.toFixed(3) : '—',
    ],
    [`*ref:* victim (${victimId})`, refs.victim, '1.000', '1.000'],
  ];
  return rows.map(([label, values, cka, cosine]) => [
    'ref',
    cellText(label),
    ...tasks.flatMap((t) => [referenceAccuracy(values[t]), '—']),
    referenceRecovery(values, refs, tasks),
    '—',
    cka,
    cosine,
    '—',
    '—',
    '—',
  ]);
}

export function attackTable(rows: readonly GroupSummary[], references?: VictimReferences): string {
  const ranked = rankAttacks(rows);
  const tasks: string[] = [];
  for (const r of ranked) for (const t of r.summary.group.tasks) if (!tasks.includes(t)) tasks.push(t);
  const header = [
    '#',
    'Attack',
    ...tasks.flatMap((t) => [`${t} stolen %`, `${t} victim %`]),
    'R',
    'agreement %',
    'CKA',
    'cosine',
    'queries',
    'attack s',
    'seeds',
  ];
  const body = ranked.map(({ summary: s, rank }) => [
    rankCell(rank),
    cellText(s.group.attack),
    ...tasks.flatMap((t) => [measured(s, s.stolen[t], percentInterval), measured(s, s.victim[t], percentInterval)]),
    measured(s, s.recovery, (v) => decimalInterval(v, 2)),
    measured(s, s.agreement, percentInterval),
    measured(s, s.cka, (v) => decimalInterval(v)),
    measured(s, s.cosine, (v) => decimalInterval(v)),
    measured(s, s.queries, (v) => quantity(v.mean)),
    measured(s, s.attackSeconds, (v) => quantity(v.mean)),
    seedsCell(s),
  ]);
  const victimId = rows[0]?.group.scenario.victim ?? '';
  const refs = references ? referenceRows(references, tasks, victimId) : [];
  return markdownTable([header, ...body, ...refs], { align: ['r', 'l', ...header.slice(2).map(() => 'r' as const)] });
}
