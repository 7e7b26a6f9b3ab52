// The paper's findings (Dziedzic et al., ICML 2022) that the benchmark can test, each computed from result records
// as one quantity over seeds with a threshold and the side of it the paper reports (verdict.ts). Comparisons of two
// cells are paired seed by seed. Every finding names the sub-grid of benchmark/profiles/claims.json that measures it,
// so a "not measured" row says what to run.
import type { CellMetrics, CellRecord } from '../runner/record.ts';
import { meanInterval, pairedDifference, type MeanInterval } from '../scoring/stats.ts';
import { powerOverSeeds } from '../scoring/ownership-power.ts';
import {
  budgetsOf,
  bySeed,
  completedCells,
  pickAttack,
  stolenScore,
  victimScore,
  attackVariants,
  type Variant,
} from './select.ts';
import { canonicalJson as leaderboardJson, variantLabels } from '../leaderboard/group.ts';
import { legitimateCostOf } from '../leaderboard/summarize.ts';
import { verdictOf, type PaperSide, type Verdict } from './verdict.ts';

export const CLAIMS_CONFIG = 'benchmark/profiles/claims.json';

/** How ours is written: percentage points, a plain number, or a base-10 log ratio. */
export type Unit = 'pp' | 'number' | 'log10';

export interface FindingRow {
  id: string;
  finding: string;
  paper: string;
  /** The cells compared, e.g. "simclr-fmnist, 4000 queries: direct-extraction (loss=infonce) − label-stealing". */
  setting: string;
  /** The quantity and the paper's side of its threshold, e.g. "difference > 0". */
  quantity: string;
  ours: MeanInterval | null;
  seeds: number;
  side: PaperSide;
  threshold: number;
  unit: Unit;
  verdict: Verdict;
  /** The config (and sub-grid) that measures this finding. */
  config: string;
  note?: string;
}

interface Spec {
  id: string;
  finding: string;
  paper: string;
  quantity: string;
  side: PaperSide;
  threshold?: number;
  unit: Unit;
  grid: string;
}

function row(spec: Spec, setting: string, ours: MeanInterval | null, note?: string): FindingRow {
  const threshold = spec.threshold ?? 0;
  return {
    id: spec.id,
    finding: spec.finding,
    paper: spec.paper,
    quantity: spec.quantity,
    setting,
    ours,
    seeds: ours?.n ?? 0,
    side: spec.side,
    threshold,
    unit: spec.unit,
    verdict: verdictOf(ours, spec.side, threshold),
    config: `${CLAIMS_CONFIG}, sub-grid "${spec.grid}"`,
    ...(note ? { note } : {}),
  };
}

const notMeasured = (spec: Spec, why: string) => row(spec, '—', null, why);

const interval = (values: ReadonlyMap<number, number>): MeanInterval | null =>
  values.size === 0 ? null : meanInterval([...values.values()]);

const INFONCE = { id: 'direct-extraction', options: { loss: 'infonce' } };
const MSE = { id: 'direct-extraction', options: { loss: 'mse' } };
/** The table-12 attacker: InfoNCE extraction sending two augmented views of each image, both paid. */
const TWO_VIEWS = { id: 'direct-extraction', options: { loss: 'infonce', queryViews: 2 } };
const NONE = 'none';

// --------------------------------------------------------------------------------------------- attacks

const CLOSE: Spec = {
  id: 'direct-close',
  finding: 'Direct extraction gets close to the victim at a low budget',
  paper: "Table 1: 76.9% vs the victim's 79.0% (CIFAR10) with 9,000 queries, < 20% of the victim's training set",
  quantity: "victim − stolen accuracy (pp), paper's side: < 5 pp",
  side: 'below',
  threshold: 0.05,
  unit: 'pp',
  grid: 'budgets under no defense',
};

