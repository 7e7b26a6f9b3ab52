// renderLeaderboard: result records in, Markdown and SVG charts out. Reads nothing but its arguments (no clock, no
// files), sorts everything it lists, and so gives the same bytes for the same records in any order.
import type { CellRecord, CellSpec } from '../runner/record.ts';
import { attackTable } from './attack-table.ts';
import { budgetCharts, type Chart } from './charts.ts';
import { defenseRows, defenseTable, detectionRulesTable } from './defense-table.ts';
import { groupRecords, scenariosOf } from './group.ts';
import { incompleteSection } from './incomplete.ts';
import { matrixTable } from './matrix-table.ts';
import { provenanceSection } from './provenance.ts';
import { summarizeGroup, type GroupSummary } from './summarize.ts';
import { victimReferences, type ReferenceData, type VictimReferences } from './references.ts';
import { worstCaseRows, worstCaseTable, type AttackTargets } from './worst-case.ts';
import { evaluateFindings, renderFindings } from '../claims/index.ts';
import { markedBlock } from '../claims/markers.ts';

/** Marker name of the generated "Paper findings" block (`stealbench claims --write` replaces the same block). */
export const PAPER_FINDINGS_MARKER = 'paper-findings';

export interface LeaderboardOptions {
  title?: string;
  /** Id of the baseline defense (default `none`). */
  noneDefense?: string;
  /** Folder of the charts relative to the Markdown file (default `charts`). */
  chartsDir?: string;
  /** Cells the grid asked for: those with no record are listed as `missing`. */
  expected?: readonly CellSpec[];
  /** The victims evaluation (`victims/evaluation.json`): reference rows and the random baseline of R. */
  references?: ReferenceData;
  /** Attack id → defense ids it targets (`meta.targets`): which attacks are adaptive in the worst-case section. */
  attackTargets?: AttackTargets;
  /** Add the "Paper findings" section (benchmark/claims) computed from the same records. */
  paperFindings?: boolean;
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
  '',
  'R is normalised recovery, (stolen − random) / (victim − random) per task, averaged over tasks, where "random"',
  "is the mean of the random-weight inits of the victim's architecture (0 = random weights, 1 = the victim).",
  "Agreement: share of probe-test images on which the stolen copy's probe and the victim's probe predict the same",
  'class. Reference rows (*ref:*) come from `victims/evaluation.json` (`stealbench evaluate-victims --json`),',
  'measured with the same probe.',
  '',
  'Ranks: row A beats row B when the 95% t interval of the paired per-seed difference A − B (over their common seeds)',
  "lies above zero; a row's rank is 1 + the number of rows that beat it, so rows that do not separate share a rank.",
  'A row with fewer seeds than the others is marked so and never ranked above a row it does not beat.',
].join('\n');

interface Setting {
  label: string;
  rows: GroupSummary[];
}

/** One setting per victim (× pool) and budget, in a stable order: the unit every table of the page is drawn for. */
function settingsOf(groups: ReturnType<typeof groupRecords>, summaries: readonly GroupSummary[]): Setting[] {
  const settings: Setting[] = [];
  for (const scenario of scenariosOf(groups)) {
    const inScenario = summaries.filter((s) => s.group.scenario.label === scenario.label);
    for (const budget of [...new Set(inScenario.map((s) => s.group.budget))].sort((a, b) => a - b)) {
      settings.push({
        label: `${scenario.label} · budget ${budget}`,
        rows: inScenario.filter((s) => s.group.budget === budget),
      });
    }
  }
  return settings;
}

/** The "Worst case" section's lines (without its heading): what it measures, then one table per setting. */
function worstCaseSection(
  settings: readonly Setting[],
  noneId: string,
  attackTargets: AttackTargets | undefined,
  heading: string,
): string[] {
  const md = [
    'Each defense against the strongest oblivious attack and the strongest adaptive attack (one whose `meta.targets`',
    'names the defense), judged by the stronger of the two: the highest stolen accuracy any attack keeps through it.',
    'Ranked by that worst-case accuracy, lowest first, with shared ranks where the per-seed accuracies do not',
    'separate. A defense whose adaptive attack has not been run is "unranked": its worst case is only a lower bound.',
    `Each "drop" pairs its attack with the same attack under \`${noneId}\`, seed by seed: the oblivious attack's, the`,
    "adaptive attack's, and the worst case's. Ownership tests (watermark, dataset inference) do not aim to lower the",
    'accuracy: for them a last column says on how many seeds the copy was claimed, under the oblivious and the',
    'adaptive attack, and on how many the test was valid (it claimed the victim itself and no independent encoder).',
    '',
  ];
  const targets = attackTargets ?? new Map<string, readonly string[]>();
  let anyDefense = false;
  for (const { label, rows } of settings) {
    if (!rows.some((r) => r.group.defenseId !== noneId)) continue;
    anyDefense = true;
    md.push(`${heading} ${label}`, '', worstCaseTable(worstCaseRows(rows, noneId, targets)), '');
  }
  if (!anyDefense) md.push('No records with a defense other than `' + noneId + '`.', '');
  if (!attackTargets) md.push('(No attack metas were given, so no attack counts as adaptive.)', '');
  return md;
}

