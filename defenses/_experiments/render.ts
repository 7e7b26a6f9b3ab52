// Renders the defense tables of issue 6 that come from benchmark cells, from result records alone
// (`<dir>/results/*.json`, read with the leaderboard's record reader):
//   1. noise comparison (paper tables 10-11): legitimate-user vs attacker accuracy under `gaussian-noise` at each σ,
//      `top-k`, `rounding`, against `none`;
//   2. proof-of-work: the attacker's work (hashes, seconds) and who was flagged;
//   3. B4B: legitimate-user accuracy vs stolen accuracy per (λ, α, β);
//   4. detection: which accounts and what share of queries each detecting defense flagged;
//   5. ownership tests: the stolen copy's verdict beside the test's power (victim itself) and false claims.
// A row is one (defense + options, attack, budget) over its seeds: mean ± sample std of completed cells; a row with
// cells that did not complete says so ("failed ×1"); a row with none completed shows only their state, never 0.
//
//   npx tsx defenses/_experiments/render.ts --runs <dir>[,<dir>…]                         # print
//   npx tsx defenses/_experiments/render.ts --runs <dir> --write defenses/README.md \
//       --command "npx tsx benchmark/cli/main.ts run …"                                     # splice between markers
import { markdownTable } from 'markdown-table';
import { formatP } from './render-ownership.ts';
import {
  experimentCommand,
  powerOverSeeds,
  readRecordsAcross,
  runIfMain,
  spliceIntoFile,
} from '../../benchmark/testkit/index.ts';
import {
  canonicalJson,
  variantLabels,
  cellText,
  stateSummary,
  type CellMetrics,
  type CellRecord,
} from '../../benchmark/testkit/index.ts';

/** The downstream task legitimate users solve (benchmark/scoring/legitimate-users.ts) and that stolen accuracy is
 * compared on. */
export const TASK = 'fmnist';
export const GRID_MARKER = 'defenses-grid';

interface Row {
  /** Defense id and the options that tell its variants apart, e.g. `gaussian-noise (sigma=1)`. */
  label: string;
  attack: string;
  budget: number;
  records: CellRecord[];
}

/** Rows of the records whose defense is one of `defenses`, grouped over seeds; labels come from all `records`. */
function rowsOf(records: readonly CellRecord[], defenses: readonly string[]): (Row & { defense: string })[] {
  const defenseLabels = variantLabels(records.map((r) => r.cell.defense));
  const attackLabels = variantLabels(records.map((r) => r.cell.attack));
  const refKey = (ref: { id: string; options: Record<string, unknown> }) =>
    `${ref.id}\u0000${canonicalJson(ref.options)}`;
  const byKey = new Map<string, Row & { defense: string }>();
  for (const r of records) {
    if (!defenses.includes(r.cell.defense.id)) continue;
    const key = [r.cell.victim, refKey(r.cell.defense), refKey(r.cell.attack), r.cell.budget].join('\u0000');
    const row = byKey.get(key) ?? {
      defense: r.cell.defense.id,
      label: defenseLabels.get(refKey(r.cell.defense)) ?? r.cell.defense.id,
      attack: attackLabels.get(refKey(r.cell.attack)) ?? r.cell.attack.id,
      budget: r.cell.budget,
      records: [],
    };
    // One measurement per seed: the same cell from two runs (two configs sharing it) counts once, the newer.
    const sameSeed = row.records.findIndex((other) => other.cell.seed === r.cell.seed);
    if (sameSeed < 0) row.records.push(r);
    else if (r.provenance.startedAt > row.records[sameSeed]!.provenance.startedAt) row.records[sameSeed] = r;
    byKey.set(key, row);
  }
  return [...byKey.values()].sort(
    (a, b) =>
      defenses.indexOf(a.defense) - defenses.indexOf(b.defense) ||
      a.label.localeCompare(b.label) ||
      a.attack.localeCompare(b.attack) ||
      a.budget - b.budget,
  );
}

/** Drops `none` rows at an (attack, budget) where no other defense of the table ran: nothing to compare them with. */
function withComparedBaselines<T extends Row & { defense: string }>(rows: T[]): T[] {
  const at = (row: Row) => `${row.attack}\u0000${row.budget}`;
  const defended = new Set(rows.filter((row) => row.defense !== 'none').map(at));
  return rows.filter((row) => row.defense !== 'none' || defended.has(at(row)));
}

/**
 * One table cell from the completed records of a row: `format(values)` over the values `pick` finds; when some
 * cells did not complete their state is appended; when none did, only the state. `—` when nothing measured it.
 */
