// Renders the paper's table 1, 2 and 4 re-runs from the harness's result records (never from anything else):
//
//   npx tsx attacks/_experiments/render.ts --runs runs/attack-tables                      # print the tables
//   npx tsx attacks/_experiments/render.ts --runs leaderboard,runs/attack-tables --write attacks/README.md
//
// `--runs` takes several folders (comma-separated): a cell recorded in more than one counts once, its newest record,
// so the tables can draw on the shipped leaderboard's records (which share cells with these configs) and on a run
// of the configs themselves.
//
// The rows and columns come from the experiment configs next to this file (attack × option sets; budgets ×
// downstream tasks); each cell is the mean linear-probe accuracy of the stolen encoder over seeds (± the 95% t
// half-width when there are several), or the state of a cell that did not complete, or "—" when no record exists.
// With --write, each table replaces the text between `<!-- <name>:start -->` and `<!-- <name>:end -->`.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownTable } from 'markdown-table';
import {
  canonicalJson,
  experimentCommand,
  meanInterval,
  readRecordsAcross,
  runIfMain,
  spliceMarkedBlock,
  type CellRecord,
} from '../../benchmark/testkit/index.ts';

export interface ExperimentConfig {
  name: string;
  victims: string[];
  attacks: { id: string; options?: Record<string, unknown>[] }[];
  budgets: number[];
  pools: string[];
  downstream: string[];
}

export interface TableSpec {
  name: string;
  title: string;
  config: ExperimentConfig;
  label(attack: string, options: Record<string, unknown>): string;
  /** For table 4: is the first row ahead of the others at each budget and task? */
  compareFirstRow?: boolean;
}

const LOSS_LABELS: Record<string, string> = {
  mse: 'MSE',
  infonce: 'InfoNCE',
  softnn: 'SoftNN',
  wasserstein: 'Wasserstein',
  supcon: 'SupCon *',
  barlow: 'Barlow *',
  'symmetrized-cosine': 'Symmetrized cosine *',
};

const isSubset = (want: Record<string, unknown>, have: Record<string, unknown>) =>
  Object.entries(want).every(([k, v]) => JSON.stringify(have[k]) === JSON.stringify(v));

interface Row {
  label: string;
  records: CellRecord[];
}

/**
 * One record per cell spec: when a folder holds records of the same cell under several keys (the victim's weights or a
 * plugin changed between runs), only the most recently started one counts, so old runs are not averaged in as seeds.
 */
export function latestPerCell(records: readonly CellRecord[]): CellRecord[] {
  const latest = new Map<string, CellRecord>();
  for (const r of records) {
    // Canonical: two runs may write the same cell's options in another key order.
    const id = canonicalJson([
      r.cell.victim,
      r.cell.defense,
      r.cell.attack.id,
      r.cell.attack.options,
      r.cell.budget,
      r.cell.pool,
      r.cell.seed,
    ]);
    const seen = latest.get(id);
    if (!seen || r.provenance.startedAt > seen.provenance.startedAt) latest.set(id, r);
  }
  return [...latest.values()];
}

function rowsOf(spec: TableSpec, records: readonly CellRecord[]): Row[] {
  const c = spec.config;
  const relevant = latestPerCell(records).filter(
    (r) =>
      c.victims.includes(r.cell.victim) &&
      r.cell.defense.id === 'none' &&
      c.pools.includes(r.cell.pool) &&
      c.budgets.includes(r.cell.budget),
  );
  return c.attacks.flatMap((attack) =>
    (attack.options ?? [{}]).map((options) => ({
      label: spec.label(attack.id, options),
      records: mainVariant(
        relevant.filter((r) => r.cell.attack.id === attack.id && isSubset(options, r.cell.attack.options)),
      ),
    })),
  );
}

/**
 * The records of one attack variant: a row names some options (`loss: "mse"`), and other experiments may have run
 * the same loss with other options (`steps`, `queryViews`). Averaging them would mix two protocols, so the row keeps
 * the variant with the most records (the config's own cells, shared by every budget), ties in canonical order.
 */
export function mainVariant(records: readonly CellRecord[]): CellRecord[] {
  const byOptions = new Map<string, CellRecord[]>();
  for (const r of records) {
    const key = canonicalJson(r.cell.attack.options);
    byOptions.set(key, [...(byOptions.get(key) ?? []), r]);
  }
  const [best] = [...byOptions.entries()].sort(([a, x], [b, y]) => y.length - x.length || (a < b ? -1 : 1));
  return best ? best[1] : [];
}