/**
 * The leaderboard's "Worst case" section alone, for pages that show it beside their own tables (the defenses README):
 * the same tables, headed by `heading` (default `####`), from the same records.
 */
export function renderWorstCase(
  records: readonly CellRecord[],
  options: Pick<LeaderboardOptions, 'noneDefense' | 'attackTargets' | 'references'> & { heading?: string } = {},
): string {
  const groups = groupRecords(records, []);
  const summaries = groups.map((g) =>
    summarizeGroup(g, options.references ? victimReferences(options.references, g.scenario.victim) : undefined),
  );
  return worstCaseSection(
    settingsOf(groups, summaries),
    options.noneDefense ?? 'none',
    options.attackTargets,
    options.heading ?? '####',
  ).join('\n');
}

export function renderLeaderboard(
  records: readonly CellRecord[],
  options: LeaderboardOptions = {},
): RenderedLeaderboard {
  const noneId = options.noneDefense ?? 'none';
  const chartsDir = options.chartsDir ?? 'charts';
  const groups = groupRecords(records, options.expected ?? []);
  const referencesOf = new Map<string, VictimReferences>();
  if (options.references) {
    for (const g of groups) {
      if (!referencesOf.has(g.scenario.victim))
        referencesOf.set(g.scenario.victim, victimReferences(options.references, g.scenario.victim));
    }
  }
  const summaries = groups.map((g) => summarizeGroup(g, referencesOf.get(g.scenario.victim)));
  const md: string[] = [`# ${options.title ?? 'stealbench leaderboard'}`, '', INTRO, ''];
  const charts: Chart[] = [];

  const settings = settingsOf(groups, summaries);

  md.push('## Attacks under no defense', '');
  md.push(`Ranked by stolen accuracy (mean over downstream tasks) with the \`${noneId}\` defense.`, '');
  let anyBaseline = false;
  for (const { label, rows } of settings) {
    const undefended = rows.filter((s) => s.group.defenseId === noneId);
    if (undefended.length === 0) continue;
    anyBaseline = true;
    md.push(`### ${label}`, '', attackTable(undefended, referencesOf.get(undefended[0].group.scenario.victim)), '');
  }
  if (!anyBaseline) md.push(`No records with the \`${noneId}\` defense.`, '');

  md.push('## Defenses', '');
  md.push(
    'Each defense is judged by the strongest attack against it (highest stolen accuracy under that defense). "Drop" is',
    `the same attack's accuracy under \`${noneId}\` minus it, at the same budget, paired seed by seed (mean ± 95% t`,
    'half-width over the common seeds); "legit. cost" is legitimate users\' accuracy through the undefended API minus',
    'through the defended one, paired within each cell. Ranked by drop with shared ranks (as above).',
    "Detection and ownership figures come from the strongest attack's cells: seeds on which the attacker was flagged,",
    'legitimate accounts flagged, and the ownership test on the stolen copy (largest p over seeds) and on an',
    'independently trained encoder (smallest p over seeds).',
    '',
  );
  for (const { label, rows } of settings) {
    const byDefense = new Map<string, GroupSummary[]>();
    for (const s of rows) byDefense.set(s.group.defense, [...(byDefense.get(s.group.defense) ?? []), s]);
    md.push(`### ${label}`, '', defenseTable(defenseRows(byDefense, noneId)), '');
    const rules = detectionRulesTable(rows);
    if (rules)
      md.push(
        `Detection per history window (${label}): each rule's share of flagged queries, FNR = 1 − attacker share.`,
        '',
        rules,
        '',
      );
  }

  md.push('## Worst case', '', ...worstCaseSection(settings, noneId, options.attackTargets, '###'));

  md.push('## Attack × defense', '', 'Stolen accuracy, % (mean over downstream tasks).', '');
  for (const { label, rows } of settings) md.push(`### ${label}`, '', matrixTable(rows, noneId), '');

  md.push('## Accuracy against budget', '');
  for (const scenario of scenariosOf(groups)) {
    const undefended = summaries.filter(
      (s) => s.group.scenario.label === scenario.label && s.group.defenseId === noneId,
    );
    if (undefended.length === 0) continue;
    for (const chart of budgetCharts(scenario, undefended)) {
      charts.push(chart);
      md.push(`![${chart.title}](${chartsDir}/${chart.name})`, '');
    }
  }
  if (charts.length === 0) md.push(`No records with the \`${noneId}\` defense to chart.`, '');

  if (options.paperFindings) {
    md.push('## Paper findings', '', markedBlock(PAPER_FINDINGS_MARKER, renderFindings(evaluateFindings(records))), '');
  }

  md.push('## Cells that did not complete', '', incompleteSection(groups), '');
  md.push('## Provenance', '', provenanceSection(records), '');
  charts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { markdown: md.join('\n'), charts };
}