export function measuredCell(
  records: readonly CellRecord[],
  pick: (m: CellMetrics) => number | undefined,
  format: (values: number[]) => string,
): string {
  const incomplete = records
    .filter((r) => r.state !== 'completed' || !r.metrics)
    .map((r) => (r.state === 'completed' ? 'no-metrics' : r.state));
  const values = records
    .flatMap((r) => (r.state === 'completed' && r.metrics ? [pick(r.metrics)] : []))
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const suffix = incomplete.length > 0 ? stateSummary(incomplete) : '';
  if (values.length === 0) return suffix || '—';
  return suffix ? `${format(values)} (${suffix})` : format(values);
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: readonly number[]) =>
  xs.length < 2 ? null : Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
/** Percent, mean ± sample std over seeds (one decimal). */
export const pct = (xs: number[]) => {
  const s = sd(xs);
  return s === null ? (100 * mean(xs)).toFixed(1) : `${(100 * mean(xs)).toFixed(1)} ± ${(100 * s).toFixed(1)}`;
};
const num = (xs: number[]) => {
  const m = mean(xs);
  return Math.abs(m) >= 1e5 ? m.toExponential(2) : m.toFixed(m >= 100 ? 0 : 2);
};
const countOf = (xs: number[]) => `${xs.filter((x) => x > 0).length}/${xs.length}`;

const seedsCell = (records: readonly CellRecord[]) => String(new Set(records.map((r) => r.cell.seed)).size);

function table(header: string[], rows: string[][]): string {
  return rows.length === 0
    ? '_No records for these defenses in the run._'
    : markdownTable([header, ...rows.map((row) => row.map(cellText))]);
}

/** A table column: its header and how one row fills it. The tables share most columns, so each is written once. */
type Column = readonly [header: string, cell: (row: Row) => string];

/** A column of one metric over the row's seeds (see `measuredCell`). */
const metricColumn = (
  header: string,
  pick: (m: CellMetrics) => number | undefined,
  format: (values: number[]) => string,
): Column => [header, (row) => measuredCell(row.records, pick, format)];

function rowTable(rows: readonly Row[], columns: readonly Column[]): string {
  return table(
    columns.map(([header]) => header),
    rows.map((row) => columns.map(([, cell]) => cell(row))),
  );
}

/** Cells that flagged the attacker, as `flagged/cells`. */
const attackerFlaggedCell = (records: readonly CellRecord[]) =>
  measuredCell(records, (m) => (m.detection ? Number(m.detection.attackerFlagged) : undefined), countOf);

/** Legitimate accounts flagged (mean) out of how many there were. */
const legitimateFlaggedCell = (records: readonly CellRecord[]) =>
  measuredCell(
    records,
    (m) => m.detection?.legitimateFlagged,
    (xs) => `${num(xs)} of ${records.find((r) => r.metrics?.detection)?.metrics?.detection?.legitimateAccounts ?? '?'}`,
  );

/** What identifies a row; every per-row table starts with these. */
const KEY_COLUMNS: readonly Column[] = [
  ['defense (options)', (row) => row.label],
  ['attack', (row) => row.attack],
  ['budget', (row) => String(row.budget)],
  ['seeds', (row) => seedsCell(row.records)],
];
const LEGITIMATE_DEFENDED = metricColumn(
  `legitimate acc. defended % (${TASK})`,
  (m) => m.legitimate?.defended[TASK],
  pct,
);
const LEGITIMATE_UNDEFENDED = metricColumn('legitimate acc. undefended %', (m) => m.legitimate?.undefended[TASK], pct);
const STOLEN = metricColumn(`stolen acc. % (${TASK})`, (m) => m.stolen[TASK], pct);
const ATTACKER_FLAGGED: Column = ['attacker flagged', (row) => attackerFlaggedCell(row.records)];
const LEGITIMATE_FLAGGED: Column = ['legitimate accounts flagged', (row) => legitimateFlaggedCell(row.records)];
const ATTACKER_QUERIES_FLAGGED = metricColumn(
  'attacker queries flagged %',
  (m) => m.detection?.attackerFlaggedQueryRate,
  pct,
);
const LEGITIMATE_QUERIES_FLAGGED = metricColumn(
  'legitimate queries flagged %',
  (m) => m.detection?.legitimateFlaggedQueryRate,
  pct,
);