/** Mean accuracy of the completed records at a budget on a task (null when none completed). */
function meanAt(records: readonly CellRecord[], budget: number, task: string): { mean: number; text: string } | null {
  const done = records.filter(
    (r) => r.cell.budget === budget && r.state === 'completed' && r.metrics!.stolen[task] !== undefined,
  );
  if (done.length === 0) return null;
  const interval = meanInterval(done.map((r) => r.metrics!.stolen[task]!));
  const text =
    (100 * interval.mean).toFixed(1) +
    (interval.halfWidth === null ? '' : ` ± ${(100 * interval.halfWidth).toFixed(1)}`);
  return { mean: interval.mean, text };
}

function cellText(records: readonly CellRecord[], budget: number, task: string): string {
  const value = meanAt(records, budget, task);
  if (value) return value.text;
  const states = [...new Set(records.filter((r) => r.cell.budget === budget).map((r) => r.state))];
  return states.length ? states.join(', ') : '—';
}

function ckaText(records: readonly CellRecord[], budget: number): string {
  const values = records
    .filter((r) => r.cell.budget === budget && r.state === 'completed' && r.metrics!.fidelity)
    .map((r) => r.metrics!.fidelity!.cka);
  return values.length ? meanInterval(values).mean.toFixed(3) : '—';
}

/** The Markdown of one table (plus, for table 4, one line per budget × task saying which row is ahead). */
/** Stolen accuracy per seed of a row's completed records at a budget on a task. */
function bySeed(records: readonly CellRecord[], budget: number, task: string): Map<number, number> {
  const values = new Map<number, number>();
  for (const r of records)
    if (r.cell.budget === budget && r.state === 'completed' && r.metrics!.stolen[task] !== undefined)
      values.set(r.cell.seed, r.metrics!.stolen[task]!);
  return values;
}

/**
 * Table 4's sentence for one budget and task: the first row (representations) against the strongest other row that
 * has records (labels), as the paired per-seed difference with its 95% t interval. Ahead only when the interval
 * excludes zero; "tie" when it does not; "one seed" when there is no interval.
 */
function compareFirstRow(rows: readonly Row[], budget: number, task: string): string {
  const where = `${budget.toLocaleString('en-US')} queries, ${task}`;
  const first = bySeed(rows[0]!.records, budget, task);
  const others = rows
    .slice(1)
    .map((row) => ({ row, values: bySeed(row.records, budget, task) }))
    .filter((o) => o.values.size > 0);
  const missing = rows.slice(1).filter((row) => !others.some((o) => o.row === row));
  if (first.size === 0 || others.length === 0) return `${where}: not measured (no records for both sides).`;
  const mean = (m: Map<number, number>) => [...m.values()].reduce((x, y) => x + y, 0) / m.size;
  const best = others.reduce((x, o) => (mean(o.values) > mean(x.values) ? o : x));
  const seeds = [...first.keys()].filter((seed) => best.values.has(seed)).sort((x, y) => x - y);
  const skipped = missing.length ? ` (${missing.map((r) => r.label).join(', ')}: not measured)` : '';
  if (seeds.length === 0) return `${where}: no seed in common with ${best.row.label}, no comparison${skipped}.`;
  const diff = meanInterval(seeds.map((seed) => first.get(seed)! - best.values.get(seed)!));
  const head = `${where}: ${rows[0]!.label} − ${best.row.label}, the strongest label row`;
  const verdict =
    diff.halfWidth === null
      ? `${(100 * diff.mean).toFixed(1)} points on one seed: no interval`
      : `${(100 * diff.mean).toFixed(1)} ± ${(100 * diff.halfWidth).toFixed(1)} points (paired, ${seeds.length} ` +
        'seeds): ' +
        (diff.mean - diff.halfWidth > 0
          ? 'representations ahead, as in the paper'
          : diff.mean + diff.halfWidth < 0
            ? 'labels ahead — NOT as in the paper'
            : 'a tie');
  return `${head} = ${verdict}${skipped}.`;
}