function directClose(records: readonly CellRecord[], victim: string, label: Label): FindingRow {
  const undefended = completedCells(records, { victim, defense: NONE, attack: 'direct-extraction' });
  const budget = budgetsOf(undefended)[0];
  if (budget === undefined) return notMeasured(CLOSE, 'no direct-extraction records under none');
  const atBudget = completedCells(undefended, { budget });
  // The attacker's best loss at that budget (highest mean stolen accuracy).
  let best: { variant: Variant; gap: Map<number, number>; mean: number } | null = null;
  for (const variant of attackVariants(atBudget)) {
    const cells = completedCells(atBudget, { attack: variant });
    const stolen = interval(bySeed(cells, stolenScore));
    if (!stolen || (best && best.mean >= stolen.mean)) continue;
    const gap = bySeed(cells, (m, r) => {
      const v = victimScore(m, r);
      const s = stolenScore(m, r);
      return v === undefined || s === undefined ? undefined : v - s;
    });
    best = { variant, gap, mean: stolen.mean };
  }
  if (!best) return notMeasured(CLOSE, 'no completed direct-extraction cell with accuracies');
  return row(
    CLOSE,
    `${victim}, ${budget} queries (lowest budget), ${label(best.variant)} (best loss)`,
    interval(best.gap),
  );
}

const BUDGET: Spec = {
  id: 'budget-rises',
  finding: 'Stolen accuracy rises with the query budget (optimiser steps fixed)',
  paper: 'Table 7 (InfoNCE): CIFAR10 accuracy 35.7% at the smallest budget, 71.8% at the largest; table 3 likewise',
  quantity: 'stolen at the largest − at the smallest budget (pp, paired), > 0',
  side: 'above',
  unit: 'pp',
  grid: 'budgets under no defense',
};

/** The paper trains a fixed number of epochs, so its compute grows with the budget: the same finding that way. */
const BUDGET_EPOCHS: Spec = {
  ...BUDGET,
  id: 'budget-rises-epochs-fixed',
  finding: "Stolen accuracy rises with the query budget (epochs fixed: compute grows with it, the paper's protocol)",
  grid: 'budgets with epochs fixed',
};

/** Paired stolen accuracy at the largest minus the smallest budget of `cells` (one attack variant or one family). */
function highMinusLow(spec: Spec, cells: readonly CellRecord[], setting: (low: number, high: number) => string) {
  const budgets = budgetsOf(cells);
  const low = budgets[0]!;
  const high = budgets[budgets.length - 1]!;
  const diff = pairedDifference(
    bySeed(completedCells(cells, { budget: high }), stolenScore),
    bySeed(completedCells(cells, { budget: low }), stolenScore),
  );
  return row(spec, setting(low, high), diff, diff ? undefined : 'no seed in common');
}

/** Prefers InfoNCE, then MSE, then any loss, among candidates that each hold records at two budgets or more. */
function byLossPreference<T>(candidates: readonly T[], loss: (c: T) => unknown): T | undefined {
  return candidates.find((c) => loss(c) === 'infonce') ?? candidates.find((c) => loss(c) === 'mse') ?? candidates[0];
}

function budgetRises(records: readonly CellRecord[], victim: string, label: Label): FindingRow {
  const multi = completedCells(records, { victim, defense: NONE, attack: 'direct-extraction' });
  const withBudgets = attackVariants(multi).filter((v) => budgetsOf(completedCells(multi, { attack: v })).length >= 2);
  const variant = byLossPreference(withBudgets, (v) => v.options.loss);
  if (!variant) return notMeasured(BUDGET, 'no direct-extraction variant with records at two budgets under none');
  return highMinusLow(
    BUDGET,
    completedCells(multi, { attack: variant }),
    (low, high) => `${victim}, ${label(variant)}: ${high} − ${low} queries`,
  );
}

/**
 * Cells of one family: the same options but `steps`, with steps per query within 5% of each other (the same number
 * of epochs), at two budgets or more. Steps held fixed across budgets fall into different families.
 */