export function noiseTable(records: readonly CellRecord[]): string {
  const rows = withComparedBaselines(rowsOf(records, ['none', 'gaussian-noise', 'top-k', 'rounding']));
  return rowTable(rows, [...KEY_COLUMNS, LEGITIMATE_DEFENDED, LEGITIMATE_UNDEFENDED, STOLEN]);
}

export function powTable(records: readonly CellRecord[]): string {
  return rowTable(rowsOf(records, ['proof-of-work']), [
    ...KEY_COLUMNS,
    metricColumn('attacker queries', (m) => m.cost.queries, num),
    metricColumn('attacker hashes', (m) => m.cost.hashes, num),
    metricColumn('attacker PoW seconds', (m) => m.cost.powSeconds, num),
    metricColumn('legitimate user queries', (m) => m.legitimate?.cost?.queries, num),
    metricColumn('legitimate user hashes', (m) => m.legitimate?.cost?.hashes, num),
    metricColumn('legitimate user PoW seconds', (m) => m.legitimate?.cost?.powSeconds, num),
    ATTACKER_FLAGGED,
    LEGITIMATE_FLAGGED,
    STOLEN,
  ]);
}

export function b4bTable(records: readonly CellRecord[]): string {
  const rows = withComparedBaselines(rowsOf(records, ['none', 'b4b']));
  return rowTable(rows, [
    ...KEY_COLUMNS,
    LEGITIMATE_DEFENDED,
    LEGITIMATE_UNDEFENDED,
    STOLEN,
    metricColumn(
      'attacker coverage',
      (m) => m.detection?.attackerScore,
      (xs) => mean(xs).toFixed(3),
    ),
    ['attacker at full noise (c ≥ β)', (row) => attackerFlaggedCell(row.records)],
  ]);
}

export function detectionTable(records: readonly CellRecord[]): string {
  const ids = [
    ...new Set(
      records
        .filter((r) => r.metrics?.detection || r.cell.defense.id === 'similar-query-detection')
        .map((r) => r.cell.defense.id),
    ),
  ].sort();
  return rowTable(rowsOf(records, ids), [
    ...KEY_COLUMNS,
    ATTACKER_FLAGGED,
    ATTACKER_QUERIES_FLAGGED,
    LEGITIMATE_FLAGGED,
    LEGITIMATE_QUERIES_FLAGGED,
    STOLEN,
  ]);
}

/** Median and range of p-values over seeds, as people read them (`formatP`). */
const pRange = (ps: number[]) => {
  const sorted = [...ps].sort((a, b) => a - b);
  const [low, median, high] = [sorted[0]!, sorted[Math.floor((sorted.length - 1) / 2)]!, sorted[sorted.length - 1]!];
  // One seed, or every p the same once formatted (e.g. all underflowed): no range to show.
  return formatP(low) === formatP(high) ? formatP(median) : `${formatP(median)} (${formatP(low)} – ${formatP(high)})`;
};

/** Over the row's seeds: how many of all the independent encoders checked were claimed (the false claims). */
const falseClaimsCell = (records: readonly CellRecord[]) => {
  const power = powerOverSeeds(records.map((r) => r.metrics?.ownership?.power));
  return power.seeds === 0 ? '—' : `${power.falseClaims}/${power.independentEncoders}`;
};

/**
 * Ownership tests with their power (issue 12.4): per (test, attack, budget) over seeds, whether the stolen copy was
 * claimed, beside whether the test claimed the victim itself (its power) and how many independently trained encoders
 * it claimed (its false claims). A stolen-copy verdict is only worth reading on the rows whose "valid seeds" are all
 * of them. The stolen accuracy is the copy's after any removal step (steal-then-remove).
 */
export function ownershipTable(records: readonly CellRecord[]): string {
  return rowTable(rowsOf(records, ['watermark', 'dataset-inference']), [
    ...KEY_COLUMNS,
    STOLEN,
    metricColumn('stolen copy claimed', (m) => (m.ownership ? Number(m.ownership.stolen.stolen) : undefined), countOf),
    metricColumn('its p (median, range)', (m) => m.ownership?.stolen.pValue, pRange),
    metricColumn('its t (mean)', (m) => m.ownership?.stolen.statistic, num),
    metricColumn(
      'power: victim itself claimed',
      (m) => (m.ownership?.power ? Number(m.ownership.power.victimClaimed) : undefined),
      countOf,
    ),
    ['false claims on independent encoders', (row) => falseClaimsCell(row.records)],
    metricColumn(
      'valid seeds (power, no false claim, ≥ 3 encoders)',
      (m) => (m.ownership?.power ? Number(m.ownership.power.valid) : undefined),
      countOf,
    ),
  ]);
}