/** `produced`: the Markdown sentence that says which commands produced the table (command names in backticks). */
export function renderTable(spec: TableSpec, records: readonly CellRecord[], produced: string): string {
  const { budgets, downstream } = spec.config;
  const rows = rowsOf(spec, records);
  const header = [
    'Method',
    ...budgets.flatMap((b) => [
      ...downstream.map((t) => `${t} @ ${b.toLocaleString('en-US')}`),
      `CKA @ ${b.toLocaleString('en-US')}`,
    ]),
  ];
  const victimRecord = rows.flatMap((r) => r.records).find((r) => r.state === 'completed');
  const victimRow = [
    'Victim',
    ...budgets.flatMap(() => [
      ...downstream.map((t) =>
        victimRecord?.metrics!.victim[t] === undefined ? '—' : (100 * victimRecord.metrics!.victim[t]!).toFixed(1),
      ),
      '1',
    ]),
  ];
  const body = rows.map((row) => [
    row.label,
    ...budgets.flatMap((b) => [...downstream.map((t) => cellText(row.records, b, t)), ckaText(row.records, b)]),
  ]);
  const lines = [
    `**${spec.title}** — victim \`${spec.config.victims.join(', ')}\`, ` +
      `queries from \`${spec.config.pools.join(', ')}\`, no defense; ` +
      `linear-probe top-1 accuracy (%) of the stolen encoder per downstream ` +
      `task @ query budget, and linear CKA to the victim on held-out images.`,
    '',
    markdownTable([header, victimRow, ...body], { align: ['l', ...header.slice(1).map(() => 'r' as const)] }),
    '',
    `Produced by: ${produced}`,
  ];
  if (spec.compareFirstRow && rows.length > 1) {
    lines.push('');
    for (const b of budgets) for (const t of downstream) lines.push(`- ${compareFirstRow(rows, b, t)}`);
  }
  return lines.join('\n');
}

const here = dirname(fileURLToPath(import.meta.url));
const readConfig = (file: string) => JSON.parse(readFileSync(join(here, file), 'utf8')) as ExperimentConfig;

export function tableSpecs(): TableSpec[] {
  return [
    {
      name: 'table2-losses',
      title: 'Table 2 — stealing losses (direct extraction)',
      config: readConfig('table2-losses.json'),
      label: (_, o) => LOSS_LABELS[String(o.loss)] ?? String(o.loss),
    },
    {
      name: 'table4-labels',
      title: 'Table 4 — stealing representations vs labels',
      config: readConfig('table4-labels.json'),
      label: (attack, o) =>
        attack === 'label-stealing'
          ? o.fineTune === false
            ? 'SL no fine-tune'
            : 'SL fine-tune'
          : `SSL stealing (${LOSS_LABELS[String(o.loss)] ?? 'InfoNCE'})`,
      compareFirstRow: true,
    },
    {
      name: 'table1-methods',
      title: 'Table 1 — attack methods',
      config: readConfig('table1-methods.json'),
      label: (attack, o) =>
        attack === 'direct-extraction' ? `direct-extraction (${LOSS_LABELS[String(o.loss)] ?? o.loss})` : attack,
    },
  ];
}

/** Renders every table from the records in `runs`; with `readme`, returns that file's text with the tables spliced in.
 * */
export function renderTables(
  runs: string,
  readme?: { file: string; text: string },
): { tables: string[]; text?: string } {
  const { records } = readRecordsAcross(runs.split(','));
  const tables: string[] = [];
  let text = readme?.text;
  for (const spec of tableSpecs()) {
    const write = readme ? ` --write ${readme.file}` : '';
    const withRun = runs.split(',').includes('runs/attack-tables') ? runs : `${runs},runs/attack-tables`;
    const command =
      `\`npx tsx attacks/_experiments/render.ts --runs ${runs}${write}\` from the records there; every cell of the ` +
      `config: \`npx stealbench run --config attacks/_experiments/${spec.name}.json --out runs/attack-tables && ` +
      `npx tsx attacks/_experiments/render.ts --runs ${withRun}${write}\``;
    const table = renderTable(spec, records, command);
    tables.push(table);
    if (text !== undefined) text = spliceMarkedBlock(text, spec.name, table, readme!.file);
  }
  return { tables, ...(text !== undefined ? { text } : {}) };
}

export const command = experimentCommand('render', "Renders the paper's tables 1, 2 and 4 from result records.")
  .option('--runs <folders>', 'comma-separated folders of result records', 'leaderboard')
  .option('--write <file>', 'splice the tables into this Markdown file between their markers')
  .action((options: { runs: string; write?: string }) => {
    const readme = options.write ? { file: options.write, text: readFileSync(options.write, 'utf8') } : undefined;
    const { tables, text } = renderTables(options.runs, readme);
    if (options.write) writeFileSync(options.write, text!);
    else console.log(tables.join('\n\n'));
  });

runIfMain(import.meta.url, command);