function budgetRisesEpochsFixed(records: readonly CellRecord[], victim: string): FindingRow {
  const multi = completedCells(records, { victim, defense: NONE, attack: 'direct-extraction' });
  const families: { rest: string; loss: unknown; stepsPerQuery: number; cells: CellRecord[] }[] = [];
  for (const r of multi) {
    const { steps, ...rest } = r.cell.attack.options;
    if (typeof steps !== 'number') continue;
    const stepsPerQuery = steps / r.cell.budget;
    const key = leaderboardJson(rest);
    const family = families.find(
      (f) => f.rest === key && Math.abs(f.stepsPerQuery - stepsPerQuery) <= 0.05 * f.stepsPerQuery,
    );
    if (family) family.cells.push(r);
    else families.push({ rest: key, loss: rest.loss, stepsPerQuery, cells: [r] });
  }
  const family = byLossPreference(
    families.filter((f) => budgetsOf(f.cells).length >= 2),
    (f) => f.loss,
  );
  if (!family) {
    return notMeasured(
      BUDGET_EPOCHS,
      'no direct-extraction records at two budgets with the same steps per query under none',
    );
  }
  const stepsAt = (budget: number) => completedCells(family.cells, { budget })[0]!.cell.attack.options.steps;
  return highMinusLow(
    BUDGET_EPOCHS,
    family.cells,
    (low, high) =>
      `${victim}, direct-extraction (loss=${JSON.stringify(family.loss)}): ` +
      `${high} queries (${String(stepsAt(high))} steps) − ${low} (${String(stepsAt(low))} steps)`,
  );
}

function pairedUndefended(
  spec: Spec,
  records: readonly CellRecord[],
  victim: string,
  label: Label,
  a: Variant | null,
  b: Variant | null,
  why: string,
): FindingRow {
  if (!a || !b) return notMeasured(spec, why);
  const cellsA = completedCells(records, { victim, defense: NONE, attack: a });
  const cellsB = completedCells(records, { victim, defense: NONE, attack: b });
  const common = budgetsOf(cellsA).filter((x) => budgetsOf(cellsB).includes(x));
  const budget = common[common.length - 1];
  if (budget === undefined) return notMeasured(spec, `${label(a)} and ${label(b)} share no budget`);
  const diff = pairedDifference(
    bySeed(completedCells(cellsA, { budget }), stolenScore),
    bySeed(completedCells(cellsB, { budget }), stolenScore),
  );
  return row(
    spec,
    `${victim}, ${budget} queries: ${label(a)} − ${label(b)}`,
    diff,
    diff ? undefined : 'no seed in common',
  );
}

const LABELS: Spec = {
  id: 'representations-beat-labels',
  finding: 'Representations are stolen better than labels at equal budget',
  paper: 'Table 4: 75.5% with representations vs 66.9% with labels (SL fine-tune), CIFAR10, 9,000 queries',
  quantity: 'stolen with representations − with labels (pp, paired), > 0',
  side: 'above',
  unit: 'pp',
  grid: 'losses and labels under no defense',
};

function representationsBeatLabels(records: readonly CellRecord[], victim: string, label: Label): FindingRow {
  const undefended = completedCells(records, { victim, defense: NONE });
  const reps = pickAttack(completedCells(undefended, { attack: 'direct-extraction' }), [INFONCE, MSE]);
  const labels = pickAttack(completedCells(undefended, { attack: 'label-stealing' }), [
    { id: 'label-stealing', options: { fineTune: true } },
  ]);
  return pairedUndefended(
    LABELS,
    records,
    victim,
    label,
    reps,
    labels,
    'needs direct-extraction and label-stealing under none',
  );
}

function weakLoss(
  loss: string,
  paper: string,
): (records: readonly CellRecord[], victim: string, label: Label) => FindingRow {
  const spec: Spec = {
    id: `${loss}-weak`,
    finding: `The ${loss} stealing loss is weak`,
    paper,
    quantity: `stolen with InfoNCE − with ${loss} (pp, paired), > 0`,
    side: 'above',
    unit: 'pp',
    grid: 'losses and labels under no defense',
  };
  return (records, victim, label) => {
    const undefended = completedCells(records, { victim, defense: NONE, attack: 'direct-extraction' });
    return pairedUndefended(
      spec,
      records,
      victim,
      label,
      variantWithLoss(undefended, 'infonce'),
      variantWithLoss(undefended, loss),
      `needs direct-extraction with losses infonce and ${loss} under none`,
    );
  };
}

/** The direct-extraction variant with this loss that has the most records (`pickAttack`), or null. */
const variantWithLoss = (records: readonly CellRecord[], loss: string): Variant | null =>
  attackVariants(records, 'direct-extraction').some((v) => v.options.loss === loss)
    ? pickAttack(records, [{ id: 'direct-extraction', options: { loss } }])
    : null;