/** Defense ids in the order the tables list them (the README's order); unknown ids go last, alphabetically. */
const DEFENSE_ORDER = [
  'none',
  'gaussian-noise',
  'top-k',
  'rounding',
  'similar-query-detection',
  'b4b',
  'proof-of-work',
  'watermark',
  'dataset-inference',
];
const defenseRank = (id: string) => (DEFENSE_ORDER.includes(id) ? DEFENSE_ORDER.indexOf(id) : DEFENSE_ORDER.length);
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)}`;

/**
 * Every defense against every attack at one budget: stolen accuracy (%) and, beside it, the change from the same
 * attack under `none` (points; negative = the defense took accuracy from the attacker). Budgets where fewer than two
 * attacks ran are skipped: the other tables cover them.
 */
export function matrixTables(records: readonly CellRecord[]): string {
  const out: string[] = [];
  const budgets = [...new Set(records.map((r) => r.cell.budget))].sort((a, b) => a - b);
  for (const budget of budgets) {
    const atBudget = records.filter((r) => r.cell.budget === budget);
    const all = rowsOf(atBudget, [...new Set(atBudget.map((r) => r.cell.defense.id))]);
    // Attacks some defense met (an attack run only under `none` has nothing to compare).
    const attacks = [...new Set(all.filter((row) => row.defense !== 'none').map((row) => row.attack))].sort();
    if (attacks.length < 2) continue;
    // Defense variants that met at least two attacks (single-attack variants have their own tables).
    const defenseRows = [...new Set(all.map((row) => row.label))]
      .filter((label) => new Set(all.filter((row) => row.label === label).map((row) => row.attack)).size >= 2)
      .map((label) => ({ label, id: all.find((row) => row.label === label)!.defense }))
      .sort((a, b) => defenseRank(a.id) - defenseRank(b.id) || a.label.localeCompare(b.label));
    const find = (label: string, attack: string) => all.find((row) => row.label === label && row.attack === attack);
    const stolenMean = (row: Row | undefined) => {
      const xs = (row?.records ?? []).flatMap((r) =>
        r.state === 'completed' && r.metrics?.stolen[TASK] !== undefined ? [r.metrics.stolen[TASK]!] : [],
      );
      return xs.length > 0 ? mean(xs) : undefined;
    };
    const baseline = all.find((row) => row.defense === 'none')?.label;
    const stolenRows = defenseRows.map(({ label }) => [
      label,
      ...attacks.map((attack) => {
        const row = find(label, attack);
        if (!row) return '—';
        const cell = measuredCell(row.records, (m) => m.stolen[TASK], pct);
        const base = baseline && label !== baseline ? stolenMean(find(baseline, attack)) : undefined;
        const own = stolenMean(row);
        return base !== undefined && own !== undefined ? `${cell} (${signed(100 * (own - base))})` : cell;
      }),
    ]);
    out.push(
      `**Stolen accuracy, ${budget.toLocaleString('en-US')} queries** (${TASK} ` +
        `probe %, and in brackets the change from the same attack under ` +
        `\`none\`, in points):`,
      '',
      table(['defense (options)', ...attacks], stolenRows),
      '',
    );

    const ownershipCell = (rows: Row[], pick: (m: CellMetrics) => { stolen: boolean; pValue: number } | undefined) => {
      const results = rows
        .flatMap((row) => row.records.flatMap((r) => (r.state === 'completed' && r.metrics ? [pick(r.metrics)] : [])))
        .filter((x): x is { stolen: boolean; pValue: number } => x !== undefined);
      if (results.length === 0) return '—';
      const ps = results.map((x) => x.pValue).sort((a, b) => a - b);
      return `${results.filter((x) => x.stolen).length} of ${results.length} (p ${ps[0]!.toPrecision(2)}–${ps[ps.length - 1]!.toPrecision(2)})`;
    };
    const summaryRows = defenseRows.map(({ label }) => {
      const rows = all.filter((row) => row.label === label && attacks.includes(row.attack));
      const recs = rows.flatMap((row) => row.records);
      return [
        label,
        `${recs.filter((r) => r.state === 'completed').length} of ${recs.length}`,
        measuredCell(recs, (m) => m.legitimate?.defended[TASK], pct),
        measuredCell(recs, (m) => m.legitimate?.cost?.hashes, num),
        attackerFlaggedCell(recs),
        legitimateFlaggedCell(recs),
        ownershipCell(rows, (m) => m.ownership?.stolen),
        ownershipCell(rows, (m) => m.ownership?.independent),
      ];
    });
    out.push(
      `**What each defense costs and catches over these attacks, ${budget.toLocaleString('en-US')} ` +
        `queries** (legitimate accuracy: mean over the cells; flags: cells ` +
        `where the attacker was flagged; ownership: cells where the defense ` +
        `claimed the copy, with the range of p-values):`,
      '',
      table(
        [
          'defense (options)',
          'cells completed',
          `legitimate acc. defended % (${TASK})`,
          'legitimate user hashes',
          'attacker flagged',
          'legitimate accounts flagged (mean)',
          'ownership claimed: stolen copy',
          'ownership claimed: independent encoder',
        ],
        summaryRows,
      ),
      '',
    );
  }
  return out.join('\n').trimEnd();
}

