// Section "Cells that did not complete": how many, by state, and each one with its reason, so a failed cell is
// visible as failed rather than missing from (or zero in) the tables above.
import { markdownTable } from 'markdown-table';
import { cellText, shortReason, stateSummary } from './format.ts';
import type { CellGroup, Entry } from './group.ts';

export function incompleteSection(groups: readonly CellGroup[]): string {
  const rows: { group: CellGroup; entry: Entry }[] = groups.flatMap((group) =>
    group.incomplete.map((entry) => ({ group, entry })),
  );
  if (rows.length === 0) return 'Every cell completed.';
  const table = markdownTable([
    ['State', 'Victim', 'Defense', 'Attack', 'Budget', 'Seed', 'Reason'],
    ...rows.map(({ group, entry }) => [
      entry.state,
      cellText(group.scenario.label),
      cellText(group.defense),
      cellText(group.attack),
      String(group.budget),
      String(entry.spec.seed),
      cellText(shortReason(entry.reason ?? 'no reason recorded')),
    ]),
  ]);
  return `${rows.length} cell${rows.length === 1 ? '' : 's'} did not complete: ${stateSummary(rows.map((r) => r.entry.state))}.\n\n${table}`;
}