// --------------------------------------------------------------------------------------------- defenses

const NOISE: Spec = {
  id: 'noise-attacker-vs-legitimate',
  finding: 'Noise costs the attacker more than the legitimate user',
  paper: '§5.2, tables 10–11: up to 10 points off the stolen copy, about 1–2 points off legitimate users',
  quantity: "attacker's drop − legitimate users' cost (pp, paired), > 0",
  side: 'above',
  unit: 'pp',
  grid: 'noise against MSE and InfoNCE',
};

function noiseRows(records: readonly CellRecord[], victim: string, label: Label): FindingRow[] {
  const noisy = completedCells(records, { victim, defense: 'gaussian-noise' });
  const rows: FindingRow[] = [];
  const defenseVariants = new Map<string, Variant>();
  for (const r of noisy)
    // Canonical: records of one cell written by different runs may list the options in another order.
    defenseVariants.set(leaderboardJson(r.cell.defense), { id: r.cell.defense.id, options: r.cell.defense.options });
  for (const defense of [...defenseVariants.values()].sort((a, b) => label(a).localeCompare(label(b)))) {
    const under = completedCells(noisy, { defense });
    for (const attack of attackVariants(under)) {
      for (const budget of budgetsOf(completedCells(under, { attack }))) {
        const defended = completedCells(under, { attack, budget });
        const baseline = bySeed(completedCells(records, { victim, defense: NONE, attack, budget }), stolenScore);
        const stolen = bySeed(defended, stolenScore);
        const cost = bySeed(defended, legitimateCostOf);
        const perSeed = new Map<number, number>();
        for (const [seed, b] of baseline) {
          const s = stolen.get(seed);
          const c = cost.get(seed);
          if (s !== undefined && c !== undefined) perSeed.set(seed, b - s - c);
        }
        const setting = `${victim}, ${budget} queries, ${label(defense)} vs ${label(attack)}`;
        rows.push(
          row(
            NOISE,
            setting,
            interval(perSeed),
            perSeed.size ? undefined : 'no seed with both the none cell and legitimate users',
          ),
        );
      }
    }
  }
  return rows.length ? rows : [notMeasured(NOISE, 'no gaussian-noise records')];
}

const WATERMARK: Spec = {
  id: 'watermark-transfers',
  finding: 'The watermark transfers to stolen copies',
  paper:
    "Table 5: watermark success rate of the stolen copy above a benign model's by Δμ = 0.07 " +
    '(10K queries, CIFAR10), p = 6.3e-14',
  quantity: 'watermark success rate, stolen − independent encoder (pp, paired), > 0',
  side: 'above',
  unit: 'pp',
  grid: 'ownership tests',
};

const successRate = (r: { details?: Record<string, unknown> } | undefined): number | undefined =>
  typeof r?.details?.successRate === 'number' ? r.details.successRate : undefined;

/** "power: victim claimed 5/5, false claims 0/15" from the record's `ownership.power`, when the records carry it. */
function powerNote(cells: readonly CellRecord[]): string | undefined {
  const power = powerOverSeeds(cells.map((r) => r.metrics?.ownership?.power));
  if (power.seeds === 0) return undefined;
  return (
    `power: victim claimed ${power.victimClaimed}/${power.seeds}; ` +
    `false claims ${power.falseClaims}/${power.independentEncoders}`
  );
}

function ownershipRows(
  spec: Spec,
  records: readonly CellRecord[],
  victim: string,
  label: Label,
  defense: string,
  value: (m: CellMetrics, r: CellRecord) => number | undefined,
): FindingRow[] {
  const cells = completedCells(records, { victim, defense });
  const attack = pickAttack(cells, [INFONCE, MSE]);
  if (!attack) return [notMeasured(spec, `no ${defense} records`)];
  const rows = budgetsOf(completedCells(cells, { attack })).map((budget) => {
    const at = completedCells(cells, { attack, budget });
    const values = bySeed(at, value);
    return row(
      spec,
      `${victim}, ${budget} queries, ${label(attack)}`,
      interval(values),
      [values.size ? undefined : 'records lack the figure', powerNote(at)].filter(Boolean).join('; ') || undefined,
    );
  });
  return rows;
}

