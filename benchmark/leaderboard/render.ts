// renderLeaderboard: result records in, Markdown and SVG charts out. Reads nothing but its arguments (no clock, no
// files), sorts everything it lists, and so gives the same bytes for the same records in any order.
import type { CellRecord, CellSpec } from '../runner/record.ts';
import { attackTable } from './attack-table.ts';
import { budgetCharts, type Chart } from './charts.ts';
import { defenseRows, defenseTable } from './defense-table.ts';
import { groupRecords, scenariosOf } from './group.ts';
import { incompleteSection } from './incomplete.ts';
import { matrixTable } from './matrix-table.ts';
import { provenanceSection } from './provenance.ts';
import { summarizeGroup, type GroupSummary } from './summarize.ts';

export interface LeaderboardOptions {
  title?: string;
  /** Id of the baseline defense (default `none`). */
  noneDefense?: string;
  /** Folder of the charts relative to the Markdown file (default `charts`). */
  chartsDir?: string;
  /** Cells the grid asked for: those with no record are listed as `missing`. */
  expected?: readonly CellSpec[];
}

export interface RenderedLeaderboard {
  markdown: string;
  charts: Chart[];
}

const INTRO = [
  'Stolen and victim accuracy: linear-probe top-1 accuracy on the downstream task, in %, as mean ± half-width of the',
  '95% Student t interval over seeds (no ± when only one seed completed). Where a table shows one accuracy for several',
  'tasks it is the mean over the downstream tasks. Fidelity: linear CKA and mean cosine between stolen and victim',
  'representations on held-out images. A cell that did not complete shows its state (failed, timed-out, skipped,',
  'missing), never a number; "not run" means the grid had no such cell.',
].join('\n');

export function renderLeaderboard(records: readonly CellRecord[], options: LeaderboardOptions = {}): RenderedLeaderboard {
  const noneId = options.noneDefense ?? 'none';
  const chartsDir = options.chartsDir ?? 'charts';
  const groups = groupRecords(records, options.expected ?? []);
  const summaries = groups.map(summarizeGroup);
  const md: string[] = [`# ${options.title ?? 'stealbench leaderboard'}`, '', INTRO, ''];
  const charts: Chart[] = [];

  const settings: { label: string; rows: GroupSummary[] }[] = [];
  for (const scenario of scenariosOf(groups)) {
    const inScenario = summaries.filter((s) => s.group.scenario.label === scenario.label);
    for (const budget of [...new Set(inScenario.map((s) => s.group.budget))].sort((a, b) => a - b)) {
      settings.push({ label: `${scenario.label} · budget ${budget}`, rows: inScenario.filter((s) => s.group.budget === budget) });
    }
  }

  md.push('## Attacks under no defense', '');
  md.push(`Ranked by stolen accuracy (mean over downstream tasks) with the \`${noneId}\` defense.`, '');
  let anyBaseline = false;
  for (const { label, rows } of settings) {
    const undefended = rows.filter((s) => s.group.defenseId === noneId);
    if (undefended.length === 0) continue;
    anyBaseline = true;
    md.push(`### ${label}`, '', attackTable(undefended), '');
  }
  if (!anyBaseline) md.push(`No records with the \`${noneId}\` defense.`, '');

  md.push('## Defenses', '');
  md.push(
    'Each defense is judged by the strongest attack against it (highest stolen accuracy under that defense). "Drop" is',
    `the same attack's accuracy under \`${noneId}\` minus it, at the same budget; "legit. cost" is legitimate users'`,
    'accuracy through the undefended API minus through the defended one. Ranked by drop, then by legit. cost.',
    'Detection and ownership figures come from the strongest attack\'s cells: seeds on which the attacker was flagged,',
    'legitimate accounts flagged, and the ownership test on the stolen copy (largest p over seeds) and on an',
    'independently trained encoder (smallest p over seeds).',
    '',
  );
  for (const { label, rows } of settings) {
    const byDefense = new Map<string, GroupSummary[]>();
    for (const s of rows) byDefense.set(s.group.defense, [...(byDefense.get(s.group.defense) ?? []), s]);
    md.push(`### ${label}`, '', defenseTable(defenseRows(byDefense, noneId)), '');
  }

  md.push('## Attack × defense', '', 'Stolen accuracy, % (mean over downstream tasks).', '');
  for (const { label, rows } of settings) md.push(`### ${label}`, '', matrixTable(rows, noneId), '');

  md.push('## Accuracy against budget', '');
  for (const scenario of scenariosOf(groups)) {
    const undefended = summaries.filter((s) => s.group.scenario.label === scenario.label && s.group.defenseId === noneId);
    if (undefended.length === 0) continue;
    for (const chart of budgetCharts(scenario, undefended)) {
      charts.push(chart);
      md.push(`![${chart.title}](${chartsDir}/${chart.name})`, '');
    }
  }
  if (charts.length === 0) md.push(`No records with the \`${noneId}\` defense to chart.`, '');

  md.push('## Cells that did not complete', '', incompleteSection(groups), '');
  md.push('## Provenance', '', provenanceSection(records), '');
  charts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { markdown: md.join('\n'), charts };
}
