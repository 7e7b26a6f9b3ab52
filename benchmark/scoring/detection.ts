// Detection rates of a flagging defense, from its flags and the ground truth of who is an attacker (or which
// queries are the attacker's). Positive = attacker. FPR is the share of legitimate items flagged; FNR the share of
// attacker items missed. A rate with no items to count is null, never 0: "no legitimate accounts" is not "no false
// flags".
import type { AccountReport, DetectionRuleCount } from '../plugin/types.ts';
import type { DetectionRuleRates } from '../runner/record.ts';

export interface DetectionRates {
  truePositives: number;
  falsePositives: number;
  trueNegatives: number;
  falseNegatives: number;
  /** FP / (FP + TN); null when there are no negatives. */
  falsePositiveRate: number | null;
  /** FN / (FN + TP); null when there are no positives. */
  falseNegativeRate: number | null;
}

export function detectionRates(flagged: ArrayLike<boolean>, isAttacker: ArrayLike<boolean>): DetectionRates {
  if (flagged.length !== isAttacker.length) {
    throw new RangeError(`detectionRates: ${flagged.length} flags for ${isAttacker.length} ground-truth labels`);
  }
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < flagged.length; i++) {
    if (isAttacker[i]) flagged[i] ? tp++ : fn++;
    else flagged[i] ? fp++ : tn++;
  }
  return {
    truePositives: tp,
    falsePositives: fp,
    trueNegatives: tn,
    falseNegatives: fn,
    falsePositiveRate: fp + tn === 0 ? null : fp / (fp + tn),
    falseNegativeRate: fn + tp === 0 ? null : fn / (fn + tp),
  };
}

// ---------------------------------------------------------------- per history window (issue 12.3)
// A detector that flags a query when an earlier query of the same account is similar flags more as the history it
// searches grows: FPR at 1,000 queries is not FPR at 10. So rates are reported per fixed window of the account's
// history (the last W queries), over the whole history, and pairwise (each query against one earlier query).

const ruleKey = (count: Pick<DetectionRuleCount, 'rule' | 'window' | 'features'>) =>
  `${count.features}/${count.rule}/${count.window ?? ''}`;

/**
 * Pools the per-account rule counts a guard reported (`AccountReport.rules`) into rates per rule: the share of the
 * legitimate accounts' queries flagged (FPR) and the share of the attacker's accounts' queries flagged. Rules in the
 * order first reported; accounts without counts for a rule add nothing to it.
 */
export function detectionRuleRates(
  reports: readonly AccountReport[] | undefined,
  attackerAccounts: readonly string[],
  legitimateAccounts: readonly string[],
): DetectionRuleRates[] {
  const rates = new Map<string, DetectionRuleRates>();
  const attackers = new Set(attackerAccounts);
  const legitimate = new Set(legitimateAccounts);
  for (const report of reports ?? []) {
    const role = attackers.has(report.account) ? 'attacker' : legitimate.has(report.account) ? 'legitimate' : undefined;
    if (!role) continue;
    for (const count of report.rules ?? []) {
      if (count.flagged > count.queries || count.flagged < 0) {
        throw new RangeError(
          `detectionRuleRates: account ${report.account} reports ${count.flagged} ` +
            `of ${count.queries} queries flagged under ${ruleKey(count)}`,
        );
      }
      const key = ruleKey(count);
      let entry = rates.get(key);
      if (!entry) {
        entry = {
          rule: count.rule,
          ...(count.window !== undefined ? { window: count.window } : {}),
          features: count.features,
          legitimateQueries: 0,
          legitimateFlagged: 0,
          attackerQueries: 0,
          attackerFlagged: 0,
          falsePositiveRate: null,
          attackerFlaggedQueryRate: null,
        };
        rates.set(key, entry);
      }
      entry[`${role}Queries`] += count.queries;
      entry[`${role}Flagged`] += count.flagged;
    }
  }
  for (const entry of rates.values()) {
    entry.falsePositiveRate = entry.legitimateQueries === 0 ? null : entry.legitimateFlagged / entry.legitimateQueries;
    entry.attackerFlaggedQueryRate = entry.attackerQueries === 0 ? null : entry.attackerFlagged / entry.attackerQueries;
  }
  return [...rates.values()];
}

/**
 * Replays one account's stream of feature vectors and flags query i under each rule: similar (`isSimilar` on the
 * distance) to its nearest query among the last `window` earlier ones, among all earlier ones (`history`), or to one
 * earlier query chosen by `pairIndex(i)` (`pairwise`). The reference the detector's guard is tested against, and what
 * replay experiments use with known ground truth (which queries are second views of an image).
 */
export function flagStream(
  vectors: readonly Float32Array[],
  distance: (a: Float32Array, b: Float32Array) => number,
  isSimilar: (distance: number) => boolean,
  rules: { windows: readonly number[]; pairIndex?: (query: number) => number },
): { window: Map<number, boolean[]>; history: boolean[]; pairwise: boolean[] } {
  const window = new Map(rules.windows.map((w) => [w, [] as boolean[]]));
  const history: boolean[] = [];
  const pairwise: boolean[] = [];
  for (let i = 0; i < vectors.length; i++) {
    const distances = vectors.slice(0, i).map((earlier) => distance(vectors[i]!, earlier));
    const nearestIn = (from: number) => Math.min(Infinity, ...distances.slice(Math.max(0, from)));
    for (const [w, flags] of window) flags.push(i > 0 && isSimilar(nearestIn(i - w)));
    history.push(i > 0 && isSimilar(nearestIn(0)));
    const partner = i > 0 && rules.pairIndex ? rules.pairIndex(i) : -1;
    pairwise.push(partner >= 0 && partner < i && isSimilar(distances[partner]!));
  }
  return { window, history, pairwise };
}

/**
 * Pairwise rates with known pairs (replay experiments): FPR = share of pairs of distinct images judged similar, FNR =
 * share of pairs of views of one image judged not similar. Window-free, so comparable with the paper's tables 13-15.
 */
export function pairwiseRates(
  distinctPairDistances: ArrayLike<number>,
  samePairDistances: ArrayLike<number>,
  isSimilar: (distance: number) => boolean,
): DetectionRates {
  const flagged = [...Array.from(distinctPairDistances, isSimilar), ...Array.from(samePairDistances, isSimilar)];
  const truth = [...Array.from(distinctPairDistances, () => false), ...Array.from(samePairDistances, () => true)];
  return detectionRates(flagged, truth);
}