const watermarkRows = (records: readonly CellRecord[], victim: string, label: Label) =>
  ownershipRows(WATERMARK, records, victim, label, 'watermark', (m) => {
    const stolen = successRate(m.ownership?.stolen);
    const independent = successRate(m.ownership?.independent);
    return stolen === undefined || independent === undefined ? undefined : stolen - independent;
  });

const DATASET_INFERENCE: Spec = {
  id: 'dataset-inference-weak',
  finding: 'Dataset inference is weak for encoders',
  paper:
    '§5.4, table 19: the signal that a stolen encoder saw the private data is much weaker than for supervised models',
  quantity: 'log10 p − log10 α of the test on the stolen copy, > 0 (not claimed)',
  side: 'above',
  unit: 'log10',
  grid: 'ownership tests',
};

const datasetInferenceRows = (records: readonly CellRecord[], victim: string, label: Label) =>
  ownershipRows(DATASET_INFERENCE, records, victim, label, 'dataset-inference', (m, r) => {
    const p = m.ownership?.stolen?.pValue;
    const alpha = typeof r.cell.defense.options.alpha === 'number' ? r.cell.defense.options.alpha : 0.05;
    // p is floored at 1e-300 so that a p of exactly 0 stays finite (log10 0 = −∞).
    return typeof p === 'number' ? Math.log10(Math.max(p, 1e-300)) - Math.log10(alpha) : undefined;
  });

/** Youden's J = attacker's flagged share − legitimate false-positive rate (1 − FPR − FNR), for one rule/features. */
function youden(m: CellMetrics, features: string): number | undefined {
  const windows = m.detection?.windows;
  if (!windows) return undefined;
  const ofFeatures = windows.filter((w) => w.features === features);
  // The shortest window holds a two-view attacker's sibling view (sent next to it), so its flags are the paper's
  // "second view caught". The pairwise rule pairs each query with a random earlier one, never with its sibling, so
  // for the attacker it measures the same random-pair rate as for users: used only when no window was reported.
  const pick =
    ofFeatures.filter((w) => w.rule === 'window').sort((a, b) => (a.window ?? 0) - (b.window ?? 0))[0] ??
    ofFeatures.find((w) => w.rule === 'pairwise');
  if (!pick || pick.falsePositiveRate === null || pick.attackerFlaggedQueryRate === null) return undefined;
  return pick.attackerFlaggedQueryRate - pick.falsePositiveRate;
}

function detectionSpec(features: 'projection' | 'representation'): Spec {
  const where = features === 'projection' ? 'head' : 'representations';
  return {
    id: `detection-${features}`,
    finding: `Similar-query detection separates attackers from users (on the ${where})`,
    paper:
      features === 'projection'
        ? 'Table 15 (cosine, head, τ = 0.5): FPR 15.5%, FNR 21.3%, i.e. 1 − FPR − FNR = 63 pp'
        : 'Table 14 (ℓ2, representations, τ = 18): FPR 16.2%, FNR 39.5%, i.e. 1 − FPR − FNR = 44 pp',
    quantity: "1 − FPR − FNR (pp; attacker's flagged share − users' flagged share, shortest window rule), > 0",
    side: 'above',
    unit: 'pp',
    grid: 'similar-query detection',
  };
}

const HEAD_BETTER: Spec = {
  id: 'detection-head-better',
  finding: 'Detection works better on the head than on the representations',
  paper: 'Tables 13 vs 14 (ℓ2): lower FPR and FNR on the head (e.g. 12.3/35.1 vs 16.2/39.5)',
  quantity: '(1 − FPR − FNR) on the head − on the representations (pp, paired), > 0',
  side: 'above',
  unit: 'pp',
  grid: 'similar-query detection',
};