/**
 * Paper table 12: similar-query detection that answers flagged queries with large-mean noise. Rows: every
 * similar-query-detection variant at an (attack, budget) where two or more variants ran, or where the attacker is
 * the table's own (two augmented views of each image, `queryViews: 2`), beside `none` there.
 */
export function perturbationTable(records: readonly CellRecord[]): string {
  const sqd = rowsOf(records, ['similar-query-detection']);
  const where = (row: Row) => `${row.attack}\u0000${row.budget}`;
  const variants = new Map<string, Set<string>>();
  for (const row of sqd) variants.set(where(row), (variants.get(where(row)) ?? new Set()).add(row.label));
  const twoViews = new Set(sqd.filter((row) => row.records[0]?.cell.attack.options.queryViews === 2).map(where));
  const rows = rowsOf(records, ['none', 'similar-query-detection']).filter(
    (row) => twoViews.has(where(row)) || (variants.get(where(row))?.size ?? 0) >= 2,
  );
  return rowTable(rows, [
    ...KEY_COLUMNS,
    LEGITIMATE_DEFENDED,
    LEGITIMATE_UNDEFENDED,
    LEGITIMATE_QUERIES_FLAGGED,
    STOLEN,
    ATTACKER_QUERIES_FLAGGED,
    ATTACKER_FLAGGED,
  ]);
}

/** The Markdown that goes between the `defenses-grid` markers. */
export function renderDefenseGrid(records: readonly CellRecord[], command: string): string {
  const victims = [...new Set(records.map((r) => r.cell.victim))].sort().join(', ');
  return [
    `Produced by \`${command}\` and rendered with \`npx tsx ` +
      `defenses/_experiments/render.ts\` from ${records.length} records ` +
      `(victims: ${victims || 'none'}). ` +
      ('Accuracies are linear-probe top-1 in %, mean ± std over seeds; a cell ' +
        'that did not complete shows its state, never a number.'),
    '',
    '#### Every defense against every attack',
    matrixTables(records) || '_No budget with two or more attacks in these records._',
    '',
    '#### Noise (paper tables 10–11) and output truncation (top-k, rounding)',
    noiseTable(records),
    '',
    "#### Proof-of-work: the attacker's work",
    powTable(records),
    '',
    '#### B4B: utility / attack trade-off',
    b4bTable(records),
    '',
    '#### Similar-query detection with perturbation (paper table 12)',
    perturbationTable(records),
    '',
    '#### Detection flags from cells',
    detectionTable(records),
    '',
    '#### Ownership tests with their power (paper tables 5 and 19)',
    ownershipTable(records),
  ].join('\n');
}

export const command = experimentCommand(
  'render',
  'Renders the defense tables of defenses/README.md from result records.',
)
  .requiredOption('--runs <folders>', 'comma-separated folders whose results/*.json are the benchmark records')
  .option('--write <file>', `splice the tables into this Markdown file between the ${GRID_MARKER} markers`)
  .option('--command <text>', 'the command that produced the records, printed under the tables')
  .action((options: { runs: string; write?: string; command?: string }) => {
    // The same cell may sit in several folders (two configs sharing a cell): count it once, the newest.
    const read = readRecordsAcross(options.runs.split(','));
    for (const file of read.superseded) console.error(`${file}: left out, a newer record of the same cell was read`);
    const body = renderDefenseGrid(read.records, options.command ?? `stealbench run (records in ${options.runs})`);
    console.log(body);
    if (options.write) {
      spliceIntoFile(options.write, GRID_MARKER, body);
      console.error(`wrote ${options.write}`);
    }
  });

runIfMain(import.meta.url, command);
