// Section "Attacks under no defense": per victim and budget, attacks ranked by stolen accuracy (mean over the
// downstream tasks), with each task's stolen accuracy, the victim's own accuracy beside it, fidelity and cost.
import { markdownTable } from 'markdown-table';
import { cellText, decimalInterval, percentInterval, quantity } from './format.ts';
import { byScore, measured, seedsCell } from './cells.ts';
import type { GroupSummary } from './summarize.ts';

export function rankAttacks(rows: readonly GroupSummary[]): GroupSummary[] {
  return [...rows].sort(byScore((s) => s.score, (s) => s.group.attack));
}

export function attackTable(rows: readonly GroupSummary[]): string {
  const ranked = rankAttacks(rows);
  const tasks: string[] = [];
  for (const r of ranked) for (const t of r.group.tasks) if (!tasks.includes(t)) tasks.push(t);
  const header = ['#', 'Attack', ...tasks.flatMap((t) => [`${t} stolen %`, `${t} victim %`]), 'CKA', 'cosine', 'queries', 'attack s', 'seeds'];
  let rank = 0;
  const body = ranked.map((s) => [
    s.score ? String(++rank) : '—',
    cellText(s.group.attack),
    ...tasks.flatMap((t) => [measured(s, s.stolen[t], percentInterval), measured(s, s.victim[t], percentInterval)]),
    measured(s, s.cka, (v) => decimalInterval(v)),
    measured(s, s.cosine, (v) => decimalInterval(v)),
    measured(s, s.queries, (v) => quantity(v.mean)),
    measured(s, s.attackSeconds, (v) => quantity(v.mean)),
    seedsCell(s),
  ]);
  return markdownTable([header, ...body], { align: ['r', 'l', ...header.slice(2).map(() => 'r' as const)] });
}
