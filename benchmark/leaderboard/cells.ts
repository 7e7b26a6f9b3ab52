// Table-cell helpers shared by the leaderboard sections: a measured value, or the state of the seeds that did not
// complete (never a zero standing in for a missing number), and the "seeds" column.
import type { MeanInterval } from '../scoring/stats.ts';
import { stateSummary } from './format.ts';
import type { GroupSummary } from './summarize.ts';

/** The formatted interval; the incomplete states when no seed completed; "—" when completed seeds lack the metric. */
export function measured(
  summary: GroupSummary | undefined,
  value: MeanInterval | null | undefined,
  format: (v: MeanInterval) => string,
): string {
  if (!summary) return 'not run';
  if (value) return format(value);
  if (summary.group.completed.length === 0) return stateSummary(summary.group.incomplete.map((e) => e.state));
  return '—';
}

/** "3" when every seed completed, else "2/3 (failed ×1)". */
export function seedsCell(summary: GroupSummary): string {
  const { entries, completed, incomplete } = summary.group;
  if (incomplete.length === 0) return String(entries.length);
  return `${completed.length}/${entries.length} (${stateSummary(incomplete.map((e) => e.state))})`;
}

/** Orders by score (best first), then by name; groups with no score go last, by name. */
export function byScore(pick: (s: GroupSummary) => MeanInterval | null, name: (s: GroupSummary) => string) {
  return (a: GroupSummary, b: GroupSummary): number => {
    const sa = pick(a);
    const sb = pick(b);
    if (sa && sb && sa.mean !== sb.mean) return sb.mean - sa.mean;
    if (sa && !sb) return -1;
    if (!sa && sb) return 1;
    return name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0;
  };
}