function detectionRows(records: readonly CellRecord[], victim: string, label: Label): FindingRow[] {
  const cells = completedCells(records, { victim, defense: 'similar-query-detection' });
  const specs = [detectionSpec('projection'), detectionSpec('representation')];
  // The paper's detector faces an InfoNCE attacker that sends two augmented views of each image.
  const attack = pickAttack(cells, [TWO_VIEWS, INFONCE, MSE]);
  if (!attack) return [...specs, HEAD_BETTER].map((s) => notMeasured(s, 'no similar-query-detection records'));
  const budgets = budgetsOf(completedCells(cells, { attack }));
  const budget = budgets[budgets.length - 1];
  const at = completedCells(cells, { attack, budget });
  const head = bySeed(at, (m) => youden(m, 'projection'));
  const reps = bySeed(at, (m) => youden(m, 'representation'));
  const setting = `${victim}, ${budget} queries, ${label(attack)}`;
  const missing = 'records lack metrics.detection.windows for these features';
  return [
    row(specs[0], setting, interval(head), head.size ? undefined : missing),
    row(specs[1], setting, interval(reps), reps.size ? undefined : missing),
    row(HEAD_BETTER, setting, pairedDifference(head, reps), head.size && reps.size ? undefined : missing),
  ];
}

const POW: Spec = {
  id: 'pow-costs-attackers-more',
  finding: 'Proof-of-work costs attackers more than legitimate users',
  paper:
    "§5.5 (after Dziedzic et al., ICLR 2022): puzzles calibrated to a user's leakage charge attackers more; " +
    'the paper doubts the calibration carries over to encoders',
  quantity: "log10 (attacker's hashes per query + 1) / (a legitimate user's + 1), > 0",
  side: 'above',
  unit: 'log10',
  grid: 'proof-of-work',
};

function powRows(records: readonly CellRecord[], victim: string, label: Label): FindingRow[] {
  const cells = completedCells(records, { victim, defense: 'proof-of-work' });
  const attack = pickAttack(cells, [INFONCE, MSE]);
  if (!attack) return [notMeasured(POW, 'no proof-of-work records')];
  return budgetsOf(completedCells(cells, { attack })).map((budget) => {
    const values = bySeed(completedCells(cells, { attack, budget }), (m) => {
      const legit = m.legitimate?.cost;
      if (
        m.cost.hashes === undefined ||
        !legit ||
        legit.hashes === undefined ||
        m.cost.queries <= 0 ||
        legit.queries <= 0
      )
        return undefined;
      return Math.log10((m.cost.hashes / m.cost.queries + 1) / (legit.hashes / legit.queries + 1));
    });
    return row(
      POW,
      `${victim}, ${budget} queries, ${label(attack)}`,
      interval(values),
      values.size ? undefined : 'records lack hash counts',
    );
  });
}

// --------------------------------------------------------------------------------------------- all

/** Display name of an attack or defense variant: its id, plus the options that differ between its variants. */
export type Label = (variant: Variant) => string;

type Evaluate = (records: readonly CellRecord[], victim: string, label: Label) => FindingRow | FindingRow[];

/** Every finding, in the order of the table (paper order: attacks §4, then defenses §5). */
export const FINDINGS: readonly Evaluate[] = [
  directClose,
  budgetRises,
  budgetRisesEpochsFixed,
  representationsBeatLabels,
  weakLoss('wasserstein', 'Table 2: 63.9% with Wasserstein vs 75.5% with InfoNCE (CIFAR10, 9,000 queries)'),
  weakLoss('barlow', 'Table 2: 26.9% with Barlow Twins vs 75.5% with InfoNCE (CIFAR10, 9,000 queries)'),
  noiseRows,
  watermarkRows,
  detectionRows,
  datasetInferenceRows,
  powRows,
];

/** The paper's setting is a SimCLR victim; its findings are checked on this one unless the caller names others. */
export const DEFAULT_VICTIM = 'simclr-fmnist';

/**
 * The findings table's rows for `victims` (default: the SimCLR victim when the records have it, else every victim
 * in the records, else the SimCLR victim with every row "not measured").
 */
export function evaluateFindings(records: readonly CellRecord[], victims?: readonly string[]): FindingRow[] {
  const present = [...new Set(records.map((r) => r.cell.victim))].sort();
  const chosen = victims ?? (present.includes(DEFAULT_VICTIM) || present.length === 0 ? [DEFAULT_VICTIM] : present);
  const labels = variantLabels(records.flatMap((r) => [r.cell.attack, r.cell.defense]));
  const label: Label = (v) => labels.get(`${v.id}\u0000${leaderboardJson(v.options)}`) ?? v.id;
  return chosen.flatMap((victim) => FINDINGS.flatMap((f) => f(records, victim, label)));
}
