// Section "Attack × defense": stolen accuracy (mean over tasks, % with 95% interval) of every attack under every
// defense at one budget. A combination with no record reads "not run"; one whose seeds all failed reads its state.
import { markdownTable } from 'markdown-table';
import { cellText, percentInterval } from './format.ts';
import { measured } from './cells.ts';
import type { GroupSummary } from './summarize.ts';

export function matrixTable(rows: readonly GroupSummary[], noneId: string): string {
  const attacks = [...new Set(rows.map((r) => r.group.attack))].sort();
  const defenseIds = new Map(rows.map((r) => [r.group.defense, r.group.defenseId]));
  const defenses = [...defenseIds.keys()].sort((a, b) => {
    const na = defenseIds.get(a) === noneId;
    const nb = defenseIds.get(b) === noneId;
    if (na !== nb) return na ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
  const at = new Map(rows.map((r) => [`${r.group.attack}\u0000${r.group.defense}`, r]));
  const header = ['Attack \\ Defense', ...defenses.map(cellText)];
  const body = attacks.map((a) => [
    cellText(a),
    ...defenses.map((d) => {
      const s = at.get(`${a}\u0000${d}`);
      return measured(s, s?.score, percentInterval);
    }),
  ]);
  return markdownTable([header, ...body], { align: ['l', ...defenses.map(() => 'r' as const)] });
}
